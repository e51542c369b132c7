/**
 * The model builder against the cost model: over the whole reference library (every network of
 * examples/*.nas) and 200 sampled architectures of each example space, the builder's parameter
 * count (from the parameters its spec declares, each a variable the built model allocates)
 * equals the cost model's; every tensor name is unique; networks small enough to allocate
 * quickly are built, and the model's own count, the spec's and the cost model's agree, and
 * disposing the model frees every tensor it made.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { NasWorkspace } from '../../src/core/workspace';
import { selectBackend } from '../../src/core/train/backend';
import { elaborate } from '../../src/core/semantics/evaluator';
import { SpaceSampler } from '../../src/core/semantics/space';
import { Rng } from '../../src/core/util/random';
import { buildModel, describeModel, specParamCount, type ModelSpec } from '../../src/core/train/model-builder';
import type { Definition, Document } from '../../src/core/language/syntax/generated/ast';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const defs: Definition[] = [];

beforeAll(async () => {
  await selectBackend({ force: 'cpu', log: () => undefined });
  const ws = new NasWorkspace();
  for (const f of readdirSync(EXAMPLES).filter((f) => f.endsWith('.nas'))) {
    const doc = await ws.addFile(join(EXAMPLES, f));
    const root = doc.parseResult.value as Document;
    for (const e of root.elements) if (e.$type === 'Definition' && (e.kind === 'network' || e.kind === 'space')) defs.push(e);
  }
});

function expectNamesSound(spec: ModelSpec): void {
  const names = spec.nodes.flatMap((n) => n.params.map((p) => p.name));
  expect(new Set(names).size).toBe(names.length);
  // No module path is another's parent: each can be a torch.nn.Module with tensors.
  const modules = new Set(spec.nodes.filter((n) => n.params.length).map((n) => n.name));
  for (const m of modules) {
    for (let i = m.indexOf('.'); i > 0; i = m.indexOf('.', i + 1)) expect(modules.has(m.slice(0, i)), `${m} under a module`).toBe(false);
  }
  for (const name of names) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/);
}

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

  it('on 200 sampled architectures of every example space', () => {
    const spaces = defs.filter((d) => d.kind === 'space');
    expect(spaces.map((d) => d.name).sort()).toEqual(['DARTS', 'FashionLayers', 'MnasNetSpace', 'NASNet', 'NB201', 'SMNAS', 'SPOS', 'TinyCNN']);
    for (const def of spaces) {
      const sampler = new SpaceSampler(def);
      const rng = new Rng(7);
      const counts = new Set<number>();
      const encodings = new Set<string>();
      for (let i = 0; i < 200; i++) {
        const a = sampler.sample(rng);
        encodings.add(a.encoding);
        const spec = describeModel(a.result, def);
        const params = a.result.graph.totals().params;
        expect(specParamCount(spec), `${def.name} ${a.encoding}`).toBe(params);
        if (i < 20) expectNamesSound(spec);
        counts.add(params);
      }
      // The samples differ (a space whose samples all cost the same would test little); TinyCNN,
      // the baseline of examples/fashion_search.nas, is a space of one architecture.
      if (encodings.size > 1) expect(counts.size, def.name).toBeGreaterThan(1);
      else expect(def.name).toBe('TinyCNN');
    }
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
