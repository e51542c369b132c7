/**
 * NAS-Bench-201 architecture strings <-> decisions, and the shipped accuracy tables. The
 * references are the benchmark's own: its architecture strings, published costs
 * (../shared/data/nb201/README.md) and rows of its CSV files; `nas cost` on the best cell
 * written by hand as a fixed network is the independent check of the decisions' costs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nasInProcess } from '../helpers/cli.js';
import { ArchitectureSpace } from '../../src/core/search/architecture-space.js';
import { Nb201Codec, NB201_OPS } from '../../src/core/search/codecs/nb201.js';
import { nb201Table, NB201_SIZE } from '../../src/core/search/benchmarks/nb201-table.js';
import { describeArchitecture } from '../../src/core/search/describe.js';
import { buildInExamples, spaceOf } from './helpers.js';

const BEST = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|';
const ALL_CONV3 = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';
const ROOT = path.resolve(__dirname, '../..');

function codecOf(space: ArchitectureSpace): Nb201Codec {
  const c = Nb201Codec.of(space);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

/** Every architecture string, by the benchmark's index formula over ops in its order. */
function stringOf(index: number): string {
  const ops: string[] = [];
  for (let e = 5, x = index; e >= 0; e--, x = Math.floor(x / 5)) ops[e] = NB201_OPS[x % 5]!;
  return `|${ops[0]}~0|+|${ops[1]}~0|${ops[2]}~1|+|${ops[3]}~0|${ops[4]}~1|${ops[5]}~2|`;
}

describe('NAS-Bench-201 codec', () => {
  it('the best cell maps to decisions whose cost is what `nas cost` gives for that cell written as a network', async () => {
    const space = await spaceOf('nb201.nas', 'NB201');
    const arch = codecOf(space).parse(BEST);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-nb201-'));
    const file = path.join(dir, 'best.nas');
    fs.writeFileSync(
      file,
      `import "std/blocks"
cell BestCell(C: int) {
  input n0
  n1 = n0 -> ReLUConvBN(C, k=3)
  n2 = add(n0 -> ReLUConvBN(C, k=3), n1 -> ReLUConvBN(C, k=3))
  n3 = add(n0 -> identity, n1 -> ReLUConvBN(C, k=3), n2 -> ReLUConvBN(C, k=1))
  output n3
}
network NB201Best {
  input(3, 32, 32)
  conv(16, k=3) -> bn
  BestCell(16) * 5
  NB201ResBlock(32)
  BestCell(32) * 5
  NB201ResBlock(64)
  BestCell(64) * 5
  bn -> relu -> gap -> fc(10)
}
`,
    );
    const r = await nasInProcess(['cost', '--json', file]);
    expect(r.code).toBe(0);
    const [cost] = JSON.parse(r.stdout) as { params: number; macs: number }[];
    const costs = space.costs(arch);
    expect(costs.params).toBe(cost!.params);
    expect(costs.macs).toBe(cost!.macs);
    expect(describeArchitecture(space, arch, 'summary')).toBe(BEST);
  });

  it('the all-nor_conv_3x3 cell has the published 1,531,546 parameters and 220.12 M MACs', async () => {
    const space = await spaceOf('nb201.nas', 'NB201');
    const c = space.costs(codecOf(space).parse(ALL_CONV3));
    expect(c.params).toBe(1_531_546);
    expect(c.macs / 1e6).toBeCloseTo(220.12, 2);
  });

  it('converts every one of the 15,625 strings both ways, one architecture each', async () => {
    const space = await spaceOf('nb201.nas', 'NB201');
    const codec = codecOf(space);
    const encodings = new Set<string>();
    for (let i = 0; i < NB201_SIZE; i++) {
      const s = stringOf(i);
      const a = codec.parse(s);
      expect(codec.format(a)).toBe(s);
      expect(codec.index(a)).toBe(i);
      encodings.add(a.encoding);
    }
    expect(encodings.size).toBe(NB201_SIZE);
  });

  it('reads the DAG and the ops from the space, whatever order it writes them in', async () => {
    const permuted = `import "std/blocks"
block Op2(C: int) {
  choice(ReLUConvBN(C, k=3), avgpool(k=3, stride=1, pad=1, count_include_pad=false), zero, ReLUConvBN(C, k=1), identity)
}
cell Cell2(C: int) {
  input a
  b = a -> Op2(C)
  c = add(b -> Op2(C), a -> Op2(C))
  d = add(c -> Op2(C), a -> Op2(C), b -> Op2(C))
  output d
}
space P(C: int = 16, N: int = 5) {
  input(3, 32, 32)
  conv(C, k=3) -> bn
  Cell2(C) * N
  NB201ResBlock(C * 2)
  Cell2(C * 2) * N
  NB201ResBlock(C * 4)
  Cell2(C * 4) * N
  bn -> relu -> gap -> fc(10)
}
`;
    const b = await buildInExamples(permuted, 'nb201-permuted.nas');
    const p = new ArchitectureSpace(b.def('P'));
    const nb = await spaceOf('nb201.nas', 'NB201');
    const cp = codecOf(p);
    const cn = codecOf(nb);
    for (const i of [0, 1, 777, 4242, 11667, NB201_SIZE - 1]) {
      const s = stringOf(i);
      const a = cp.parse(s);
      expect(cp.format(a)).toBe(s);
      expect(cp.index(a)).toBe(i);
      expect(p.costs(a)).toEqual(nb.costs(cn.parse(s)));
    }
  });

  it('says why a space is not a NAS-Bench-201 cell space', async () => {
    const spos = await spaceOf('spos_space.nas', 'SPOS');
    expect(Nb201Codec.of(spos)).toMatch(/six choices of five ops/);
  });
});

