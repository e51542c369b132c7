/**
 * The searches of examples/nb201_search.nas under the NAS-Bench-201 protocol, against the
 * published figures (Dong & Yang, ICLR 2020, Table 5; ../shared/data/nb201/README.md): CIFAR-10,
 * 12-epoch accuracy as fitness, 200-epoch test accuracy reported, 100 queries, 500 seeds.
 * Random search 93.70 ± 0.36 and regularized evolution 93.92 ± 0.30 in the paper. The
 * multi-objective check compares NSGA-II's hypervolume with the true front's, computed
 * exhaustively over the 15,625 cells. docs/benchmarks.md has the tables.
 */
import { describe, expect, it } from 'vitest';
import { Nb201Codec } from '../../src/core/search/codecs/nb201.js';
import { nb201Table, NB201_SIZE } from '../../src/core/search/benchmarks/nb201-table.js';
import { hypervolume, paretoFront } from '../../src/core/search/pareto.js';
import type { PreparedSearch } from '../../src/core/search/prepare.js';
import { buildInExamples, example, mean, prepare, run, searchSpec, std } from './helpers.js';

async function searches(): Promise<(name: string) => PreparedSearch> {
  const b = await buildInExamples(example('nb201_search.nas'), 'nb201_search-protocol.nas');
  const cache = new Map<string, PreparedSearch>();
  return (name) => {
    if (!cache.has(name)) cache.set(name, prepare(searchSpec(b, name)));
    return cache.get(name)!;
  };
}

async function reported(p: PreparedSearch, seeds: number): Promise<number[]> {
  const out: number[] = [];
  for (let seed = 0; seed < seeds; seed++) out.push((await run(p, seed, { progress: false })).done.best!.reported!['accuracy']!);
  return out;
}

describe('NAS-Bench-201 protocol, 500 seeds of 100 queries', () => {
  it('random search: 93.7 ± 0.35 as published (93.70 ± 0.36)', async () => {
    const xs = await reported((await searches())('NB201Random'), 500);
    expect(mean(xs)).toBeGreaterThan(93.6);
    expect(mean(xs)).toBeLessThan(93.8);
    expect(std(xs)).toBeGreaterThan(0.25);
    expect(std(xs)).toBeLessThan(0.45);
  }, 300_000);

  it('regularized evolution (P10, S3): at least 93.9 (published 93.92 ± 0.30)', async () => {
    const xs = await reported((await searches())('NB201Evolution'), 500);
    expect(mean(xs)).toBeGreaterThanOrEqual(93.9);
  }, 300_000);

  it("the file's default search (evolution with a zero-cost MACs warm-up): at least 94.05", async () => {
    const get = await searches();
    const b = await buildInExamples(example('nb201_search.nas'), 'nb201_search-default.nas');
    const first = b.root.elements.find((e) => e.$type === 'Search')!;
    expect((first as { name: string }).name).toBe('NB201WarmEvolution');
    const xs = await reported(get('NB201WarmEvolution'), 500);
    expect(mean(xs)).toBeGreaterThanOrEqual(94.05);
  }, 300_000);
});

describe('NAS-Bench-201 accuracy against MACs, 100 seeds of 300 queries', () => {
  it('NSGA-II with screening reaches at least 96% of the true front hypervolume; textbook NSGA-II about 95%', async () => {
    const get = await searches();
    const screened = get('NB201Pareto');
    // The true front: every cell, 200-epoch accuracy against the cost model's MACs.
    const codec = Nb201Codec.of(screened.space) as Nb201Codec;
    const acc = nb201Table().column('cifar10', 'acc200');
    const points: number[][] = [];
    for (let i = 0; i < NB201_SIZE; i++) {
      const ops: string[] = [];
      for (let e = 5, x = i; e >= 0; e--, x = Math.floor(x / 5)) ops[e] = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'][x % 5]!;
      const a = codec.parse(`|${ops[0]}~0|+|${ops[1]}~0|${ops[2]}~1|+|${ops[3]}~0|${ops[4]}~1|${ops[5]}~2|`);
      points.push([-acc[codec.index(a)]!, screened.space.costs(a).macs]);
    }
    const maxMacs = Math.max(...points.map((p) => p[1]!));
    expect(maxMacs).toBe(220_119_680);
    const ref = [-90, maxMacs];
    const trueHv = hypervolume(
      paretoFront(points).map((i) => points[i]!),
      ref,
    );
    const fractions = async (p: PreparedSearch) => {
      const xs: number[] = [];
      for (let seed = 0; seed < 100; seed++) {
        const d = (await run(p, seed, { progress: false })).done;
        expect(d.reference).toEqual([90, maxMacs]);
        xs.push(d.hypervolume! / trueHv);
      }
      return mean(xs);
    };
    const withScreen = await fractions(screened);
    const textbook = await fractions(get('NB201ParetoTextbook'));
    expect(withScreen).toBeGreaterThanOrEqual(0.96);
    expect(textbook).toBeGreaterThan(0.92);
    expect(textbook).toBeLessThan(withScreen);
  }, 600_000);
});
