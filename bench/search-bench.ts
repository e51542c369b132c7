/**
 * Search-engine benchmark (issue 13): trials per second of the search loop itself (strategy,
 * cache, trial records appended to a run directory) with the NAS-Bench-201 benchmark
 * evaluator, and the wall time of `nas search examples/nb201_search.nas --repeat 500` on one
 * core (taskset, when the machine has it). Prints figures; asserts nothing. Besides wall time
 * it prints CPU time (this process's, and the child's from /usr/bin/time): on a shared, loaded
 * machine the CPU-time rate is the figure that says what one core does.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NasWorkspace } from '../src/core/workspace.js';
import type { Document, Search } from '../src/core/language/syntax/generated/ast.js';
import { readSearchSpec } from '../src/core/search/spec.js';
import { prepareSearch } from '../src/core/search/prepare.js';
import { runSearch } from '../src/core/search/runner.js';
import { RunStore, RUN_FORMAT } from '../src/core/search/store.js';

const ROOT = findRoot(import.meta.dirname);

function findRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'examples'))) return d;
    if (path.dirname(d) === d) throw new Error(`no repository above ${dir}`);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function loopSpeed(): Promise<void> {
  const ws = new NasWorkspace();
  const doc = await ws.addFile(path.join(ROOT, 'examples/nb201_search.nas'));
  const root = doc.parseResult.value as Document;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-search-bench-'));
  console.log(
    'search loop, NAS-Bench-201 benchmark evaluator, trials recorded to a run directory (trials per second of wall time and of CPU time, median of 3 rounds of 20 runs of 1,000 trials):',
  );
  for (const name of ['NB201Random', 'NB201Evolution', 'NB201WarmEvolution', 'NB201ParetoTextbook', 'NB201Pareto']) {
    const search = root.elements.find((e): e is Search => e.$type === 'Search' && e.name === name)!;
    const spec = readSearchSpec(search).spec!;
    const prepared = prepareSearch(spec);
    const budget = 1000;
    const rates: number[] = [];
    const cpuRates: number[] = [];
    for (let round = 0; round < 4; round++) {
      let trials = 0;
      let ms = 0;
      let cpuMs = 0;
      for (let seed = 0; seed < 20; seed++) {
        const dir = path.join(scratch, `${name}-${round}-${seed}`);
        const store = RunStore.create(dir, {
          format: RUN_FORMAT,
          product: 'bench',
          file: 'examples/nb201_search.nas',
          sourceHash: '',
          search: name,
          space: 'NB201',
          strategy: { name: spec.strategy.name, settings: {} },
          evaluator: { name: spec.evaluator.name, settings: {} },
          objectives: [],
          constraints: [],
          budget: { queries: budget },
          seed,
          created: '',
        });
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const done = await runSearch({ prepared, seed, budget: { queries: budget }, store });
        const c = process.cpuUsage(c0);
        ms += performance.now() - t0;
        cpuMs += (c.user + c.system) / 1000;
        store.close();
        trials += done.evaluations;
      }
      if (round > 0) {
        // Round 0 warms the JIT up.
        rates.push(trials / (ms / 1000));
        cpuRates.push(trials / (cpuMs / 1000));
      }
    }
    const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(8);
    console.log(
      `  ${name.padEnd(22)} ${fmt(median(rates))} /s wall  ${fmt(median(cpuRates))} /s CPU  (wall rounds: ${rates.map((r) => Math.round(r)).join(', ')})`,
    );
  }
  fs.rmSync(scratch, { recursive: true, force: true });
}

function repeatWallTime(): void {
  const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const hasTime = fs.existsSync('/usr/bin/time');
  console.log(`nas search examples/nb201_search.nas --repeat 500 (100 queries each), whole CLI process${hasTaskset ? ', pinned to one core' : ''}:`);
  for (const search of ['NB201WarmEvolution', 'NB201Evolution', 'NB201Random']) {
    const times: number[] = [];
    const cpu: number[] = [];
    let summary = '';
    for (let i = 0; i < 3; i++) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-repeat-'));
      const args = [path.join(ROOT, 'bin/nas.cjs'), 'search', 'examples/nb201_search.nas', '--search', search, '--repeat', '500', '--out', out];
      const command = [...(hasTime ? ['/usr/bin/time', '-f', 'cpu %U %S'] : []), ...(hasTaskset ? ['taskset', '-c', '0'] : []), process.execPath, ...args];
      const t0 = performance.now();
      const r = spawnSync(command[0]!, command.slice(1), { cwd: ROOT, encoding: 'utf8' });
      times.push((performance.now() - t0) / 1000);
      if (r.status !== 0) throw new Error(`nas search failed: ${r.stderr}`);
      const m = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
      if (m) cpu.push(Number(m[1]) + Number(m[2]));
      summary = r.stdout.split('\n').find((l) => l.startsWith('500 runs')) ?? '';
      fs.rmSync(out, { recursive: true, force: true });
    }
    const cpuText = cpu.length ? `, CPU ${median(cpu).toFixed(1)} s` : '';
    console.log(`  ${search.padEnd(20)} wall ${median(times).toFixed(1)} s${cpuText}  (wall runs: ${times.map((t) => t.toFixed(1)).join(', ')})  ${summary}`);
  }
}

await loopSpeed();
repeatWallTime();
