/**
 * The model builder against the cost model on sampled architectures of every example space
 * (model-builder-params.test.ts: the first 20 of each; model-builder-params.slow.test.ts: 200):
 * the builder's parameter count (from the parameters its spec declares) equals the cost
 * model's, and every tensor name is unique and a valid module path.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { NasWorkspace } from '../../src/core/workspace';
import { SpaceSampler } from '../../src/core/semantics/space';
import { Rng } from '../../src/core/util/random';
import { describeModel, specParamCount, type ModelSpec } from '../../src/core/train/model-builder';
import type { Definition, Document } from '../../src/core/language/syntax/generated/ast';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

/** The networks and spaces of examples/*.nas. */
export async function exampleDefinitions(): Promise<Definition[]> {
  const defs: Definition[] = [];
  const ws = new NasWorkspace();
  for (const f of readdirSync(EXAMPLES).filter((f) => f.endsWith('.nas'))) {
    const doc = await ws.addFile(join(EXAMPLES, f));
    const root = doc.parseResult.value as Document;
    for (const e of root.elements) if (e.$type === 'Definition' && (e.kind === 'network' || e.kind === 'space')) defs.push(e);
  }
  return defs;
}

export function expectNamesSound(spec: ModelSpec): void {
  const names = spec.nodes.flatMap((n) => n.params.map((p) => p.name));
  expect(new Set(names).size).toBe(names.length);
  // No module path is another's parent: each can be a torch.nn.Module with tensors.
  const modules = new Set(spec.nodes.filter((n) => n.params.length).map((n) => n.name));
  for (const m of modules) {
    for (let i = m.indexOf('.'); i > 0; i = m.indexOf('.', i + 1)) expect(modules.has(m.slice(0, i)), `${m} under a module`).toBe(false);
  }
  for (const name of names) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/);
}

/** The first `samples` architectures (seed 7) of every space among `defs`. */
export function expectSampledParamsEqual(defs: Definition[], samples: number): void {
  const spaces = defs.filter((d) => d.kind === 'space');
  expect(spaces.map((d) => d.name).sort()).toEqual(['DARTS', 'FashionLayers', 'MnasNetSpace', 'NASNet', 'NB201', 'SMNAS', 'SPOS', 'TinyCNN']);
  for (const def of spaces) {
    const sampler = new SpaceSampler(def);
    const rng = new Rng(7);
    const counts = new Set<number>();
    const encodings = new Set<string>();
    for (let i = 0; i < samples; i++) {
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
}
