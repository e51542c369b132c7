/**
 * `nas graph` on a fixed network (examples/darts_v2.nas): the picture of the DARTS-V2 normal
 * and reduction cells as DARTS's Figure 4 draws them (Liu et al. 2019), each edge labelled with
 * its op's name from the genotype.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nasInProcess } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-fixed-graph-'));

/** The edge labels of an SVG picture, counted. */
function labels(svg: string, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, svg.split(`>${n}</text>`).length - 1]));
}

const OPS = ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5'];

describe('nas graph examples/darts_v2.nas', () => {
  it('draws the network with its totals and 24 decisions fixed', async () => {
    const out = path.join(dir, 'net.svg');
    const r = await nasInProcess(['graph', 'examples/darts_v2.nas', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${out}: network DARTS_V2 (10 boxes, 13 edges)\n`);
    const svg = fs.readFileSync(out, 'utf8');
    expect(svg).toContain('3.35M params · 528M MACs · 24 decisions fixed');
    expect(svg).toContain('NormalCell(36) ×6');
    expect(svg).toContain('ReductionCell(144)');
  });

  it("draws the normal cell's eight edges by the genotype's op names", async () => {
    const out = path.join(dir, 'normal.svg');
    const r = await nasInProcess(['graph', 'examples/darts_v2.nas', '--cell', 'NormalCell', '--out', out]);
    expect(r.code).toBe(0);
    const svg = fs.readFileSync(out, 'utf8');
    expect(svg).toContain('12 decisions fixed');
    // normal=[sep3 p0, sep3 p1, sep3 p0, sep3 p1, sep3 p1, skip p0, skip p0, dil3 n0]
    expect(labels(svg, OPS)).toEqual({ ...Object.fromEntries(OPS.map((o) => [o, 0])), sep_conv_3x3: 5, skip_connect: 2, dil_conv_3x3: 1 });
  });

  it("draws the reduction cell's eight edges by the genotype's op names", async () => {
    const out = path.join(dir, 'reduce.svg');
    const r = await nasInProcess(['graph', 'examples/darts_v2.nas', '--cell', 'ReductionCell', '--out', out]);
    expect(r.code).toBe(0);
    // reduce=[max p0, max p1, skip n0, max p1, max p0, skip n0, skip n0, max p1]
    expect(labels(fs.readFileSync(out, 'utf8'), OPS)).toEqual({ ...Object.fromEntries(OPS.map((o) => [o, 0])), max_pool_3x3: 5, skip_connect: 3 });
  });
});
