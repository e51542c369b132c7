/**
 * The extension's search runner (src/extension/search/) without VS Code: it reads an event
 * stream recorded from a real `nas search --json` run, cut at arbitrary byte boundaries; it
 * runs the real bundled CLI in a child process, cancels it (SIGINT, exit 130, result.json says
 * cancelled) and resumes it; it survives the process being killed (the run is interrupted and
 * resumes to the full budget); and its cancel ends a process tree whose members ignore SIGINT.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoneEvent, SearchEvent, StartEvent, TrialEvent } from '../../src/protocol/search-events.js';
import { LineSplitter } from '../../src/extension/search/ndjson.js';
import { RunProgress } from '../../src/extension/search/run-progress.js';
import { SearchProcess, type SearchCommand } from '../../src/extension/search/search-process.js';
import { readRun, summarizeRun } from '../../src/extension/search/run-store.js';
import type { RunManifest } from '../../src/protocol/dashboard.js';
import type { RunMeta } from '../../src/core/search/store.js';

// The editor's view of run.json and the engine's: typecheck fails when they drift apart.
const manifestFromMeta = (m: RunMeta): RunManifest => m;

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'bin/nas.cjs');
const RECORDED = path.join(__dirname, 'fixtures/nb201-pareto-40.ndjson');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nas-runner-'));
}

/** A search slow enough to be caught mid-run: the fake evaluator waits `delay` ms per trial. */
function slowSearch(budget: number, delay: number): string {
  const dir = tmp();
  fs.copyFileSync(path.join(ROOT, 'examples/nb201.nas'), path.join(dir, 'nb201.nas'));
  const file = path.join(dir, 'search.nas');
  fs.writeFileSync(
    file,
    `import "nb201"
search Slow {
  space NB201
  strategy nsga2(population = 6)
  maximize accuracy
  minimize macs
  evaluator fake(delay = ${delay}, fail = 0.1)
  budget ${budget}
  seed 5
}
`,
  );
  return file;
}

function command(args: string[], cwd: string): SearchCommand {
  return { node: process.execPath, cli: CLI, args, cwd };
}

/** Resolves once `predicate` holds for the events seen so far. */
function collect(): { events: SearchEvent[]; when(p: (events: SearchEvent[]) => boolean): Promise<void>; handler(e: SearchEvent): void } {
  const events: SearchEvent[] = [];
  const waiting: { p: (events: SearchEvent[]) => boolean; resolve: () => void }[] = [];
  return {
    events,
    when: (p) => new Promise((resolve) => (p(events) ? resolve() : waiting.push({ p, resolve }))),
    handler: (e) => {
      events.push(e);
      for (const w of [...waiting]) {
        if (w.p(events)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve();
        }
      }
    },
  };
}

const trialCount = (events: SearchEvent[]) => events.filter((e) => e.event === 'trial').length;

