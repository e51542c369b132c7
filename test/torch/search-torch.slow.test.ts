/**
 * The search's `train` evaluator on the PyTorch engine, on the CPU with Debian's python3-torch
 * (/usr/bin/python3):
 * - `nas search --engine torch` end to end on the embedded shapes10: two workers at once, the
 *   same trials (architectures, failures, metric names) as the same search on the tfjs engine,
 *   the engine recorded in run.json; on Fashion-MNIST, the same architectures reach comparable
 *   validation and test accuracies on both engines; `--engine torch` with a Python without
 *   torch is exit 2 before any trial, naming what to install;
 * - faults fail their trial only: a worker that dies, one that hangs past `seconds`, a Python
 *   exception; the next trial trains on a fresh worker; a job silent past the stall limit fails;
 * - a cancel stops the workers (their processes are gone after the search returns).
 * The faults come from a wrapper of the worker script that counts the jobs of all its processes.
 */
import { runProcess } from '../helpers/cli.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingEvaluators } from '../../src/core/search/evaluators/training.js';
import { prepareSearch } from '../../src/core/search/prepare.js';
import { runSearch } from '../../src/core/search/runner.js';
import { TorchWorker, torchSlots, workerScriptPath } from '../../src/core/torch/index.js';
import type { SearchEvent, TrialRecord } from '../../src/protocol/search-events.js';
import { build } from '../helpers/nas.js';
import { searchSpec } from '../search/helpers.js';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/nas.cjs');
const PYTHON = '/usr/bin/python3';

/** 16 architectures; the fc(5) half cannot fit shapes10's 10 classes and fails before training. */
const TINY = `space Tiny {
  input(3, 16, 16)
  conv(choice(4, 8), k=choice(1, 3)) -> bn -> relu
  conv(choice(4, 8), k=3, stride=2) -> bn -> relu
  gap -> fc(choice(10, 5))
}
`;

const nas = (args: string[], env: NodeJS.ProcessEnv = {}) => runProcess(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });

const events = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SearchEvent);
const trialsOf = (es: SearchEvent[]) => es.filter((e): e is SearchEvent & TrialRecord => e.event === 'trial');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-search-torch-'));
  registerTrainingEvaluators();
});

