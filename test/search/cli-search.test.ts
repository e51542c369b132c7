/**
 * `nas search` as users and the editor run it: the bundled CLI (the README command in a child
 * process, the rest through its `runCli`, test/helpers/cli.ts), its NDJSON events
 * (src/protocol/search-events.ts), its words, its exit codes and its run directories.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoneEvent, SearchEvent, StartEvent, SummaryEvent } from '../../src/protocol/search-events.js';
import { ROOT, nas, nasInProcess, tempFolder } from '../helpers/cli.js';
const tmp = (): string => tempFolder('nas-search-');

function events(stdout: string): SearchEvent[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SearchEvent);
}

describe('nas search', () => {
  it('the README command: from any directory it prints the chosen architecture, its metrics and the front, and records the run there', async () => {
    const cwd = tmp();
    const r = nas(['search', path.join(ROOT, 'examples/nb201_search.nas')], cwd, 300_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^chosen \(trial \d+ of 100\): \|[a-z_0-9~|+]+\|$/m);
    expect(r.stdout).toMatch(/reported: +accuracy 9\d\.\d\d +error/);
    expect(r.stdout).toMatch(/Pareto front \(accuracy vs macs\)/);
    expect(r.stderr).toMatch(/search NB201WarmEvolution: regularized_evolution\(population=64, warmup=3000\) on NB201 \(15,625 architectures\)/);
    const dir = path.join(cwd, 'nas-runs/NB201WarmEvolution-1');
    expect(fs.readFileSync(path.join(dir, 'trials.jsonl'), 'utf8').trim().split('\n')).toHaveLength(100);
    // best.nas: the chosen cell readably, importing the space from the run directory, so it checks and costs there.
    const best = fs.readFileSync(path.join(dir, 'best.nas'), 'utf8');
    expect(best).toMatch(/^import "[./]+[^"]*examples\/nb201"\n\n# search NB201WarmEvolution, seed 0/);
    expect(best).toMatch(/^network NB201_[0-9a-f]{8} = NB201 with \{\n {2}NB201Cell \{\n {4}n1 = \(\w+, n0\)\n/m);
    // The terminal shows the same network under `chosen`, a few lines, before the metrics.
    const block = best.slice(best.indexOf('network NB201_')).trimEnd().split('\n');
    expect(block).toHaveLength(7);
    expect(r.stdout).toContain(`|\n${block.map((l) => `  ${l}`).join('\n')}\n  search saw:`);
    const cost = await nasInProcess(['cost', '--json', path.join(dir, 'best.nas')]);
    expect(cost.code).toBe(0);
    expect((JSON.parse(cost.stdout) as Array<{ params: number }>)[0]!.params).toBeGreaterThan(0);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 1, product: 'nas-studio 0.1.0', search: 'NB201WarmEvolution', seed: 0, budget: { queries: 100 } });
    expect(meta.sourceHash).toMatch(/^[0-9a-f]{64}$/);
    // A second run goes next to the first: nothing is overwritten.
    expect((await nasInProcess(['search', path.join(ROOT, 'examples/nb201_search.nas'), '--quiet'], cwd)).code).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'nas-runs/NB201WarmEvolution-2/trials.jsonl'))).toBe(true);
  });

  it('--json: start, trials, best and done events; done carries the .nas text of the best', async () => {
    const out = tmp();
    const r = await nasInProcess([
      'search',
      'examples/nb201_search.nas',
      '--search',
      'NB201Evolution',
      '--json',
      '--budget',
      '30',
      '--seed',
      '4',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    const ev = events(r.stdout);
    const start = ev[0] as StartEvent;
    expect(start).toMatchObject({ event: 'start', search: 'NB201Evolution', space: 'NB201', size: '15625', budget: { queries: 30 }, seed: 4, resumed: 0 });
    const trials = ev.filter((e) => e.event === 'trial');
    expect(trials.map((t) => (t as { trial: number }).trial)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(ev.some((e) => e.event === 'best')).toBe(true);
    const done = ev[ev.length - 1] as DoneEvent;
    expect(done.event).toBe('done');
    expect(done.best!.arch).toMatch(/^\|.*\|$/);
    expect(done.best!.nas).toMatch(/network NB201_[0-9a-f]{8} = NB201 with \{/);
    expect(done.best!.nas.split('\n').length).toBeLessThan(15);
    expect(done.best!.metrics).toHaveProperty('accuracy');
    expect(done.best!.reported).toHaveProperty('accuracy');
    expect(done.hypervolume).toBeNull();
    expect(done.history).toHaveLength(30);
    expect(done.run).toBe(out);
  });

  it('--flat writes the chosen architecture as the flat network of primitive ops', async () => {
    const out = tmp();
    const r = await nasInProcess(['search', 'examples/nb201_search.nas', '--search', 'NB201Random', '--json', '--budget', '5', '--flat', '--out', out]);
    expect(r.code).toBe(0);
    const done = events(r.stdout).pop() as DoneEvent;
    expect(done.best!.nas).toMatch(/^network NB201_[0-9a-f]{8} \{$/m);
    expect(done.best!.nas).not.toMatch(/ with \{/);
    expect(fs.readFileSync(path.join(out, 'best.nas'), 'utf8')).toBe(done.best!.nas);
  });

  it('two objectives: the front, its hypervolume against the reference point, and its history', async () => {
    const r = await nasInProcess([
      'search',
      'examples/nb201_search.nas',
      '--search',
      'NB201Pareto',
      '--json',
      '--budget',
      '60',
      '--out',
      path.join(tmp(), 'run'),
    ]);
    expect(r.code).toBe(0);
    const ev = events(r.stdout);
    const done = ev[ev.length - 1] as DoneEvent;
    expect(done.reference).toEqual([90, 220119680]);
    expect(done.hypervolume).toBeGreaterThan(0);
    expect(done.history).toHaveLength(60);
    expect(done.history[59]).toBe(done.hypervolume);
    for (let i = 1; i < 60; i++) expect(done.history[i]!).toBeGreaterThanOrEqual(done.history[i - 1]!);
    expect(done.pareto.length).toBeGreaterThan(2);
    expect(ev.some((e) => e.event === 'pareto')).toBe(true);
  });

  it('--repeat R runs seeds S..S+R-1 and ends with a summary line', async () => {
    const out = tmp();
    const r = await nasInProcess(['search', 'examples/nb201_search.nas', '--search', 'NB201Random', '--repeat', '4', '--seed', '10', '--json', '--out', out]);
    expect(r.code).toBe(0);
    const ev = events(r.stdout);
    const dones = ev.filter((e) => e.event === 'done') as DoneEvent[];
    expect(dones.map((d) => d.seed)).toEqual([10, 11, 12, 13]);
    const summary = ev[ev.length - 1] as SummaryEvent;
    expect(summary.event).toBe('summary');
    expect(summary.runs).toBe(4);
    const accs = dones.map((d) => d.best!.reported!['accuracy']!);
    const m = accs.reduce((a, b) => a + b, 0) / 4;
    expect(summary.reported['accuracy']!.mean).toBeCloseTo(m, 9);
    expect(fs.readdirSync(out).sort()).toEqual(['seed-10', 'seed-11', 'seed-12', 'seed-13']);
    const human = await nasInProcess(['search', 'examples/nb201_search.nas', '--search', 'NB201Random', '--repeat', '3', '--out', tmp()]);
    expect(human.stdout).toMatch(/^seed 0: \|.*accuracy 9\d\.\d\d/m);
    expect(human.stdout).toMatch(/^3 runs: accuracy \d+\.\d\d ± \d\.\d\d/m);
  });

  it('a space the benchmark does not cover is an error saying why, not a stack trace', async () => {
    const dir = tmp();
    fs.copyFileSync(path.join(ROOT, 'examples/spos_space.nas'), path.join(dir, 'spos_space.nas'));
    const file = path.join(dir, 's.nas');
    fs.writeFileSync(file, 'import "spos_space"\nsearch S {\n  space SPOS\n  maximize accuracy\n  evaluator benchmark\n}\n');
    const r = await nasInProcess(['search', file, '--out', path.join(dir, 'run')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'nas search: S: the nb201 benchmark needs a NAS-Bench-201 cell space (as examples/nb201.nas): a NAS-Bench-201 space has six choices of five ops (the edges of one shared cell)',
    );
  });

  it('usage errors exit 2 with one line: no search block, bad flags, --resume with flags or without a run', async () => {
    expect(await nasInProcess(['search', 'examples/resnet50.nas'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/has no search block/) });
    expect(await nasInProcess(['search', 'examples/nb201_search.nas', '--search', 'Nope'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no search named Nope .*NB201WarmEvolution/),
    });
    expect((await nasInProcess(['search', 'examples/nb201_search.nas', '--budget', '0'])).code).toBe(2);
    expect((await nasInProcess(['search', '--resume', tmp(), '--seed', '3'])).stderr).toMatch(/--resume continues a run as it was started/);
    expect(await nasInProcess(['search', '--resume', tmp()])).toMatchObject({ code: 2, stderr: expect.stringMatching(/is not a run directory/) });
  });
});
