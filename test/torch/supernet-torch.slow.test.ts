/**
 * The `supernet` evaluator on the PyTorch engine, on the CPU with Debian's python3-torch:
 * - a path's weights are views of the store's tensors (checked in the worker's Python), and a
 *   step through a narrow path changes exactly the slice a wide path reads (leading channels,
 *   centred kernel) and nothing else of the tensor;
 * - the cache is engine-neutral: a supernet trained by either engine and loaded by the other
 *   scores every subnet of a small space as the training engine scores it (the same weights,
 *   calibration batches and validation images: equal up to float rounding), and both engines
 *   draw the same paths (the same number of distinct paths in the saved metadata);
 * - setup progress: the training steps in order; a cancel stops within an epoch and saves nothing;
 * - faults: a worker that dies while training fails the setup with the exit; one that dies or
 *   hangs past `seconds` while scoring fails that trial, and the next trial reloads the saved
 *   supernet on a fresh worker;
 * - `nas search examples/fashion_search.nas --search FashionSPOS --engine torch` completes, every
 *   candidate under the MACs bound.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runProcess } from '../helpers/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingEvaluators } from '../../src/core/search/evaluators/training.js';
import { torchSupernetPath, type TorchSupernetEvaluator } from '../../src/core/search/evaluators/supernet-torch.js';
import type { SupernetEvaluator } from '../../src/core/search/evaluators/supernet.js';
import { openEvaluatorData, spaceShape } from '../../src/core/search/evaluators/training-data.js';
import { prepareSearch } from '../../src/core/search/prepare.js';
import { LazyCandidate } from '../../src/core/search/runner.js';
import { runSearch } from '../../src/core/search/runner.js';
import type { ArchitectureSpace } from '../../src/core/search/architecture-space.js';
import type { Arch } from '../../src/core/search/types.js';
import { TorchWorker, torchSlots, workerScriptPath, writeDataPack } from '../../src/core/torch/index.js';
import { countBatches } from '../../src/core/train/data/pipeline.js';
import { selectBackend } from '../../src/core/train/backend.js';
import { readSafetensorsFile } from '../../src/core/train/safetensors.js';
import { kendallTau } from '../../src/core/util/rank-correlation.js';
import type { SearchEvent, TrialRecord } from '../../src/protocol/search-events.js';
import { build } from '../helpers/nas.js';
import { searchSpec } from '../search/helpers.js';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/nas.cjs');
const PYTHON = '/usr/bin/python3';
const TORCH = { python: PYTHON, slots: torchSlots([], 1), description: 'torch (test)' };

/** 16 subnets: width and kernel choices share slices of one tensor per layer. */
const SPACE = `space S {
  input(3, 16, 16)
  conv(choice(4, 8), k=choice(1, 3)) -> bn -> relu
  conv(choice(8, 16), k=choice(3, 5), stride=2) -> bn -> relu
  gap -> fc(10)
}
`;

let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-supernet-torch-'));
  await selectBackend({ force: 'wasm', log: () => {} });
  registerTrainingEvaluators();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function spec(cache: string, extra = '') {
  const b = await build(
    `${SPACE}search X {\n  space S\n  strategy random\n  maximize accuracy\n  evaluator supernet(data = "shapes10", images = 2000${/epochs =/.test(extra) ? '' : ', epochs = 6'}, batch = 32, lr = 0.1, calibration = 4${extra}, cache = ${JSON.stringify(cache)})\n  budget 4\n}\n`,
  );
  expect(b.errors).toEqual([]);
  return searchSpec(b, 'X');
}

const allArchs = (s: ArchitectureSpace): Arch[] =>
  Array.from({ length: 16 }, (_, i) => s.fromGenes(Int32Array.from([i & 1, (i >> 1) & 1, (i >> 2) & 1, (i >> 3) & 1])));
const candidate = (s: ArchitectureSpace, a: Arch) => new LazyCandidate(s, a, a.encoding, s.costs(a));

