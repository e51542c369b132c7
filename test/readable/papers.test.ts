/**
 * Published architectures written readably against the reference library's spaces give the
 * published figures:
 * - DARTS-V2 (Liu et al., ICLR 2019; `DARTS_V2` in quark0/darts cnn/genotypes.py) in
 *   examples/darts_v2.nas: 3,349,342 parameters (the reference train.py's "param size =
 *   3.349342MB") and 528,359,040 MACs at C = 36, 20 cells, no auxiliary head;
 * - the NAS-Bench-201 best CIFAR-10 cell (Dong & Yang, ICLR 2020) in a few lines: the cost
 *   `nas cost` gives for its decisions, and the benchmark's 94.37 from the benchmark evaluator;
 * - NAS-Bench-201 strings and DARTS genotypes convert both ways through the readable form.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nasInProcess } from '../helpers/cli.js';
import type { Definition } from '../../src/core/language/syntax/generated/ast.js';
import { ArchitectureSpace } from '../../src/core/search/architecture-space.js';
import { DartsCodec } from '../../src/core/search/codecs/darts.js';
import { Nb201Codec } from '../../src/core/search/codecs/nb201.js';
import { describeArchitecture } from '../../src/core/search/describe.js';
import { createEvaluator } from '../../src/core/search/evaluators/registry.js';
import type { Arch } from '../../src/core/search/types.js';
import { elaborate } from '../../src/core/semantics/evaluator/index.js';
import { Rng } from '../../src/core/util/random.js';
import { build } from '../helpers/nas.js';
import { EXAMPLES, example } from '../search/helpers.js';

const BEST = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|';
const DARTS_V2 =
  "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";

let counter = 0;
async function inExamples(text: string) {
  const b = await build(text, undefined, path.join(EXAMPLES, `papers-${++counter}.nas`));
  expect(b.errors).toEqual([]);
  return b;
}

/** The space's architecture a fixed network decides (its elaboration's decisions). */
function archOf(space: ArchitectureSpace, fixed: Definition): Arch {
  const r = elaborate(fixed);
  return space.fromDecisions(new Map(r.trace.map((t) => [t.key, t.taken])));
}

async function nasCost(file: string): Promise<{ params: number; macs: number }> {
  const r = await nasInProcess(['cost', '--json', file]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as Array<{ params: number; macs: number }>)[0]!;
}

describe('DARTS-V2 written readably', () => {
  it('examples/darts_v2.nas has 3,349,342 parameters and 528,359,040 MACs (`nas cost`)', async () => {
    const c = await nasCost(path.join(EXAMPLES, 'darts_v2.nas'));
    expect(c.params).toBe(3_349_342);
    expect(c.macs).toBe(528_359_040);
  });

  it('is the genotype of genotypes.py: the DARTS codec reads the same decisions, and inputs may be written by index', async () => {
    const b = await inExamples(example('darts_space.nas'));
    const space = new ArchitectureSpace(b.def('DARTS'));
    const codec = DartsCodec.of(space) as DartsCodec;
    const v2 = await inExamples(example('darts_v2.nas').replace('import "darts_space"', `import "${path.basename(b.root.$document!.uri.fsPath, '.nas')}"`));
    const fromText = archOf(space, v2.def('DARTS_V2'));
    expect(fromText.encoding).toBe(codec.parse(DARTS_V2).encoding);
    // (The codec writes each node's pairs by input, genotypes.py as found: the same genotype.)
    expect(codec.format(fromText)).toBe(codec.format(codec.parse(DARTS_V2)));
    // genotypes.py's indices: 0 and 1 the cell inputs, 2.. the nodes.
    const byIndex = await inExamples(
      `import "${path.basename(b.root.$document!.uri.fsPath, '.nas')}"
network V2 = DARTS(C=36, N=6) with {
  NormalCell {
    n0 = (sep_conv_3x3, 0), (sep_conv_3x3, 1)
    n1 = (sep_conv_3x3, 0), (sep_conv_3x3, 1)
    n2 = (sep_conv_3x3, 1), (skip_connect, 0)
    n3 = (skip_connect, 0), (dil_conv_3x3, 2)
  }
  ReductionCell {
    n0 = (max_pool_3x3, 0), (max_pool_3x3, 1)
    n1 = (skip_connect, 2), (max_pool_3x3, 1)
    n2 = (max_pool_3x3, 0), (skip_connect, 2)
    n3 = (skip_connect, 2), (max_pool_3x3, 1)
  }
}
`,
    );
    expect(archOf(space, byIndex.def('V2')).encoding).toBe(fromText.encoding);
    expect(elaborate(byIndex.def('V2')).graph.totals()).toEqual(elaborate(v2.def('DARTS_V2')).graph.totals());
  });

  it('genotypes convert both ways through the readable form (100 random genotypes)', async () => {
    const b = await inExamples(example('darts_space.nas'));
    const space = new ArchitectureSpace(b.def('DARTS'));
    const codec = DartsCodec.of(space) as DartsCodec;
    const rng = new Rng(7);
    const archs = Array.from({ length: 100 }, () => space.sample(rng));
    const genotypes = archs.map((a) => codec.format(a));
    const texts = genotypes.map((g, i) => describeArchitecture(space, codec.parse(g), 'nas', { name: `G${i}` }));
    const fixed = await inExamples(`import "${path.basename(b.root.$document!.uri.fsPath, '.nas')}"\n${texts.join('\n')}`);
    genotypes.forEach((g, i) => expect(codec.format(archOf(space, fixed.def(`G${i}`)))).toBe(g));
  });
});

