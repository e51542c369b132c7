/**
 * DARTS genotypes <-> decisions of examples/darts_space.nas. Reference: DARTS_V2 from
 * quark0/darts genotypes.py, and the reference code's parameter count of the 20-cell C=36
 * evaluation network (train.py logs "param size = 3.349342MB", auxiliary head excluded).
 */
import { describe, expect, it } from 'vitest';
import { ArchitectureSpace } from '../../src/core/search/architecture-space.js';
import { DartsCodec } from '../../src/core/search/codecs/darts.js';
import { Rng } from '../../src/core/util/random.js';
import { elaborate } from '../../src/core/semantics/evaluator/index.js';
import { buildInExamples, spaceOf } from './helpers.js';

const DARTS_V2 =
  "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

function codecOf(space: ArchitectureSpace): DartsCodec {
  const c = DartsCodec.of(space);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

describe('DARTS codec', () => {
  it("maps DARTS_V2 to its decisions; at C=36 with 20 cells it has the reference code's 3,349,342 parameters and 528,359,040 MACs", async () => {
    const space = await spaceOf('darts_space.nas', 'DARTS');
    const arch = codecOf(space).parse(DARTS_V2);
    // Per node: the input pair's lexicographic rank, then the ops on the lower and the higher input.
    expect([...arch.genes]).toEqual([0, 4, 4, 0, 4, 4, 0, 3, 4, 1, 3, 6, 0, 1, 1, 2, 1, 3, 1, 1, 3, 4, 1, 3]);
    const b = await buildInExamples('import "darts_space"\nspace DARTS20 {\n  input(3, 32, 32)\n  DARTS(C=36, N=6)\n}\n', 'darts-eval-codec.nas');
    // The wrapping space prefixes the keys with its instance path: decide in decision order.
    let i = 0;
    const r = elaborate(b.def('DARTS20'), { decider: { decide: () => arch.genes[i++]! } });
    expect(i).toBe(24);
    expect(r.graph.totals().params).toBe(3_349_342);
    expect(r.graph.totals().macs).toBe(528_359_040);
  });

  it('prints genotypes that parse back to the same architecture', async () => {
    const space = await spaceOf('darts_space.nas', 'DARTS');
    const codec = codecOf(space);
    const rng = new Rng(3);
    for (let i = 0; i < 50; i++) {
      const a = space.sample(rng);
      const text = codec.format(a);
      expect(codec.parse(text).encoding).toBe(a.encoding);
    }
    // Pairs in any order within a node, as DARTS prints them.
    expect(codec.format(codec.parse(DARTS_V2))).toContain("('skip_connect', 0), ('sep_conv_3x3', 1)");
  });

  it('rejects a genotype with repeated inputs or unknown ops, saying which', async () => {
    const space = await spaceOf('darts_space.nas', 'DARTS');
    const codec = codecOf(space);
    expect(() => codec.parse(DARTS_V2.replace("('sep_conv_3x3', 1), ('sep_conv_3x3', 0)", "('sep_conv_3x3', 1), ('sep_conv_3x3', 1)"))).toThrow(/distinct/);
    expect(() => codec.parse(DARTS_V2.replace('dil_conv_3x3', 'conv_7x1_1x7'))).toThrow(/unknown op "conv_7x1_1x7"/);
  });

  it("costs DARTS architectures by elaboration: an edge's stride depends on the input pair, so the first-options separability probe does not hold", async () => {
    const space = await spaceOf('darts_space.nas', 'DARTS');
    expect(space.table).toBeUndefined();
    const rng = new Rng(9);
    for (let i = 0; i < 5; i++) {
      const a = space.sample(rng);
      const decisions = space.decisions(a);
      const t = elaborate(space.def, { decider: { decide: (key) => decisions.get(key)! } }).graph.totals();
      expect(space.costs(a).params).toBe(t.params);
      expect(space.costs(a).macs).toBe(t.macs);
    }
  });
});
