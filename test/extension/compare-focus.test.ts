/**
 * Which view the architecture view compares two trials in: NAS-Bench-201's one cell (every
 * choice lives in it), DARTS's network (choices in two cells), a layer-wise space's network.
 */
import { describe, expect, it } from 'vitest';
import { compareCell } from '../../src/extension/compare-focus.js';
import type { ArchitectureGraph } from '../../src/core/views/architecture.js';
import { architectureOf } from '../../src/core/views/from-elaboration.js';
import type { GraphResult } from '../../src/protocol/lsp-extensions.js';
import { build } from '../helpers/nas.js';
import { DARTS_V2, NB201_BEST, graphOf } from '../helpers/published-cells.js';

function result(g: ArchitectureGraph): GraphResult {
  return { ...g, edges: g.nodes.flatMap((n) => n.inputs.map((from, index) => ({ from, to: n.id, index }))) };
}

describe('the view two architectures are compared in', () => {
  it('NAS-Bench-201: the cell, whose first instance carries every choice; DARTS: the network (a normal and a reduction cell)', async () => {
    expect(compareCell(result(await graphOf('nb201.nas', 'NB201', NB201_BEST)))).toBe('NB201Cell');
    expect(compareCell(result(await graphOf('darts_space.nas', 'DARTS', DARTS_V2)))).toBeUndefined();
  });

  it('a space whose choices sit in the network body, or in different instances of one block, is compared as a network', async () => {
    const b = await build(
      'import "std/blocks"\nblock B(c: int) {\n  choice(a: conv(8, k=1), b: conv(8, k=3))\n}\nspace Body {\n  input(3, 8, 8)\n  choice(a: relu, b: conv(4, k=1))\n  B(1)\n}\nspace Layers {\n  input(3, 8, 8)\n  B(1) -> B(2)\n}\nspace One {\n  input(3, 8, 8)\n  B(1)\n}\n',
    );
    expect(b.errors).toEqual([]);
    expect(compareCell(result(architectureOf(b.def('Body')).graph))).toBeUndefined();
    // Two instances of B, each with its own choice: the first instance does not show the second's.
    expect(compareCell(result(architectureOf(b.def('Layers')).graph))).toBeUndefined();
    expect(compareCell(result(architectureOf(b.def('One')).graph))).toBe('B');
  });
});
