/**
 * The model builder against the cost model: over the whole reference library (every network of
 * examples/*.nas) and the first 20 sampled architectures of each example space (200 in the slow
 * tier, model-builder-params.slow.test.ts), the builder's parameter
 * count (from the parameters its spec declares, each a variable the built model allocates)
 * equals the cost model's; every tensor name is unique; networks small enough to allocate
 * quickly are built, and the model's own count, the spec's and the cost model's agree, and
 * disposing the model frees every tensor it made.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/core/train/backend';
import { elaborate } from '../../src/core/semantics/evaluator';
import { SpaceSampler } from '../../src/core/semantics/space';
import { Rng } from '../../src/core/util/random';
import { buildModel, describeModel, specParamCount } from '../../src/core/train/model-builder';
import type { Definition } from '../../src/core/language/syntax/generated/ast';
import { exampleDefinitions, expectNamesSound, expectSampledParamsEqual } from './sampled-params';

const defs: Definition[] = [];

beforeAll(async () => {
  await selectBackend({ force: 'cpu', log: () => undefined });
  defs.push(...(await exampleDefinitions()));
});

describe('model builder parameter counts equal the cost model', () => {
  it('on every network of the reference library', () => {
    const networks = defs.filter((d) => d.kind === 'network');
    expect(networks.map((d) => d.name).sort()).toEqual(['ACNetResNet18', 'DARTS_V2', 'EfficientNetB0', 'MobileNetV2', 'RegNetX200MF', 'RepVGGA0', 'ResNet50']);
    for (const def of networks) {
      const r = elaborate(def);
      const spec = describeModel(r, def);
      expect(specParamCount(spec), def.name).toBe(r.graph.totals().params);
      expectNamesSound(spec);
    }
  });

  it('on the first 20 sampled architectures of every example space (200 in model-builder-params.slow.test.ts)', () => {
    expectSampledParamsEqual(defs, 20);
  });

  it('built models allocate exactly those parameters, and dispose frees every tensor', () => {
    const before = tf.memory().numTensors;
    const built: string[] = [];
    for (const def of defs) {
      const r = def.kind === 'space' ? new SpaceSampler(def).sample(new Rng(3)).result : elaborate(def);
      const params = r.graph.totals().params;
      if (params > 6_000_000) continue;
      const model = buildModel(describeModel(r, def), { seed: 1 });
      expect(model.paramCount(), def.name).toBe(params);
      model.dispose();
      built.push(def.name);
    }
    expect(built.length).toBeGreaterThanOrEqual(6);
    expect(tf.memory().numTensors).toBe(before);
  });
});