describe('nas search --engine torch', () => {
  it('trains on PyTorch workers two at a time, with the trials and metric names of the tfjs engine', async () => {
    const file = path.join(dir, 'tiny.nas');
    fs.writeFileSync(
      file,
      `${TINY}search S {\n  space Tiny\n  strategy random\n  maximize accuracy\n  evaluator train(data = "shapes10", images = 400, epochs = 2, batch = 32, slots = 2)\n  budget 3\n}\n`,
    );
    const torch = await nas(['search', file, '--engine', 'torch', '--gpus', 'cpu', '--python', PYTHON, '--out', path.join(dir, 'torch'), '--json']);
    expect(torch.code).toBe(0);
    const te = events(torch.stdout);
    expect(te[0]).toMatchObject({ event: 'start', evaluator: { settings: { engine: 'torch' } } });
    expect((te[0] as { notes: string[] }).notes.join(' ')).toMatch(/engine: torch \d+\.\d+.* on the CPU, 2 trial\(s\) at once/);
    const run = JSON.parse(fs.readFileSync(path.join(dir, 'torch', 'run.json'), 'utf8')) as { evaluator: { settings: { engine: string } } };
    expect(run.evaluator.settings.engine).toBe('torch');

    const tfjs = await nas(['search', file, '--engine', 'tfjs', '--out', path.join(dir, 'tfjs'), '--json']);
    expect(tfjs.code).toBe(0);
    const [tt, ft] = [trialsOf(te), trialsOf(events(tfjs.stdout))];
    expect(tt.map((t) => [t.trial, t.encoding, t.status])).toEqual(ft.map((t) => [t.trial, t.encoding, t.status]));
    expect(tt.some((t) => t.status === 'ok')).toBe(true);
    for (let i = 0; i < tt.length; i++) {
      expect(Object.keys(tt[i]!.metrics).sort()).toEqual(Object.keys(ft[i]!.metrics).sort());
      expect(Object.keys(tt[i]!.reported ?? {}).sort()).toEqual(Object.keys(ft[i]!.reported ?? {}).sort());
      if (tt[i]!.status === 'ok') {
        expect(tt[i]!.metrics['accuracy']).toBeGreaterThan(0);
        // The validation curve, one point per epoch, the last the trial's accuracy.
        expect(tt[i]!.epochs!.map((e) => e.epoch)).toEqual(ft[i]!.epochs!.map((e) => e.epoch));
        expect(tt[i]!.epochs!.at(-1)!.accuracy).toBe(tt[i]!.metrics['accuracy']);
      } else expect(tt[i]!.error).toBe(ft[i]!.error);
    }
  });

  it('the same search on Fashion-MNIST reaches comparable accuracies on both engines, architecture by architecture', async () => {
    // Xiao, Rasul & Vollgraf 2017, from the Debian package dataset-fashion-mnist; 4,000 training images, 3 epochs.
    const file = path.join(dir, 'fmnist.nas');
    fs.writeFileSync(
      file,
      `space Small {\n  input(1, 28, 28)\n  conv(choice(8, 16), k=3, stride=2) -> bn -> relu\n  conv(32, k=3, stride=2) -> bn -> relu\n  gap -> fc(10)\n}\n` +
        `search F {\n  space Small\n  strategy grid\n  maximize accuracy\n` +
        `  evaluator train(data = "fashion-mnist", images = 4000, epochs = 3, batch = 32, lr = 0.05, test = true)\n  budget 2\n}\n`,
    );
    const runs = await Promise.all(
      (['torch', 'tfjs'] as const).map((engine) =>
        nas(['search', file, '--engine', engine, '--gpus', 'cpu', '--python', PYTHON, '--out', path.join(dir, `fmnist-${engine}`), '--json']),
      ),
    );
    for (const r of runs) expect(r.code).toBe(0);
    const [torch, tfjs] = runs.map((r) => trialsOf(events(r.stdout)));
    expect(torch!.map((t) => t.encoding)).toEqual(tfjs!.map((t) => t.encoding));
    expect(torch!.length).toBe(2);
    for (let i = 0; i < 2; i++) {
      const [a, b] = [torch![i]!, tfjs![i]!];
      for (const t of [a, b]) {
        expect(t.metrics['accuracy']).toBeGreaterThan(60);
        expect(t.reported!['accuracy']).toBeGreaterThan(60);
      }
      // Initial weights are drawn from the same distributions, not the same draws: comparable, not equal.
      expect(Math.abs(a.metrics['accuracy']! - b.metrics['accuracy']!)).toBeLessThan(6);
      expect(Math.abs(a.reported!['accuracy']! - b.reported!['accuracy']!)).toBeLessThan(6);
    }
  });

  it('engine torch with a Python without torch: exit 2 before any trial, naming what to install', async () => {
    const bare = path.join(dir, 'python-without-torch');
    fs.writeFileSync(bare, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
    fs.chmodSync(bare, 0o755);
    const file = path.join(dir, 'tiny2.nas');
    fs.writeFileSync(file, `${TINY}search S {\n  space Tiny\n  maximize accuracy\n  evaluator train(data = "shapes10", engine = "torch")\n  budget 2\n}\n`);
    const out = path.join(dir, 'refused');
    const r = await nas(['search', file, '--out', out], { NAS_PYTHON: bare });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/engine torch: .*has no torch.*pip install torch.*apt-get install python3-torch/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('faults under the torch engine', () => {
  /** The worker, with faults by job number across its processes: 2 dies, 3 hangs, 4 raises. */
  function faultyWorker(pids: string): string {
    const counter = path.join(dir, 'jobs');
    const script = path.join(dir, 'faulty_worker.py');
    fs.writeFileSync(
      script,
      `import importlib.util, os, signal, sys, time
spec = importlib.util.spec_from_file_location("nas_torch_worker", ${JSON.stringify(workerScriptPath())})
w = importlib.util.module_from_spec(spec)
spec.loader.exec_module(w)
real = w.run_train
with open(${JSON.stringify(pids)}, "a") as f:
    f.write("%d\\n" % os.getpid())
def run_train(job, cancelled):
    with open(${JSON.stringify(counter)}, "a+") as f:
        f.write("x")
        f.seek(0)
        n = len(f.read())
    if n == 2:
        os._exit(9)
    if n == 3:
        time.sleep(600)
    if n == 4:
        raise RuntimeError("an injected fault")
    return real(job, cancelled)
w.run_train = run_train
signal.signal(signal.SIGINT, signal.SIG_IGN)
w.Worker().run()
`,
    );
    return script;
  }

  async function tinySearch(budget: number, seconds: number) {
    const b = await build(
      `${TINY}search S {\n  space Tiny\n  strategy random\n  maximize accuracy\n  evaluator train(data = "shapes10", images = 100, epochs = 1, batch = 20, test = false, seconds = ${seconds})\n  budget ${budget}\n}\n`,
    );
    expect(b.errors).toEqual([]);
    return searchSpec(b, 'S');
  }

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('a worker that dies, one that hangs past `seconds` and a Python exception each fail their own trial; the search goes on', async () => {
    const pids = path.join(dir, 'pids-faults');
    const spec = await tinySearch(8, 20);
    const prepared = prepareSearch(spec, {
      torch: { python: PYTHON, slots: torchSlots([], 1), script: faultyWorker(pids), description: 'torch (test)' },
    });
    const trials: TrialRecord[] = [];
    try {
      const done = await runSearch({
        prepared,
        seed: 5,
        budget: spec.budget,
        progress: true,
        onEvent: (e) => {
          if (e.event === 'trial') trials.push(e);
        },
      });
      expect(done.evaluations).toBe(8);
    } finally {
      await prepared.evaluator.close?.();
    }
    // Trials that reach a worker are jobs 1, 2, 3, ...; the fc(5) architectures fail before.
    const jobs = trials.filter((t) => !/has 5 outputs/.test(t.error ?? ''));
    expect(jobs.length).toBeGreaterThanOrEqual(5);
    expect(jobs[0]!.status).toBe('ok');
    expect(jobs[1]!.error).toMatch(/PyTorch worker on cpu: the PyTorch worker exited \(status 9\)/);
    expect(jobs[2]!.error).toMatch(/ran over its time limit of 20 s on cpu; its worker was stopped/);
    expect(jobs[3]!.error).toMatch(/RuntimeError: an injected fault/);
    for (const t of jobs.slice(4)) expect(t.status).toBe('ok');
    // A fresh worker after the death and after the hang; the exception left its worker alive.
    const started = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started.length).toBe(3);
    expect(started.filter(alive)).toEqual([]);
  });

  it('a job that sends nothing for the stall limit fails and its worker is stopped, with no time limit set', async () => {
    fs.writeFileSync(path.join(dir, 'jobs'), 'xx'); // the next job is the third: it hangs
    const w = new TorchWorker(PYTHON, () => undefined, faultyWorker(path.join(dir, 'pids-stall')));
    const end = await w.train(
      {
        model: { code: '', name: 'hangs' },
        data: { path: 'none', mean: [0], std: [1] },
        options: { epochs: 1, batch: 1, lr: 0.1, momentum: 0.9, weight_decay: 0, label_smoothing: 0, warmup_epochs: 0, seed: 0, device: 'cpu' },
      },
      { stallMs: 5_000 },
    );
    expect(end).toMatchObject({ type: 'error', message: 'the worker sent nothing for 5 s (a hung call?); it was stopped' });
    expect(w.alive).toBe(false);
    await w.close();
  });

  it('a cancel stops the search and its workers', async () => {
    fs.rmSync(path.join(dir, 'jobs'), { force: true });
    fs.writeFileSync(path.join(dir, 'jobs'), 'xxxx'); // past the faults
    const pids = path.join(dir, 'pids-cancel');
    const spec = await tinySearch(6, 0);
    const prepared = prepareSearch(spec, {
      torch: { python: PYTHON, slots: torchSlots([], 2), script: faultyWorker(pids), description: 'torch (test)' },
    });
    const ctrl = new AbortController();
    let done;
    try {
      done = await runSearch({
        prepared,
        seed: 5,
        budget: spec.budget,
        progress: true,
        signal: ctrl.signal,
        onEvent: (e) => {
          if (e.event === 'trial' && e.status === 'ok') ctrl.abort();
        },
      });
    } finally {
      await prepared.evaluator.close?.();
    }
    expect(done.stopped).toBe('cancelled');
    expect(done.evaluations).toBeLessThan(6);
    const started = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started.length).toBeGreaterThan(0);
    expect(started.filter(alive)).toEqual([]);
  });
});