/** Scores of every subnet by the evaluator of `cache` on `engine`, and what its setup did. */
async function scores(cache: string, engine: 'tfjs' | 'torch', extra = '') {
  const prepared = prepareSearch(await spec(cache, extra), engine === 'torch' ? { torch: TORCH } : {});
  const ev = prepared.evaluator as SupernetEvaluator | TorchSupernetEvaluator;
  const signal = new AbortController().signal;
  try {
    await ev.prepare!(signal);
    const out: { accuracy: number; loss: number }[] = [];
    for (const a of allArchs(prepared.space)) {
      const m = (await ev.evaluate(candidate(prepared.space, a), { signal })).metrics;
      out.push({ accuracy: m['accuracy']!, loss: m['loss']! });
    }
    return { out, outcome: ev.outcome! };
  } finally {
    await ev.close?.();
  }
}

const cacheFile = (folder: string) => {
  const files = fs.readdirSync(folder).filter((f) => f.endsWith('.safetensors'));
  expect(files).toHaveLength(1);
  return path.join(folder, files[0]!);
};

describe('the torch supernet shares one store across paths', () => {
  it("a path's weights are views of the store; a narrow path's step changes only the slice the wide path reads", async () => {
    const b = await build(`space W {\n  input(3, 8, 8)\n  conv(choice(4, 8), k=choice(3, 1)) -> bn -> relu\n  gap -> fc(10)\n}\n`);
    expect(b.errors).toEqual([]);
    const { ArchitectureSpace } = await import('../../src/core/search/architecture-space.js');
    const s = new ArchitectureSpace(b.def('W'));
    const data = openEvaluatorData({ data: 'shapes10', seed: 0, valFraction: 0.1, images: 120, withTest: false }, 'W', spaceShape(s));
    const batch = 12;
    const wide = torchSupernetPath(s, candidate(s, s.fromGenes(Int32Array.from([1, 0]))), data, batch, true); // 8 channels, 3x3
    const narrow = torchSupernetPath(s, candidate(s, s.fromGenes(Int32Array.from([0, 1]))), data, batch, true); // 4 channels, 1x1
    expect(wide.keys['conv.weight']).toBe(narrow.keys['conv.weight']);

    // In the worker's Python: the tensors a path runs on are views of the store's memory.
    const paths = path.join(dir, 'paths.json');
    fs.writeFileSync(paths, JSON.stringify([wide, narrow]));
    const probe = spawnSync(
      PYTHON,
      [
        '-c',
        `import json, sys
sys.path.insert(0, ${JSON.stringify(path.dirname(workerScriptPath()))})
import nas_torch_worker as w
sn = w.supernet
mem = lambda t: (t.untyped_storage() if hasattr(t, "untyped_storage") else t.storage()).data_ptr()
store = sn.Store({"share": "slices", "seed": 0}, w.torch.device("cpu"), None)
for p in json.load(open(${JSON.stringify(paths)})):
    store.paths[p["id"]] = p
    m, own = store.module(p["id"])
    store.ensure(p["id"], m)
    views = store.views(p["id"], m, own, True)
    for name, v in views.items():
        if name in own:
            continue
        full = store.tensors[p["keys"][name]]
        assert v._base is full and mem(v) == mem(full), name
        assert v.is_leaf and v.requires_grad, name
    print(p["id"], sorted(n for n in views if n not in own))
`,
      ],
      { encoding: 'utf8' },
    );
    expect(probe.status, probe.stderr).toBe(0);
    expect(probe.stdout).toMatch(/conv\.weight/);

    const pack = writeDataPack(path.join(dir, 'w-data.safetensors'), data);
    const perEpoch = countBatches(data.train.length, batch, data.train.length > batch);
    const worker = new TorchWorker(PYTHON);
    try {
      const open = await worker.job({ type: 'supernet_open', supernet: 'w', data: pack, options: { share: 'slices', seed: 0, device: 'cpu' } });
      expect(open.type).toBe('done');
      const sgd = { batch, lr: 0.1, momentum: 0.9, weight_decay: 5e-4, seed: 0, total_steps: 2 * perEpoch };
      const score = async (): Promise<number> => {
        const e = await worker.job({ type: 'supernet_score', supernet: 'w', path: wide, options: { calibration: 2, batch, seed: 0 } });
        expect(e.type, JSON.stringify(e)).toBe('done');
        return e.type === 'done' ? e.score!.loss : NaN;
      };
      const save = async (file: string) => {
        expect((await worker.job({ type: 'supernet_save', supernet: 'w', file, metadata: {} })).type).toBe('done');
        return readSafetensorsFile(file).tensors;
      };
      const e1 = await worker.job({
        type: 'supernet_train',
        supernet: 'w',
        paths: [wide],
        steps: Array(perEpoch).fill(wide.id),
        options: { ...sgd, epoch: 1, first_step: 0 },
      });
      expect(e1.type, JSON.stringify(e1)).toBe('done');
      const before = await save(path.join(dir, 'w1.safetensors'));
      const wideLoss1 = await score();
      const e2 = await worker.job({
        type: 'supernet_train',
        supernet: 'w',
        paths: [narrow],
        steps: Array(perEpoch).fill(narrow.id),
        options: { ...sgd, epoch: 2, first_step: perEpoch },
      });
      expect(e2.type, JSON.stringify(e2)).toBe('done');
      const after = await save(path.join(dir, 'w2.safetensors'));
      expect(await score()).not.toBe(wideLoss1);

      // conv.weight in the engine's layout [kh, kw, in, out]: the 1x1 centre of the first 4 outputs moved, nothing else.
      const key = wide.keys['conv.weight']!;
      const a = before.get(key)!;
      const z = after.get(key)!;
      expect(a.shape).toEqual([3, 3, 3, 8]);
      for (let i = 0; i < a.data.length; i++) {
        const out = i % 8;
        const kw = Math.floor(i / 24) % 3;
        const kh = Math.floor(i / 72);
        const inSlice = out < 4 && kh === 1 && kw === 1;
        if (inSlice) expect(z.data[i], `element ${i}`).not.toBe(a.data[i]);
        else expect(z.data[i], `element ${i}`).toBe(a.data[i]);
      }
      // fc.weight [in, out]: the rows of the first 4 channels moved, the other 4 did not.
      const fa = before.get(wide.keys['fc.weight']!)!;
      const fz = after.get(wide.keys['fc.weight']!)!;
      expect(fa.shape).toEqual([8, 10]);
      for (let i = 0; i < fa.data.length; i++) {
        if (Math.floor(i / 10) < 4) expect(fz.data[i]).not.toBe(fa.data[i]);
        else expect(fz.data[i]).toBe(fa.data[i]);
      }
    } finally {
      await worker.close();
    }
  });
});

