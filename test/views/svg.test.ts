/**
 * The SVG renderer: a document resvg parses (so it is well-formed XML and valid SVG), the
 * texts the view has, classes rather than inline styles, and resolved colours in exports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ELK from 'elkjs/lib/elk.bundled.js';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { architectureOf } from '../../src/core/views/from-elaboration.js';
import { networkView } from '../../src/core/views/network-view.js';
import { layoutView } from '../../src/core/views/elk-graph.js';
import { escapeXml, heatLevels, renderSvg, styleSheet } from '../../src/core/views/svg.js';
import { cssVariablePalette, DARK, LIGHT, THEME_VARIABLES } from '../../src/core/views/palette.js';
import { allNodes } from '../../src/core/views/view-model.js';
import { build } from '../helpers/nas.js';

const ROOT = path.resolve(__dirname, '../..');

async function resnetScene(expand: 'all' | 'none') {
  const b = await build(fs.readFileSync(path.join(ROOT, 'examples/resnet50.nas'), 'utf8'));
  const view = networkView(architectureOf(b.def('ResNet50')).graph, { expand });
  return layoutView(view, (g) => new ELK().layout(g));
}

describe('renderSvg', () => {
  it('writes a document resvg reads, with every box and its texts, and no inline style', async () => {
    const scene = await resnetScene('none');
    const svg = renderSvg(scene, { palette: LIGHT });
    const rendered = new Resvg(svg, { font: { loadSystemFonts: false } }).render();
    expect(rendered.width).toBe(Math.ceil(Number(/width="(\d+)"/.exec(svg)![1])));
    for (const n of allNodes(scene.view.nodes)) {
      expect(svg).toContain(`data-id="${n.id}"`);
      expect(svg).toContain(`>${escapeXml(n.expandable ? `▸ ${n.title}` : n.title)}</text>`);
      for (const l of n.lines) expect(svg).toContain(`>${escapeXml(l)}</text>`);
    }
    for (const e of scene.edges) expect(svg).toContain(`data-id="${e.edge.id}"`);
    expect(svg).not.toMatch(/\sstyle="/);
  });

  it('resolves the theme in an export and leaves it to the page otherwise', async () => {
    const scene = await resnetScene('none');
    const exported = renderSvg(scene, { palette: DARK });
    expect(exported).not.toContain('var(');
    expect(exported).toContain(`fill:${DARK.background}`);
    const page = renderSvg(scene);
    expect(page).not.toContain('<style>');
    const sheet = styleSheet(cssVariablePalette());
    for (const v of Object.values(THEME_VARIABLES)) expect(sheet).toContain(`var(${v},`);
  });

  it('colours by cost on a log scale: the costliest box darkest, boxes without cost untinted', async () => {
    const scene = await resnetScene('all');
    const levels = heatLevels(scene, 'macs');
    const leaves = scene.nodes.filter((s) => !s.node.children);
    const costliest = leaves.reduce((a, b) => (b.node.macs > a.node.macs ? b : a));
    expect(levels.get(costliest.node.id)).toBeCloseTo(0.8, 6);
    const relu = leaves.find((s) => s.node.title === 'relu')!;
    expect(relu.node.macs).toBe(0);
    expect(levels.get(relu.node.id)).toBe(0);
    const svg = renderSvg(scene, { palette: LIGHT, colorBy: 'macs' });
    expect(svg).toContain('MACs per box (log scale)');
    expect(new Resvg(svg).render().height).toBeGreaterThan(1000);
  });

  it('escapes text', () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;');
  });
});
