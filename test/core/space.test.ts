/**
 * Space statistics, sampling, encoding and printing. Sizes and extremes are checked against
 * published figures (NAS-Bench-201) and, on small spaces, against exhaustive enumeration —
 * a second method that shares nothing with the separable/factorized shortcuts.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { build } from '../helpers/nas.js';
import {
  computeSpaceStats,
  enumerateArchitectures,
  SpaceSampler,
  evaluateCostTable,
  compileCostTable,
  decodeDecisions,
  elaborateWith,
} from '../../src/core/semantics/space.js';
import { printArchitecture } from '../../src/core/semantics/print-architecture.js';
import { elaborate } from '../../src/core/semantics/evaluator/index.js';
import { Rng } from '../../src/core/util/random.js';

const NB201 = fs.readFileSync(new URL('../../examples/nb201.nas', import.meta.url), 'utf8');

function enumerateStats(def: Parameters<typeof enumerateArchitectures>[0]) {
  let size = 0n;
  let minParams = Infinity;
  let maxParams = -Infinity;
  let minMacs = Infinity;
  let maxMacs = -Infinity;
  const seen = new Set<string>();
  enumerateArchitectures(def, (r, d) => {
    size++;
    seen.add([...d].join(';'));
    const t = r.graph.totals();
    minParams = Math.min(minParams, t.params);
    maxParams = Math.max(maxParams, t.params);
    minMacs = Math.min(minMacs, t.macs);
    maxMacs = Math.max(maxMacs, t.macs);
  });
  return { size, distinct: seen.size, minParams, maxParams, minMacs, maxMacs };
}

describe('space statistics', () => {
  it('NAS-Bench-201: 15,625 architectures; extremes are the published none and conv3x3 cells', async () => {
    const b = await build(NB201, undefined, '/virtual/examples/nb201.nas');
    expect(b.errors).toEqual([]);
    const s = computeSpaceStats(b.def('NB201'));
    expect(s.size).toBe(15625n);
    expect(s.log10Size).toBeCloseTo(Math.log10(15625), 10);
    // Dong & Yang 2020 / the benchmark's cost info (../shared/data/nb201/README.md).
    expect(s.minParams).toBe(73306);
    expect(s.maxParams).toBe(1531546);
    expect(s.minMacs / 1e6).toBeCloseTo(7.783, 3);
    expect(s.maxMacs / 1e6).toBeCloseTo(220.12, 2);
    expect(s.exact).toBe(true);
    expect(s.method).toBe('separable');
  });

  it('the compiled cost table equals full elaboration on random NAS-Bench-201 architectures', async () => {
    const b = await build(NB201, undefined, '/virtual/examples/nb201-b.nas');
    const def = b.def('NB201');
    const table = compileCostTable(def)!;
    expect(table.keys).toHaveLength(6);
    const rng = new Rng(7);
    for (let i = 0; i < 40; i++) {
      const options = table.keys.map((k) => rng.int(k.options));
      const full = elaborateWith(def, new Map(table.keys.map((k, j) => [k.key, options[j]!])));
      expect(evaluateCostTable(table, options)).toEqual(full.graph.totals());
    }
  });

  it('keeps a cost table only where it equals elaboration: DARTS is not separable (a choice of inputs changes what a zero op sees)', async () => {
    for (const [file, space, separable] of [
      ['darts_space.nas', 'DARTS', false],
      ['spos_space.nas', 'SPOS', true],
    ] as const) {
      const text = fs.readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8');
      const b = await build(text, undefined, `/virtual/examples/${file}`);
      const def = b.def(space);
      const table = compileCostTable(def);
      expect(table !== undefined).toBe(separable);
      if (!separable) {
        // The single-deviation table that used to be built from the all-first-options base:
        // every op there is the zero op, whose cost is 0 whatever input a choice of inputs gives it.
        const keys = elaborateWith(def).trace;
        const rng = new Rng(3);
        let disagreements = 0;
        for (let i = 0; i < 20; i++) {
          const options = keys.map((k) => rng.int(k.options));
          const full = elaborateWith(def, new Map(keys.map((k, j) => [k.key, options[j]!]))).graph.totals();
          const additive =
            keys.reduce((acc, k, j) => {
              const one = elaborateWith(def, new Map([[k.key, options[j]!]])).graph.totals();
              return acc + one.params;
            }, 0) -
            (keys.length - 1) * elaborateWith(def).graph.totals().params;
          if (additive !== full.params) disagreements++;
        }
        expect(disagreements).toBeGreaterThan(0);
        const s = computeSpaceStats(def);
        expect(s.exact).toBe(false);
        expect(s.method).not.toBe('separable');
        continue;
      }
      const rng = new Rng(11);
      for (let i = 0; i < 30; i++) {
        const options = table!.keys.map((k) => rng.int(k.options));
        const full = elaborateWith(def, new Map(table!.keys.map((k, j) => [k.key, options[j]!])));
        expect(evaluateCostTable(table!, options)).toEqual(full.graph.totals());
      }
    }
  });

  it('separable statistics agree with exhaustive enumeration on a small cell space', async () => {
    const b = await build(`import "std/blocks"
cell Mini(C: int) {
  input a, b
  pa = a -> ReLUConvBN(C, k=1)
  pb = b -> ReLUConvBN(C, k=1)
  x = choice(pa, pb) -> choice(identity, ReLUConvBN(C, k=3), SepConv(C), maxpool(k=3, stride=1, pad=1))
  y = choose(2, [pa, pb, x])
  z = add(y[0] -> choice(ReLUConvBN(C, k=1), identity), y[1] -> choice(DilConv(C), zero))
  output concat(x, z)
}
space S {
  input(3, 16, 16)
  conv(8, k=3) -> bn
  Mini(8) * 2
  gap -> fc(10)
}
`);
    expect(b.errors).toEqual([]);
    const def = b.def('S');
    const s = computeSpaceStats(def);
    const e = enumerateStats(def);
    expect(s.method).toBe('separable');
    expect(s.size).toBe(2n * 4n * 3n * 2n * 2n);
    expect(e.size).toBe(s.size);
    expect(e.distinct).toBe(Number(s.size));
    expect([s.minParams, s.maxParams, s.minMacs, s.maxMacs]).toEqual([e.minParams, e.maxParams, e.minMacs, e.maxMacs]);
  });

  it('counts a space with depth choices exactly (factorized) and agrees with enumeration', async () => {
    const b = await build(`block Layer(C: int) {
  conv(C, k=choice(1, 3)) -> bn -> relu
}
space D {
  input(3, 8, 8)
  conv(choice(4, 8), k=3)
  repeat(Layer(8), choice(1, 2, 3))
  gap -> fc(10)
}
`);
    expect(b.errors).toEqual([]);
    const def = b.def('D');
    const s = computeSpaceStats(def);
    // 2 stem widths x (2 + 2^2 + 2^3) depth/kernel combinations.
    expect(s.size).toBe(2n * (2n + 4n + 8n));
    const e = enumerateStats(def);
    expect(e.size).toBe(s.size);
    expect(e.distinct).toBe(28);
    expect(s.exact).toBe(true);
    expect([s.minParams, s.maxParams, s.minMacs, s.maxMacs]).toEqual([e.minParams, e.maxParams, e.minMacs, e.maxMacs]);
  });

  it('samples uniformly over architectures, also when depth changes the number of choices', async () => {
    const b = await build(`block Layer(C: int) {
  conv(C, k=choice(1, 3))
}
space D {
  input(3, 8, 8)
  repeat(Layer(4), choice(1, 2, 3))
}
`);
    const sampler = new SpaceSampler(b.def('D'));
    const rng = new Rng(123);
    const counts = new Map<string, number>();
    const n = 14 * 300;
    for (let i = 0; i < n; i++) {
      const a = sampler.sample(rng);
      counts.set(a.encoding, (counts.get(a.encoding) ?? 0) + 1);
    }
    expect(counts.size).toBe(14);
    // Pearson's chi-square against uniform, 13 degrees of freedom: 34.5 is the 0.1% point.
    const expected = n / 14;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(34.5);
  });

  it('finds exact extremes of a layer-wise width space by dynamic programming, as enumeration does', async () => {
    const b = await build(`block Stage(C: int, stride: int) {
  w = choice(C, C * 2)
  conv(w, k=choice(3, 5), stride=stride) -> bn -> relu
  conv(w, k=3) -> bn -> relu
}
space L {
  input(3, 16, 16)
  conv(8, k=3)
  for s in [[8, 1], [16, 2], [32, 2]] {
    Stage(s[0], s[1])
  }
  gap -> fc(choice(10, 20))
}
`);
    const def = b.def('L');
    const e = enumerateStats(def);
    expect(e.size).toBe(4n ** 3n * 2n);
    // Forbid enumeration so that the DP has to do it.
    const s = computeSpaceStats(def, { enumerationLimit: 10 });
    expect(s.method).toBe('dynamic-programming');
    expect(s.exact).toBe(true);
    expect(s.size).toBe(e.size);
    expect([s.minParams, s.maxParams, s.minMacs, s.maxMacs]).toEqual([e.minParams, e.maxParams, e.minMacs, e.maxMacs]);
  });

  it('feeds the first two-input cell after a stem with (stem, stem), not the image', async () => {
    const b = await build(`cell Two(C: int) {
  input s0, s1
  add(s0 -> conv(C), s1 -> conv(C))
}
network N {
  input(3, 8, 8)
  conv(16, k=3)
  Two(4)
}
`);
    expect(b.errors).toEqual([]);
    const r = elaborate(b.def('N'));
    const convs = r.graph.nodes.filter((n) => n.op === 'conv');
    // Both 1x1 convs of the cell read the 16-channel stem: 16*4 weights each.
    expect(convs.slice(1).map((n) => n.params)).toEqual([64, 64]);
  });

  it('reports search bounds (not exact) for a large space whose cost is not separable', async () => {
    const b = await build(`block Layer(C: int) {
  conv(choice(8, 16, 24, 32), k=choice(3, 5)) -> bn -> relu
}
space W {
  input(3, 16, 16)
  Layer(8) * 8
  gap -> fc(10)
}
`);
    const def = b.def('W');
    const s = computeSpaceStats(def, { enumerationLimit: 1000 });
    expect(s.size).toBe(8n ** 8n);
    expect(s.exact).toBe(false);
    expect(s.method).toBe('search');
    // The widest, largest-kernel network is the true maximum here; coordinate search finds it.
    const widest = elaborateWith(def, new Map(s.keys.map((k) => [k.key, k.options - 1])));
    expect(s.maxParams).toBe(widest.graph.totals().params);
    const narrowest = elaborateWith(def, new Map());
    expect(s.minMacs).toBe(narrowest.graph.totals().macs);
  });
});

describe('architecture encoding and printing', () => {
  it('prints a sampled architecture as .nas text that parses back to the same graph', async () => {
    const b = await build(NB201, undefined, '/virtual/examples/nb201-c.nas');
    const def = b.def('NB201');
    const sampler = new SpaceSampler(def);
    const rng = new Rng(5);
    for (let i = 0; i < 3; i++) {
      const a = sampler.sample(rng);
      const text = printArchitecture(a.result.graph, a.result.output!.node, { name: `Arch${i}` });
      const back = await build(text);
      expect(back.diagnostics).toEqual([]);
      const r = elaborate(back.def(`Arch${i}`));
      expect(r.graph.totals()).toEqual(a.result.graph.totals());
      expect(r.graph.nodes.map((n) => `${n.op}:${n.shape.c}x${n.shape.h}x${n.shape.w}`)).toEqual(
        a.result.graph.nodes
          .filter((n) => !a.result.graph.deadNodes(a.result.output!.node).includes(n))
          .map((n) => `${n.op}:${n.shape.c}x${n.shape.h}x${n.shape.w}`),
      );
      // Canonical: printing the re-parsed network gives the same statements (scope comments
      // name the blocks of the space, which the flat network no longer has).
      const statements = (t: string) => t.split('\n').filter((l) => !l.trim().startsWith('#'));
      expect(statements(printArchitecture(r.graph, r.output!.node, { name: `Arch${i}` }))).toEqual(statements(text));
      // The encoding decodes to the decisions that reproduce the architecture.
      const again = elaborateWith(def, decodeDecisions(a.encoding));
      expect(again.graph.totals()).toEqual(a.result.graph.totals());
    }
  });
});