describe('the recorded event stream', () => {
  const bytes = fs.readFileSync(RECORDED);
  const lines = bytes.toString('utf8').trim().split('\n');
  const done = JSON.parse(lines[lines.length - 1]!) as DoneEvent;

  it('parses the same events whatever the chunk boundaries, multi-byte characters included', () => {
    const whole = lines.map((l) => JSON.parse(l) as SearchEvent);
    // Chunks of 1, 7, 4096 bytes and random sizes: a UTF-8 sequence (the NB201 strings' "~"
    // are ASCII, the .nas text's "×" is not) can be cut in two.
    for (const size of [1, 7, 4096, 0]) {
      const splitter = new LineSplitter();
      const got: SearchEvent[] = [];
      let seed = 17;
      for (let at = 0; at < bytes.length; ) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const n = size || 1 + (seed % 3000);
        for (const l of splitter.push(bytes.subarray(at, at + n))) got.push(JSON.parse(l) as SearchEvent);
        at += n;
      }
      for (const l of splitter.end()) got.push(JSON.parse(l) as SearchEvent);
      expect(got).toEqual(whole);
    }
  });

  it('the progress model counts what the done event reports', () => {
    const progress = new RunProgress();
    lines.forEach((l, i) => progress.apply(JSON.parse(l) as SearchEvent, i * 10));
    expect(progress.start?.search).toBe('NB201Pareto');
    expect(progress.trials).toHaveLength(done.evaluations);
    expect(progress.trials.map((t) => t.trial)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(progress.failed).toBe(done.failed);
    expect(progress.frontSize).toBe(done.pareto.length);
    expect(progress.hypervolume).toBe(done.hypervolume);
    expect(progress.bestText()).toBe(`best accuracy ${done.best!.metrics['accuracy']!.toFixed(2)} (trial ${done.best!.trial})`);
    expect(progress.describe(400)).toMatch(/^40\/40 trials · best accuracy \d+\.\d\d \(trial \d+\) · front \d+ · about 0 s left$/);
  });

  it('while a supernet trains before the first trial, the notification shows its steps, epoch and accuracy', () => {
    // Recorded from `nas search tiny.nas --json`: a SPOS search (evaluator supernet) on the
    // embedded shapes10 data, 118 training steps before its 6 trials.
    const events = fs
      .readFileSync(path.join(__dirname, 'fixtures/supernet-tiny-6.ndjson'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as SearchEvent);
    const progress = new RunProgress();
    let shownDuringTraining = 0;
    for (const e of events) {
      progress.apply(e, 0);
      if (e.event === 'setup' && e.phase === 'train') {
        const epoch = `epoch ${e.epoch}/${e.epochs}, accuracy ${(100 * e.accuracy!).toFixed(1)} %`;
        expect(progress.describe(0).startsWith(`training the supernet: step ${e.step}/${e.steps} (${epoch})`)).toBe(true);
        if (e.step < e.steps) expect(progress.describe(0)).toMatch(/ · about \d+ s left$/);
        shownDuringTraining++;
      }
    }
    expect(shownDuringTraining).toBeGreaterThan(10);
    // Once trials arrive, the line counts them as for any search.
    const done = events.find((e): e is DoneEvent => e.event === 'done')!;
    expect(progress.setup?.phase).toBe('trained');
    expect(progress.describe(0)).toMatch(new RegExp(`^${done.evaluations}/6 trials · best accuracy`));
  });

  it('estimates the time left from the pace of the live trials', () => {
    const progress = new RunProgress();
    const start = JSON.parse(lines[0]!) as StartEvent;
    progress.apply({ ...start, budget: { queries: 10 } }, 0);
    const trial = JSON.parse(lines.find((l) => l.includes('"event":"trial"'))!) as TrialEvent;
    // Two replayed trials cost nothing; then a trial every 2 s.
    progress.apply({ ...trial, trial: 1, replayed: true, seconds: 0 }, 0);
    progress.apply({ ...trial, trial: 2, replayed: true, seconds: 0 }, 0);
    progress.apply({ ...trial, trial: 3, seconds: 2 }, 2000);
    expect(progress.eta(2000)).toBeUndefined();
    progress.apply({ ...trial, trial: 4, seconds: 2 }, 4000);
    // 6 trials left at 2 s each.
    expect(progress.eta(4000)).toBe(12);
    expect(progress.eta(5000)).toBe(11);
  });
});

describe('the runner with the real CLI', () => {
  it('runs a search to its end: events stream in, the outcome is finished', async () => {
    const cwd = tmp();
    const out = path.join(cwd, 'run');
    const c = collect();
    const p = new SearchProcess(
      command(['search', path.join(ROOT, 'examples/nb201_search.nas'), '--search', 'NB201Evolution', '--budget', '25', '--json', '--out', out], cwd),
      { event: c.handler },
    );
    const outcome = await p.exited;
    expect(outcome).toMatchObject({ status: 'finished', exitCode: 0, run: out, resumable: false });
    expect(trialCount(c.events)).toBe(25);
    expect(outcome.done?.evaluations).toBe(25);
    expect(readRun(out).status).toBe('finished');
    expect(manifestFromMeta(readRun(out).manifest as RunMeta).search).toBe('NB201Evolution');
  });

  it('cancel: SIGINT stops after the trial in flight, exit 130, the run is cancelled and resumes to the full budget', async () => {
    const file = slowSearch(30, 150);
    const out = path.join(path.dirname(file), 'run');
    const c = collect();
    const p = new SearchProcess(command(['search', file, '--json', '--out', out], path.dirname(file)), { event: c.handler });
    await c.when((ev) => trialCount(ev) >= 5);
    const outcome = await p.cancel();
    expect(outcome).toMatchObject({ status: 'cancelled', exitCode: 130, signal: null, resumable: true });
    expect(outcome.done?.stopped).toBe('cancelled');
    const stored = readRun(out);
    expect(stored.status).toBe('cancelled');
    expect(stored.trials.length).toBeGreaterThanOrEqual(5);
    expect(stored.trials.length).toBeLessThan(30);

    const again = collect();
    const resumed = new SearchProcess(command(['search', '--resume', out, '--json'], path.dirname(file)), { event: again.handler });
    const finished = await resumed.exited;
    expect(finished.status).toBe('finished');
    expect((again.events[0] as StartEvent).resumed).toBe(stored.trials.length);
    const final = readRun(out);
    expect(final.trials.map((t) => t.trial)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(summarizeRun(final)).toMatchObject({ status: 'finished', trials: 30, frontSize: final.done!.pareto.length });
  });

  it('survives a killed process: the run is interrupted, resumable, and resumes to the full budget', async () => {
    const file = slowSearch(24, 100);
    const out = path.join(path.dirname(file), 'run');
    const c = collect();
    const p = new SearchProcess(command(['search', file, '--json', '--out', out], path.dirname(file)), { event: c.handler });
    await c.when((ev) => trialCount(ev) >= 6);
    process.kill(p.pid!, 'SIGKILL');
    const outcome = await p.exited;
    expect(outcome).toMatchObject({ status: 'interrupted', exitCode: null, signal: 'SIGKILL', resumable: true, run: out });
    const stored = readRun(out);
    expect(stored.status).toBe('interrupted');
    expect(stored.done).toBeUndefined();
    expect(stored.trials.length).toBeGreaterThanOrEqual(6);

    const resumed = new SearchProcess(command(['search', '--resume', out, '--json'], path.dirname(file)));
    expect((await resumed.exited).status).toBe('finished');
    expect(readRun(out).trials).toHaveLength(24);
  });

  it('a search that cannot run fails with the CLI message, not resumable', async () => {
    const dir = tmp();
    const file = path.join(dir, 'bad.nas');
    fs.copyFileSync(path.join(ROOT, 'examples/nb201.nas'), path.join(dir, 'nb201.nas'));
    // A constraint no architecture meets: the search stops before it starts.
    fs.writeFileSync(
      file,
      'import "nb201"\nsearch Tiny {\n  space NB201\n  strategy random\n  maximize accuracy\n  constraint macs <= 1000\n  evaluator benchmark(dataset = "cifar10")\n  budget 5\n}\n',
    );
    const p = new SearchProcess(command(['search', file, '--json', '--out', path.join(dir, 'run')], dir));
    const outcome = await p.exited;
    expect(outcome.status).toBe('failed');
    expect(outcome.exitCode).toBe(1);
    expect(outcome.message).toMatch(/macs/);
    expect(outcome.resumable).toBe(false);
  });
});

describe('cancel ends the whole process tree', () => {
  it('SIGINT first; what ignores it is killed after the grace period, its children too', async () => {
    const dir = tmp();
    const pidFile = path.join(dir, 'grandchild.pid');
    // A stand-in for a search whose trainer ignores SIGINT: the script and the child it starts both do.
    const script = path.join(dir, 'stubborn.cjs');
    fs.writeFileSync(
      script,
      `const { spawn } = require('node:child_process');
process.on('SIGINT', () => process.stderr.write('parent ignores SIGINT\\n'));
const child = spawn(process.execPath, ['-e', "process.on('SIGINT', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
console.log(JSON.stringify({ event: 'start', run: 'x' }));
setInterval(() => {}, 1000);
`,
    );
    const logs: string[] = [];
    const c = collect();
    const p = new SearchProcess({ node: process.execPath, cli: script, args: [], cwd: dir }, { event: c.handler, log: (l) => logs.push(l) });
    await c.when((ev) => ev.length >= 1);
    const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(alive(grandchild)).toBe(true);
    const outcome = await p.cancel(300);
    expect(logs).toContain('parent ignores SIGINT');
    expect(outcome).toMatchObject({ status: 'cancelled', signal: 'SIGKILL', resumable: true });
    // The grandchild got the group's SIGKILL too (reaped by init: poll by steps, not time).
    let gone = false;
    for (let i = 0; i < 200 && !gone; i++) {
      gone = !alive(grandchild);
      if (!gone) spawnSync('sleep', ['0.01']);
    }
    expect(gone).toBe(true);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