describe('either engine loads the other engine’s supernet', () => {
  it('scores every subnet as the engine that trained it does (tfjs -> torch and torch -> tfjs)', { timeout: 600_000 }, async () => {
    const trainedBy = new Map<string, { accuracy: number; loss: number }[]>();
    for (const [trainer, loader] of [
      ['tfjs', 'torch'],
      ['torch', 'tfjs'],
    ] as const) {
      const cache = path.join(dir, `cache-${trainer}`);
      const trained = await scores(cache, trainer);
      expect(trained.outcome.how).toBe('trained');
      const loaded = await scores(cache, loader);
      expect(loaded.outcome.how).toBe('loaded');
      expectSameScores(loaded.out, trained.out, `${trainer} -> ${loader}`);
      // Trained well above chance (10 classes), so the comparison is of weights that mean something.
      expect(Math.max(...trained.out.map((x) => x.accuracy))).toBeGreaterThan(30);
      expect(readSafetensorsFile(cacheFile(cache)).metadata['engine'] ?? 'tfjs').toBe(trainer);
      trainedBy.set(trainer, trained.out);
    }
    // The same path sequence: both engines trained the same number of distinct paths, the same steps.
    const meta = (e: string) => readSafetensorsFile(cacheFile(path.join(dir, `cache-${e}`))).metadata;
    expect(meta('torch')['paths']).toBe(meta('tfjs')['paths']);
    expect(meta('torch')['steps']).toBe(meta('tfjs')['steps']);
    // Supernets trained apart (different initial draws, same recipe, data and paths) rank the subnets alike.
    const loss = (e: string) => trainedBy.get(e)!.map((x) => x.loss);
    expect(kendallTau(loss('tfjs'), loss('torch'))).toBeGreaterThan(0.3);
  });

  it('with share = "shapes" too (a tensor per shape, running statistics shared): torch trains, tfjs loads', { timeout: 600_000 }, async () => {
    const cache = path.join(dir, 'cache-shapes');
    const trained = await scores(cache, 'torch', ', share = "shapes"');
    expect(trained.outcome.how).toBe('trained');
    const loaded = await scores(cache, 'tfjs', ', share = "shapes"');
    expect(loaded.outcome.how).toBe('loaded');
    expectSameScores(loaded.out, trained.out, 'shapes: torch -> tfjs');
    // The store holds running statistics by key: the tfjs engine's names and int32 counts.
    const tensors = readSafetensorsFile(cacheFile(cache)).tensors;
    const counts = [...tensors].filter(([k]) => k.split('|')[0]!.endsWith('.num_batches_tracked'));
    expect(counts.length).toBeGreaterThan(0);
    for (const [, t] of counts) expect(t.dtype).toBe('I32');
  });
});