describe('the NAS-Bench-201 best cell written readably', () => {
  const READABLE = `import "nb201"
network NB201Best = NB201 with {
  NB201Cell {
    n1 = nor_conv_3x3
    n2 = nor_conv_3x3, nor_conv_3x3
    n3 = skip_connect, nor_conv_3x3, nor_conv_1x1
  }
}
`;

  it('is the best cell of the benchmark string, costs what `nas cost` gives for its decisions, and scores 94.37', async () => {
    const b = await inExamples(READABLE);
    const fixed = b.def('NB201Best');
    const space = new ArchitectureSpace((fixed.fixed!.space.ref as Definition)!);
    const codec = Nb201Codec.of(space) as Nb201Codec;
    const arch = archOf(space, fixed);
    expect(codec.format(arch)).toBe(BEST);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-readable-'));
    const file = path.join(dir, 'best.nas');
    fs.writeFileSync(file, READABLE.replace('import "nb201"', `import "${path.relative(dir, path.join(EXAMPLES, 'nb201')).split(path.sep).join('/')}"`));
    const c = await nasCost(file);
    expect({ params: c.params, macs: c.macs }).toEqual({ params: space.costs(codec.parse(BEST)).params, macs: space.costs(codec.parse(BEST)).macs });
    const evaluator = createEvaluator('benchmark', space, { dataset: 'cifar10' });
    const e = await evaluator.evaluate(
      { arch, id: space.id(arch), decisions: space.decisions(arch), costs: space.costs(arch), elaborate: () => space.elaborate(arch) },
      { signal: new AbortController().signal },
    );
    expect(e.reported!['accuracy']).toBeCloseTo(94.37, 2);
  });

  it('prints as the paper writes the cell: each node its ops and inputs, in three lines', async () => {
    const b = await inExamples(example('nb201.nas'));
    const space = new ArchitectureSpace(b.def('NB201'));
    const arch = (Nb201Codec.of(space) as Nb201Codec).parse(BEST);
    const text = describeArchitecture(space, arch, 'nas', { name: 'Best' });
    expect(text).toBe(`# ${BEST}
network Best = NB201 with {
  NB201Cell {
    n1 = (nor_conv_3x3, n0)
    n2 = (nor_conv_3x3, n0), (nor_conv_3x3, n1)
    n3 = (skip_connect, n0), (nor_conv_3x3, n1), (nor_conv_1x1, n2)
  }
}
`);
  });

  it('architecture strings convert both ways through the readable form (300 random strings)', async () => {
    const b = await inExamples(example('nb201.nas'));
    const space = new ArchitectureSpace(b.def('NB201'));
    const codec = Nb201Codec.of(space) as Nb201Codec;
    const rng = new Rng(11);
    const strings = Array.from({ length: 300 }, () => codec.format(space.sample(rng)));
    const texts = strings.map((s, i) => describeArchitecture(space, codec.parse(s), 'nas', { name: `S${i}` }));
    const fixed = await inExamples(`import "${path.basename(b.root.$document!.uri.fsPath, '.nas')}"\n${texts.join('\n')}`);
    strings.forEach((s, i) => expect(codec.format(archOf(space, fixed.def(`S${i}`)))).toBe(s));
  });
});
