/**
 * What a fixed network's reader says about a wrong text: each mistake once, at the text that
 * is wrong, with what is allowed there (docs/dsl.md, "Fixed architectures").
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, textAt, type Built } from '../helpers/nas.js';
import { EXAMPLES } from '../search/helpers.js';

let counter = 0;
async function check(text: string): Promise<Built> {
  return build(text, undefined, path.join(EXAMPLES, `fixed-diagnostics-${++counter}.nas`));
}

/** Each error as `code @ text it covers: message`. */
function errors(b: Built): string[] {
  return b.errors.map((d) => `${d.code} @ ${textAt(b.text, d)}: ${d.message}`);
}

const DARTS_OPS = 'none, max_pool_3x3, avg_pool_3x3, skip_connect, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3, dil_conv_5x5';
const REDUCTION = `  ReductionCell {
    n0 = (max_pool_3x3, p0), (max_pool_3x3, p1)
    n1 = (skip_connect, n0), (max_pool_3x3, p1)
    n2 = (max_pool_3x3, p0), (skip_connect, n0)
    n3 = (skip_connect, n0), (max_pool_3x3, p1)
  }`;

describe('fixed network diagnostics', () => {
  it('a wrong op name: at the name, with a suggestion and the ops allowed', async () => {
    const b = await check(`import "darts_space"
network A = DARTS with {
  NormalCell {
    n0 = (sep_conv_3x4, p0), (sep_conv_3x3, p1)
    n1 = (sep_conv_3x3, p0), (sep_conv_3x3, p1)
    n2 = (sep_conv_3x3, p1), (skip_connect, p0)
    n3 = (skip_connect, p0), (dil_conv_3x3, n0)
  }
${REDUCTION}
}
`);
    expect(errors(b)).toEqual([
      `fixed-option @ sep_conv_3x4: unknown option \`sep_conv_3x4\`; did you mean \`sep_conv_3x3\`? for \`n0\` of cell NormalCell (one of: ${DARTS_OPS}, or a position 0..7)`,
    ]);
  });

  it('an input out of range or given twice: at the input, listing the inputs by index and name', async () => {
    const b = await check(`import "darts_space"
network A = DARTS with {
  NormalCell {
    n0 = (sep_conv_3x3, 0), (sep_conv_3x3, 1)
    n1 = (sep_conv_3x3, 0), (sep_conv_3x3, 7)
    n2 = (sep_conv_3x3, p1), (skip_connect, p1)
    n3 = (skip_connect, p0), (dil_conv_3x3, n0)
  }
${REDUCTION}
}
`);
    expect(errors(b)).toEqual([
      'fixed-input @ 7: input 7 is out of range (0..2) for `n1` of cell NormalCell (inputs: 0 p0, 1 p1, 2 n0)',
      'fixed-input @ p1: `n2` of cell NormalCell takes different inputs; `p1` is given twice (inputs: 0 p0, 1 p1, 2 n0, 3 n1)',
    ]);
    expect(b.errors[1]!.range.start.character).toBe(44); // the second p1
  });

  it('a missing pair, a missing node, a missing cell, an extra decision and an unknown node: each once, saying what is expected', async () => {
    const b = await check(`import "darts_space"
network A = DARTS with {
  NormalCell {
    n0 = (sep_conv_3x3, p0), (sep_conv_3x3, p1)
    n1 = (sep_conv_3x3, p0), (sep_conv_3x3, p1), none
    n2 = (sep_conv_3x3, p1), (skip_connect, p0)
    n3 = (skip_connect, p0)
  }
}
network B = DARTS with {
  NormalCell {
    n0 = (sep_conv_3x3, p0), (sep_conv_3x3, p1)
    n1 = (sep_conv_3x3, p0), (sep_conv_3x3, p1)
    n2 = (sep_conv_3x3, p1), (skip_connect, p0)
    n5 = (skip_connect, p0), (dil_conv_3x3, n0)
  }
${REDUCTION}
}
`);
    expect(errors(b)).toEqual([
      'fixed-missing @ DARTS: missing the genotype of cell ReductionCell: add `ReductionCell { n0 = ... n1 = ... n2 = ... n3 = ... }`',
      'fixed-extra @ none: extra decision: `n1` is complete with the first 2 items',
      'fixed-missing @ (skip_connect, p0): `n3` of cell NormalCell needs 2 (op, input) pairs here, found 1',
      'fixed-missing @ NormalCell: missing `n3 = ...` (3 decisions; the first: 2 of the inputs 0 p0, 1 p1, 2 n0, 3 n1, 4 n2)',
      'fixed-extra @ n5: cell NormalCell has no statement `n5` that decides anything; did you mean `n0`? (statements with decisions: n0, n1, n2, n3)',
    ]);
  });

  it('decisions in order (SPOS): by name or position, too few or too many', async () => {
    const b = await check(`import "spos_space"
network A = SPOS with {
  shuffle_3x3, shuffle_5x5, 7, xception
  0, 1, 2, 3
}
network B = SPOS with {
  0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, shuffle_9x9
}
`);
    expect(errors(b)).toEqual([
      'fixed-option @ 7: option 7 is out of range (0..3) for a decision in order (one of: shuffle_3x3, shuffle_5x5, shuffle_7x7, xception, or a position 0..3)',
      'fixed-missing @ 3: the decisions in order need 12 more decisions (the next: one of: shuffle_3x3, shuffle_5x5, shuffle_7x7, xception, or a position 0..3)',
      'fixed-extra @ shuffle_9x9: extra decision: the decisions in order are complete with the first 20 items',
    ]);
  });

  it('named values (MnasNet): a wrong name and a value the instance does not offer', async () => {
    const b = await check(`import "mnasnet_space"
network A = MnasNetSpace with {
  k: 3, expand: 6, se: 0, layers: 2
  kernel: 5, expand: 6, se: 0.25, layers: 9
  k: 5, expand: 6, se: 0, layers: 4
  k: 5, expand: 3, se: 0.25, layers: 3
  k: 3, expand: 3, se: 0, layers: 2
  k: 5, expand: 6, se: 0.25, layers: 1
}
`);
    expect(errors(b)).toEqual([
      'fixed-name @ kernel: expected the decision `k` here, found `kernel`',
      'fixed-option @ 9: unknown option `9` for a decision in order (`layers`) (one of: 2, 3, 4)',
    ]);
  });

  it('a fixed input that is not the op’s (NB201), arguments the space does not take, and what is not a space', async () => {
    const b = await check(`import "nb201"
import "darts_space"
network A = NB201 with {
  NB201Cell {
    n1 = (nor_conv_3x3, n1)
    n2 = nor_conv_3x3, nor_conv_3x3
    n3 = skip_connect, nor_conv_3x3, nor_conv_1x1
  }
}
network B = NB201(C=16, width=3) with {}
network D = DartsOp with {}
space E = NB201 with {}
`);
    expect(errors(b)).toEqual([
      'fixed-input @ n1: this op of `n1` of cell NB201Cell is applied to `n0`, not `n1`',
      // B's `with {}` is empty as well as its arguments wrong: two mistakes, both reported.
      'fixed-missing @ NB201: missing the genotype of cell NB201Cell: add `NB201Cell { n1 = ... n2 = ... n3 = ... }`',
      'unknown-attribute @ width: NB201 has no attribute `width` (expected one of: C, N, classes)',
      'type-mismatch @ DartsOp: `DartsOp` is a block: a network is written as a space with its decisions fixed',
      'type-mismatch @ space: only a network is written as a space with its decisions fixed (`network E = ...`)',
    ]);
  });
});
