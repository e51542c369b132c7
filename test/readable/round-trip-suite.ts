/**
 * A readable architecture parses back to exactly the architecture it was printed from: for
 * uniformly sampled architectures of every space of the reference library (the first 20 in the
 * normal tier, round-trip.test.ts; 200 in the slow one, round-trip.slow.test.ts), the fixed
 * network `describe.ts` prints (`network X = S with { ... }`), parsed in a file that imports
 * the space's file and elaborated, gives the same graph node by node (op, attributes, inputs,
 * shape, params, MACs, activations, choice keys) and the same output as elaborating the
 * sampled decisions directly.
 */
import * as path from 'node:path';
import { expect, it } from 'vitest';
import type { Definition } from '../../src/core/language/syntax/generated/ast.js';
import { ArchitectureSpace } from '../../src/core/search/architecture-space.js';
import { describeArchitecture } from '../../src/core/search/describe.js';
import { elaborate, type ElaborationResult } from '../../src/core/semantics/evaluator/index.js';
import { Rng } from '../../src/core/util/random.js';
import { build } from '../helpers/nas.js';
import { EXAMPLES, example } from '../search/helpers.js';

const SPACES: Array<[file: string, space: string]> = [
  ['nb201.nas', 'NB201'],
  ['darts_space.nas', 'DARTS'],
  ['nasnet_space.nas', 'NASNet'],
  ['spos_space.nas', 'SPOS'],
  ['mnasnet_space.nas', 'MnasNetSpace'],
  ['smnas_space.nas', 'SMNAS'],
];

/** Everything a graph is: its nodes in order with all their figures, and its output. */
function signature(r: ElaborationResult): string[] {
  const lines = r.graph.nodes.map(
    (n) =>
      `${n.id} ${n.op} ${JSON.stringify(n.attrs)} <- ${n.inputs.join(',')} : ${n.shape.c}x${n.shape.h}x${n.shape.w} p${n.params} m${n.macs} a${n.acts} [${n.choiceKeys.join(' ')}] ${n.scope}`,
  );
  lines.push(`output ${r.output?.node}`);
  return lines;
}

/** One test per space: the first `samples` architectures (seed 2024) round-trip. */
export function roundTripTests(samples: number): void {
  for (const [file, name] of SPACES) {
    it(`${name}: ${samples} sampled architectures`, async () => {
      const built = await build(example(file), undefined, path.join(EXAMPLES, `readable-${name}.nas`));
      expect(built.errors).toEqual([]);
      const space = new ArchitectureSpace(built.def(name));
      const rng = new Rng(2024);
      const archs = Array.from({ length: samples }, () => space.sample(rng));
      const texts = archs.map((a, i) => describeArchitecture(space, a, 'nas', { name: `A${i}` }));
      // Short: a few lines each, never the flat network.
      for (const t of texts) expect(t.split('\n').length).toBeLessThan(30);
      const fixed = await build(`import "readable-${name}"\n${texts.join('\n')}`, undefined, path.join(EXAMPLES, `readable-${name}-fixed.nas`));
      expect(fixed.errors).toEqual([]);
      archs.forEach((a, i) => {
        const expected = space.elaborate(a);
        const got = elaborate(fixed.def(`A${i}`) as Definition);
        expect(got.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(signature(got)).toEqual(signature(expected));
        expect(got.graph.totals()).toEqual(expected.graph.totals());
      });
    });
  }
}