/** The same weights, calibration batches and 220 validation images: only float rounding differs. */
function expectSameScores(a: { accuracy: number; loss: number }[], b: { accuracy: number; loss: number }[], what: string): void {
  for (let i = 0; i < 16; i++) {
    expect(Math.abs(a[i]!.loss - b[i]!.loss), `${what}, subnet ${i}`).toBeLessThan(1e-4);
    expect(Math.abs(a[i]!.accuracy - b[i]!.accuracy), `${what}, subnet ${i}`).toBeLessThanOrEqual(100 / 220 + 1e-9);
  }
}

describe('setup progress and cancel', () => {
  it('reports training steps as setup progress; a cancel stops between batches and saves nothing', { timeout: 300_000 }, async () => {
    const cache = path.join(dir, 'cache-cancel');
    const prepared = prepareSearch(await spec(cache, ', epochs = 40'), { torch: TORCH });
    const ctrl = new AbortController();
    const steps: number[] = [];
    const planned = new Set<string>();
    const ev = prepared.evaluator as TorchSupernetEvaluator;
    try {
      await ev.prepare!(ctrl.signal, (p) => {
        if (p.phase !== 'train') return;
        steps.push(p.step);
        planned.add(`${p.steps}/${p.epochs}`);
        if (p.epoch! >= 2) ctrl.abort();
      });
      expect(ev.outcome).toBeUndefined();
      await expect(ev.evaluate(candidate(prepared.space, prepared.space.fromGenes(new Int32Array(4))), { signal: ctrl.signal })).rejects.toThrow(/cancelled/);
    } finally {
      await ev.close?.();
    }
    expect(planned.size).toBe(1);
    const [total, epochs] = [...planned][0]!.split('/').map(Number);
    expect(epochs).toBe(40);
    const perEpoch = total! / 40;
    expect(steps.length).toBeGreaterThan(1);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    // Stopped within the epoch it was cancelled in (the next batch), far from the steps planned.
    expect(steps.at(-1)!).toBeLessThan(3 * perEpoch);
    expect(fs.existsSync(cache) ? fs.readdirSync(cache) : []).toEqual([]);
  });
});

