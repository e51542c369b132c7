/**
 * Published cells as genotypes of the examples' spaces (see genotype.ts), and the
 * architectures they give: NASNet-A (Zoph et al. 2018, Figure 4; tensorflow/models slim
 * nasnet_utils.py NasNetANormalCell / NasNetAReductionCell), DARTS-V2 (Liu et al. 2019,
 * genotypes.py DARTS_V2) and NAS-Bench-201's best CIFAR-10 cell (Dong & Yang 2020).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { architectureOf } from '../../src/core/views/from-elaboration.js';
import type { ArchitectureGraph } from '../../src/core/views/architecture.js';
import { build } from './nas.js';
import { genotypeDecider, type CellGenotypes } from './genotype.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The architecture of `space` in examples/`example` with these genotypes (all first options without). */
export async function graphOf(example: string, space: string, genotypes?: CellGenotypes): Promise<ArchitectureGraph> {
  const b = await build(fs.readFileSync(path.join(ROOT, 'examples', example), 'utf8'));
  if (b.errors.length) throw new Error(`examples/${example}: ${b.errors.map((e) => e.message).join('; ')}`);
  if (!genotypes) return architectureOf(b.def(space)).graph;
  const decider = genotypeDecider(b.root, genotypes);
  const { graph } = architectureOf(b.def(space), { decider });
  // Every choice the genotype names was met, and the architecture elaborates.
  if (decider.unused().length) throw new Error(`genotype choices never met: ${decider.unused().join(', ')}`);
  if (graph.errors.length) throw new Error(`${space}: ${graph.errors.join('; ')}`);
  return graph;
}

// The NASNet ops as examples/nasnet_space.nas labels them (DARTS's names for the same ops).
export const SEP3 = 'sep_conv_3x3';
export const SEP5 = 'sep_conv_5x5';
export const SEP7 = 'sep_conv_7x7';
export const AVG = 'avg_pool_3x3';
export const MAX = 'max_pool_3x3';
export const ADD = 'add(x, y)';

// slim's hidden state 0 is h(i-1) (our h1), state 1 is h(i-2) (our h0), state j+2 is block j.
export const NASNET_A: CellGenotypes = {
  NormalCell: {
    b0: ['h1', 'h0', SEP5, SEP3, ADD],
    b1: ['h0', 'h0', SEP5, SEP3, ADD],
    b2: ['h1', 'h0', AVG, 'identity', ADD],
    b3: ['h0', 'h0', AVG, AVG, ADD],
    b4: ['h1', 'h1', SEP3, 'identity', ADD],
  },
  ReductionCell: {
    b0: ['h1', 'h0', SEP5, SEP7, ADD],
    b1: ['h1', 'h0', MAX, SEP7, ADD],
    b2: ['h1', 'h0', AVG, SEP5, ADD],
    b3: ['b1', 'b0', 'identity', AVG, ADD],
    b4: ['b0', 'h1', SEP3, MAX, ADD],
  },
};

// DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),
//   ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5],
//   reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0),
//   ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5]).
// Inputs 0, 1 are p0, p1; 2.. are n0..; a node's two ops go to its inputs in list order.
export const DARTS_V2: CellGenotypes = {
  NormalCell: {
    n0: ['p0 + p1', 'sep_conv_3x3', 'sep_conv_3x3'],
    n1: ['p0 + p1', 'sep_conv_3x3', 'sep_conv_3x3'],
    n2: ['p0 + p1', 'skip_connect', 'sep_conv_3x3'],
    n3: ['p0 + n0', 'skip_connect', 'dil_conv_3x3'],
  },
  ReductionCell: {
    n0: ['p0 + p1', 'max_pool_3x3', 'max_pool_3x3'],
    n1: ['p1 + n0', 'max_pool_3x3', 'skip_connect'],
    n2: ['p0 + n0', 'max_pool_3x3', 'skip_connect'],
    n3: ['p1 + n0', 'max_pool_3x3', 'skip_connect'],
  },
};

// |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|
export const NB201_BEST: CellGenotypes = {
  NB201Cell: { n1: ['nor_conv_3x3'], n2: ['nor_conv_3x3', 'nor_conv_3x3'], n3: ['skip_connect', 'nor_conv_3x3', 'nor_conv_3x3'] },
};
