/**
 * Zero-cost proxies scored by the engine and by PyTorch on the same spec, weights and minibatch
 * (proxies.test.ts, proxies.slow.test.ts); see proxies.test.ts for the references.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { selectBackend } from '../../src/core/train/backend';
import { buildModel, describeModel, type ModelSpec } from '../../src/core/train/model-builder';
import { PROXIES, scoreProxy, type ProxyBatch } from '../../src/core/train/proxies';
import { collectModelTensors, writeSafetensorsFile } from '../../src/core/train/safetensors';
import { elaborate, type Decider } from '../../src/core/semantics/evaluator';
import { build } from '../helpers/nas';
import { makeTempDir } from '../train-data/helpers';

const ROOT = join(__dirname, '..', '..');
export const example = (file: string) => readFileSync(join(ROOT, 'examples', file), 'utf8');
const SEED = 3;

export function cycling(start = 0): Decider {
  let k = start;
  return { decide: (_key, options) => k++ % options };
}

export async function specOf(text: string, name: string, decider?: Decider): Promise<ModelSpec> {
  const b = await build(text);
  expect(b.errors, b.errors.map((e) => e.message).join('\n')).toEqual([]);
  const def = b.def(name);
  return describeModel(elaborate(def, { decider }), def);
}

let tmp: { dir: string; cleanup: () => void } | undefined;

/** Registers a file's set-up: the wasm backend and a temporary folder. */
export function proxiesVsTorchHooks(): void {
  beforeAll(async () => {
    await selectBackend({ force: 'wasm', log: () => undefined });
    tmp = makeTempDir('proxies');
  });
  afterAll(() => tmp?.cleanup());
}

/** Our four scores and PyTorch's, for one spec and a deterministic minibatch. */
export async function scoreBoth(spec: ModelSpec, n: number): Promise<{ ours: Record<string, number>; torch: Record<string, number> }> {
  const dir = join(tmp!.dir, spec.name + n);
  mkdirSync(dir, { recursive: true });
  const [c, h, w] = spec.input;
  const batch: ProxyBatch = {
    x: Float32Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i * 0.731 + 1) * 1.3),
    labels: Int32Array.from({ length: n }, (_, i) => (i * 7 + 1) % 10),
    shape: [n, h, w, c],
  };
  // The weights the engine initialises with this seed, as every proxy builds them.
  const model = buildModel(spec, { seed: SEED });
  try {
    writeSafetensorsFile(join(dir, 'weights.safetensors'), collectModelTensors(model));
  } finally {
    model.dispose();
  }
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  writeSafetensorsFile(
    join(dir, 'batch.safetensors'),
    new Map([
      ['x', { dtype: 'F32', shape: [...batch.shape], data: batch.x }],
      ['y', { dtype: 'I32', shape: [n], data: batch.labels }],
    ]),
  );
  // Asynchronous, and a pause between proxies: vitest's worker must answer its runner meanwhile.
  const py = await promisify(execFile)('/usr/bin/python3', [join(__dirname, 'proxies_torch.py'), dir], { encoding: 'utf8' });
  const torch = JSON.parse(py.stdout) as Record<string, number>;
  const ours: Record<string, number> = {};
  for (const p of PROXIES) {
    ours[p] = scoreProxy(p, spec, { seed: SEED, batch });
    await new Promise((r) => setImmediate(r));
  }
  return { ours, torch };
}

export function expectClose(ours: Record<string, number>, torch: Record<string, number>, rel: number, relGradients = rel): void {
  const bad: string[] = [];
  for (const p of PROXIES) {
    const e = Math.abs(ours[p]! - torch[p]!) / Math.max(Math.abs(torch[p]!), 1e-12);
    if (!(e <= (p === 'grad_norm' || p === 'snip' ? relGradients : rel)))
      bad.push(`${p}: ours ${ours[p]} torch ${torch[p]} (relative error ${e.toExponential(2)})`);
  }
  expect(bad).toEqual([]);
}