describe('faults under the torch supernet', () => {
  /** The worker with faults by supernet job kind: train `dieTraining`; the scorings numbered in `scoreFaults` die (d) or hang (h). */
  function faultyWorker(name: string, dieTraining: boolean, scoreFaults: Record<number, 'd' | 'h'>): string {
    const counter = path.join(dir, `${name}-scores`);
    const script = path.join(dir, `${name}.py`);
    fs.writeFileSync(
      script,
      `import importlib.util, os, signal, sys, time
sys.path.insert(0, ${JSON.stringify(path.dirname(workerScriptPath()))})
spec = importlib.util.spec_from_file_location("nas_torch_worker", ${JSON.stringify(workerScriptPath())})
w = importlib.util.module_from_spec(spec)
spec.loader.exec_module(w)
sn = w.supernet
real = sn.handle
faults = ${JSON.stringify(scoreFaults)}
def handle(req, cancelled):
    if req["type"] == "supernet_train" and ${dieTraining ? 'True' : 'False'}:
        os._exit(9)
    if req["type"] == "supernet_score":
        with open(${JSON.stringify(counter)}, "a+") as f:
            f.write("x")
            f.seek(0)
            n = len(f.read())
        if faults.get(str(n)) == "d":
            os._exit(9)
        if faults.get(str(n)) == "h":
            time.sleep(600)
    return real(req, cancelled)
sn.handle = handle
signal.signal(signal.SIGINT, signal.SIG_IGN)
w.Worker().run()
`,
    );
    return script;
  }

  it('a worker that dies while training fails the setup, naming the exit', async () => {
    const prepared = prepareSearch(await spec(path.join(dir, 'cache-dies')), { torch: { ...TORCH, script: faultyWorker('dies', true, {}) } });
    try {
      await expect(prepared.evaluator.prepare!(new AbortController().signal)).rejects.toThrow(
        /the supernet's training failed on the PyTorch worker: the PyTorch worker exited \(status 9\)/,
      );
    } finally {
      await prepared.evaluator.close?.();
    }
  });

  it(
    'a worker that dies or hangs past `seconds` while scoring fails that trial; the next reloads the supernet on a fresh worker',
    { timeout: 300_000 },
    async () => {
      const s = await spec(path.join(dir, 'cache-faults'), ', seconds = 20');
      const prepared = prepareSearch(s, { torch: { ...TORCH, script: faultyWorker('faults', false, { 2: 'd', 4: 'h' }) } });
      const trials: TrialRecord[] = [];
      try {
        const done = await runSearch({
          prepared,
          seed: 3,
          budget: { queries: 5 },
          progress: true,
          onEvent: (e) => void (e.event === 'trial' && trials.push(e)),
        });
        expect(done.evaluations).toBe(5);
      } finally {
        await prepared.evaluator.close?.();
      }
      expect(trials.map((t) => t.status).slice(0, 5)).toEqual(['ok', 'error', 'ok', 'error', 'ok']);
      for (const t of trials.slice(4)) expect(t.status).toBe('ok');
      expect(trials[1]!.error).toMatch(/PyTorch worker: the PyTorch worker exited \(status 9\)/);
      expect(trials[3]!.error).toMatch(/scoring ran over its time limit of 20 s; the PyTorch worker was stopped/);
    },
  );
});

describe('nas search examples/fashion_search.nas --search FashionSPOS --engine torch', () => {
  it('trains the supernet on PyTorch and scores every candidate under the MACs bound', { timeout: 900_000 }, async () => {
    const out = path.join(dir, 'fashion-run');
    const r = await runProcess(
      process.execPath,
      [
        BIN,
        'search',
        'examples/fashion_search.nas',
        '--search',
        'FashionSPOS',
        '--engine',
        'torch',
        '--gpus',
        'cpu',
        '--python',
        PYTHON,
        '--budget',
        '30',
        '--out',
        out,
        '--json',
      ],
      { cwd: ROOT, env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'xdg') } },
    );
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SearchEvent);
    expect(events[0]).toMatchObject({ event: 'start', evaluator: { name: 'supernet', settings: { engine: 'torch' } } });
    const setup = events.filter((e) => e.event === 'setup');
    expect(setup.at(-1)).toMatchObject({ phase: 'trained', step: 1686, steps: 1686 });
    const trials = events.filter((e): e is SearchEvent & TrialRecord => e.event === 'trial');
    expect(trials).toHaveLength(30);
    for (const t of trials) {
      expect(t.status, t.error).toBe('ok');
      expect(t.metrics['macs']).toBeLessThanOrEqual(1016384);
      // Ten classes: a trained supernet's subnets are well above chance.
      expect(t.metrics['accuracy']).toBeGreaterThan(50);
    }
  });
});