describe('the shipped NAS-Bench-201 tables', () => {
  const table = nb201Table();
  const codecIndex = (s: string) => {
    const ops = s
      .replace(/^\||\|$/g, '')
      .split(/\|\+\||\|/)
      .map((t) => NB201_OPS.indexOf(t.split('~')[0] as (typeof NB201_OPS)[number]));
    return ops.reduce((x, o) => x * 5 + o, 0);
  };

  it('hold the benchmark files rows (first rows of both CSV files, copied here)', () => {
    const row0 = codecIndex('|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|');
    expect(table.benchmarkIndex(row0)).toBe(0);
    expect(table.column('cifar10', 'acc200')[row0]).toBeCloseTo(85.86333333333334, 9);
    expect(table.column('cifar100', 'acc200')[row0]).toBeCloseTo(52.913333294677734, 6);
    expect(table.column('imagenet16-120', 'acc200')[row0]).toBeCloseTo(26.6333332739936, 6);
    expect(table.column('cifar10', 'acc12')[row0]).toBe(69.55);
    expect(table.column('cifar100', 'acc12')[row0]).toBeCloseTo(31.259999963378903, 6);
    expect(table.column('imagenet16-120', 'acc12')[row0]).toBeCloseTo(16.999999966939292, 6);
    expect(table.column('cifar10', 'acc200_one_seed')[row0]).toBe(86.18);
    const row1 = codecIndex('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|');
    expect(table.benchmarkIndex(row1)).toBe(1);
    expect(table.column('cifar10', 'acc200')[row1]).toBeCloseTo(93.66000000000001, 9);
    expect(table.column('cifar10', 'acc12')[row1]).toBe(88.22);
  });

  it('give the published best accuracies: 94.37 (CIFAR-10, the best cell), 73.51, 47.31', () => {
    const c10 = table.column('cifar10', 'acc200');
    expect(Math.max(...c10)).toBeCloseTo(94.37, 2);
    expect(c10[codecIndex(BEST)]).toBeCloseTo(94.37, 2);
    expect(Math.max(...table.column('cifar100', 'acc200'))).toBeCloseTo(73.51, 2);
    expect(Math.max(...table.column('imagenet16-120', 'acc200'))).toBeCloseTo(47.31, 2);
  });

  it('ship compactly: the generated module is well under 1 MB and names its script and sources', () => {
    const text = fs.readFileSync(path.join(ROOT, 'src/core/search/benchmarks/nb201-data.ts'), 'utf8');
    expect(text).toMatch(/generated by scripts\/convert-nb201\.mjs/);
    expect(text).toMatch(/nb201_test_acc_12ep_200ep_one_seed\.csv [0-9a-f]{64}/);
    expect(Buffer.byteLength(text)).toBeLessThan(400_000);
  });
});
