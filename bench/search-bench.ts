/**
 * Search-engine benchmark (issue 13): trials per second of the search loop itself (strategy,
 * cache, trial records appended to a run directory) with the NAS-Bench-201 benchmark
 * evaluator, and the wall time of `nas search examples/nb201_search.nas --repeat 500` on one
 * core (taskset, when the machine has it). Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NasWorkspace } from '../src/core/workspace.js';
import type { Document, Search } from '../src/core/language/generated/ast.js';
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
  console.log('search loop, NAS-Bench-201 benchmark evaluator, trials recorded to a run directory (trials/s, median of 3 rounds of 20 runs):');
  for (const name of ['NB201Random', 'NB201Evolution', 'NB201WarmEvolution', 'NB201ParetoTextbook', 'NB201Pareto']) {
    const search = root.elements.find((e): e is Search => e.$type === 'Search' && e.name === name)!;
    const spec = readSearchSpec(search).spec!;
    const prepared = prepareSearch(spec);
    const budget = 1000;
    const rates: number[] = [];
    for (let round = 0; round < 4; round++) {
      let trials = 0;
      let ms = 0;
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
        const done = await runSearch({ prepared, seed, budget: { queries: budget }, store });
        ms += performance.now() - t0;
        store.close();
        trials += done.evaluations;
      }
      if (round > 0) rates.push(trials / (ms / 1000)); // round 0 warms the JIT up
    }
    console.log(
      `  ${name.padEnd(22)} ${Math.round(median(rates)).toLocaleString('en-US').padStart(8)} trials/s  (rounds: ${rates.map((r) => Math.round(r)).join(', ')})`,
    );
  }
  fs.rmSync(scratch, { recursive: true, force: true });
}

function repeatWallTime(): void {
  const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  console.log(`nas search examples/nb201_search.nas --repeat 500 (100 queries each), whole CLI process${hasTaskset ? ', pinned to one core' : ''}:`);
  for (const search of ['NB201WarmEvolution', 'NB201Evolution', 'NB201Random']) {
    const times: number[] = [];
    let summary = '';
    for (let i = 0; i < 3; i++) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-repeat-'));
      const args = [path.join(ROOT, 'bin/nas.cjs'), 'search', 'examples/nb201_search.nas', '--search', search, '--repeat', '500', '--out', out];
      const t0 = performance.now();
      const r = hasTaskset
        ? spawnSync('taskset', ['-c', '0', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8' })
        : spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
      times.push((performance.now() - t0) / 1000);
      if (r.status !== 0) throw new Error(`nas search failed: ${r.stderr}`);
      summary = r.stdout.split('\n').find((l) => l.startsWith('500 runs')) ?? '';
      fs.rmSync(out, { recursive: true, force: true });
    }
    console.log(`  ${search.padEnd(20)} ${median(times).toFixed(1)} s  (runs: ${times.map((t) => t.toFixed(1)).join(', ')})  ${summary}`);
  }
}

await loopSpeed();
repeatWallTime();
