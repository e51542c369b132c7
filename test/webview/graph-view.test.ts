/**
 * The graph webview's bundle (dist/webview, built by npm run build) in headless Chromium,
 * under the page's real Content Security Policy: NASNet-A's and DARTS-V2's cells, an NB201
 * cell and ResNet-50 collapsed and expanded, drawn in the Light Modern and Dark Modern
 * themes (screenshots in test-artifacts/ to look at); clicks request the right source range,
 * the cursor highlights its boxes, two architectures compared side by side, expansion, edits keeping the viewport, exports and restore.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphResult } from '../../src/protocol/lsp-extensions.js';
import type { ArchitectureGraph } from '../../src/core/views/architecture.js';
import type { GraphSource, WebviewMessage } from '../../src/protocol/graph-view.js';
import { DARK, LIGHT } from '../../src/core/views/palette.js';
import { DARTS_V2, NASNET_A, NB201_BEST, graphOf } from '../helpers/published-cells.js';
import { build } from '../helpers/nas.js';
import { architectureOf } from '../../src/core/views/from-elaboration.js';
import { pageErrors, startHarness, type GraphPage, type Harness } from './harness.js';

const SHOTS = path.resolve(__dirname, '../../test-artifacts');
let harness: Harness;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  harness = await startHarness();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

function result(g: ArchitectureGraph): GraphResult {
  return { ...g, edges: g.nodes.flatMap((n) => n.inputs.map((from, index) => ({ from, to: n.id, index }))) };
}

function source(g: ArchitectureGraph): GraphSource {
  return { uri: g.uri, name: g.name };
}

/** The options an architecture took at each choice key, as the host sends them. */
function decisionsOf(g: ArchitectureGraph): Record<string, number> {
  return Object.fromEntries(g.choices.map((c) => [c.key, c.taken]));
}

/** What the page shows: each box's title and the text boxes that do not fit their box. */
async function drawn(p: GraphPage): Promise<{ titles: string[]; overflowing: string[]; edges: number }> {
  return p.page.evaluate(() => {
    const titles: string[] = [];
    const overflowing: string[] = [];
    for (const g of Array.from(document.querySelectorAll('.stage g.nas-node'))) {
      const box = g.querySelector('rect.box') as SVGRectElement;
      const width = box.width.baseVal.value;
      for (const t of Array.from(g.querySelectorAll('text')) as SVGTextElement[]) {
        const b = t.getBBox();
        if (b.x + b.width > width - 2) overflowing.push(`${t.textContent} (${b.width.toFixed(0)} in ${width})`);
      }
      titles.push(g.querySelector('text.t')!.textContent!.replace(/^▸ /, ''));
    }
    return { titles, overflowing, edges: document.querySelectorAll('.stage g.nas-edge').length };
  });
}

async function open(
  theme: 'light' | 'dark',
  graph: ArchitectureGraph,
  spec: { cell?: string; expand?: 'all' | string[]; space?: boolean } = {},
): Promise<GraphPage> {
  const p = await harness.open(theme);
  await p.send({ type: 'graph', graph: result(graph), source: source(graph), reason: 'open', spec });
  await p.rendered(1);
  return p;
}

async function shot(p: GraphPage, name: string): Promise<void> {
  await p.page.screenshot({ path: path.join(SHOTS, `graph-${name}.png`) });
}

describe('the graph webview in Chromium', () => {
  it('draws NASNet-A normal and reduction cells, every text inside its box, in both themes', async () => {
    const g = await graphOf('nasnet_space.nas', 'NASNet', NASNET_A);
    for (const [cell, theme] of [
      ['NormalCell', 'light'],
      ['ReductionCell', 'dark'],
    ] as const) {
      const p = await open(theme, g, { cell });
      const d = await drawn(p);
      expect(d.titles).toEqual(['h(i−2)', 'h(i−1)', 'h0', 'h1', 'b0', 'b1', 'b2', 'b3', 'b4', 'output']);
      expect(d.edges).toBe(cell === 'NormalCell' ? 17 : 15);
      expect(d.overflowing).toEqual([]);
      expect(pageErrors(p)).toEqual([]);
      await shot(p, `nasnet-a-${cell}-${theme}`);
      await p.page.close();
    }
  }, 120_000);

  it("draws DARTS-V2's cells, and the normal cell as a space with its options", async () => {
    const g = await graphOf('darts_space.nas', 'DARTS', DARTS_V2);
    for (const [cell, theme, space] of [
      ['NormalCell', 'light', false],
      ['ReductionCell', 'dark', false],
      ['NormalCell', 'dark', true],
    ] as const) {
      const p = await open(theme, g, { cell, space });
      const d = await drawn(p);
      expect(d.titles).toEqual(['h(i−2)', 'h(i−1)', 'p0', 'p1', 'n0', 'n1', 'n2', 'n3', 'output']);
      expect(d.overflowing).toEqual([]);
      const labels = await p.page.$$eval('.stage g.nas-elabel text', (ts) => ts.map((t) => t.textContent));
      if (space) {
        expect(await p.page.$$eval('.stage g.nas-elabel text.on', (ts) => ts.map((t) => t.textContent).sort())).toEqual(
          ['dil_conv_3x3', 'sep_conv_3x3', 'sep_conv_3x3', 'sep_conv_3x3', 'sep_conv_3x3', 'sep_conv_3x3', 'skip_connect', 'skip_connect'].sort(),
        );
        // The choices panel lists the cell's 12 choices.
        expect(await p.page.$$eval('.choices .choice', (rows) => rows.length)).toBe(12);
      } else expect(labels.filter((l) => l === (cell === 'NormalCell' ? 'sep_conv_3x3' : 'max_pool_3x3'))).toHaveLength(5);
      expect(pageErrors(p)).toEqual([]);
      await shot(p, `darts-v2-${cell}${space ? '-space' : ''}-${theme}`);
      await p.page.close();
    }
  }, 120_000);

  it('draws an NB201 cell; a click on a box asks the host to reveal where it was made', async () => {
    const g = await graphOf('nb201.nas', 'NB201', NB201_BEST);
    const p = await open('light', g, { cell: 'NB201Cell' });
    expect((await drawn(p)).titles).toEqual(['h(i−1)', 'n1', 'n2', 'n3']);
    await shot(p, 'nb201-cell-light');
    // n2 is the add of `n2 = add(n0 -> NB201Op(C), n1 -> NB201Op(C))`.
    const add = g.nodes.find((n) => n.op === 'add' && n.scope.endsWith('n2/add'))!;
    const box = p.page.locator(`.stage g.nas-node[data-id="v${add.id}"]`);
    await box.click();
    const reveal = (await p.posted()).filter((m): m is Extract<WebviewMessage, { type: 'reveal' }> => m.type === 'reveal');
    expect(reveal).toEqual([{ type: 'reveal', uri: g.uri, range: add.range }]);
    expect(add.range!.start.line).toBe(30);
    // An edge: the op on it, `n1 -> NB201Op(C)` of n2's line.
    const edge = p.page
      .locator('.stage g.nas-edge')
      .filter({ has: p.page.locator('path') })
      .nth(2);
    await edge.click({ force: true });
    const last = (await p.posted()).at(-1) as Extract<WebviewMessage, { type: 'reveal' }>;
    expect(last.type).toBe('reveal');
    expect(last.range.start.line).toBeGreaterThanOrEqual(29);
    await p.page.close();
  }, 60_000);

  it('draws ResNet-50 collapsed, expands a box in place on double click, and keeps the zoom', async () => {
    const g = await graphOf('resnet50.nas', 'ResNet50');
    const p = await open('dark', g);
    const d = await drawn(p);
    expect(d.titles).toEqual([
      'input',
      'conv 7×7/2',
      'bn',
      'relu',
      'maxpool 3×3/2',
      'Bottleneck(64) ×3',
      'Bottleneck(128, stride=2)',
      'Bottleneck(128) ×3',
      'Bottleneck(256, stride=2)',
      'Bottleneck(256) ×5',
      'Bottleneck(512, stride=2)',
      'Bottleneck(512) ×2',
      'gap',
      'fc 1000',
    ]);
    expect(d.overflowing).toEqual([]);
    await shot(p, 'resnet50-collapsed-dark');
    await p.page.locator('vscode-button[title="Zoom in"]').click();
    const zoomed = (await p.state())!.viewport!.scale;
    const repeat = p.page.locator('.stage g.nas-node', { hasText: 'Bottleneck(128) ×3' });
    await repeat.dblclick();
    await p.rendered(2);
    expect(await p.page.locator('.stage g.nas-frame', { hasText: 'Bottleneck(128) ×3' }).count()).toBe(1);
    expect((await drawn(p)).titles).toContain('Bottleneck #2');
    expect((await p.state())!.viewport!.scale).toBeCloseTo(zoomed, 6);
    expect((await p.state())!.spec.expand).toHaveLength(1);
    // An edit (the host resends the graph): the expansion and the zoom stay.
    await p.send({ type: 'graph', graph: result(g), source: source(g), reason: 'edit' });
    await p.rendered(3);
    expect(await p.page.locator('.stage g.nas-frame').count()).toBe(1);
    expect((await p.state())!.viewport!.scale).toBeCloseTo(zoomed, 6);
    await p.page.close();
  }, 60_000);

  it('draws ResNet-50 fully expanded; the cursor on a statement highlights its boxes', async () => {
    const g = await graphOf('resnet50.nas', 'ResNet50');
    const p = await open('light', g, { expand: 'all' });
    const d = await drawn(p);
    expect(d.titles).toHaveLength(g.nodes.length);
    expect(await p.page.locator('.stage g.nas-frame').count()).toBe(20);
    expect(d.overflowing).toEqual([]);
    await shot(p, 'resnet50-expanded-light');
    // Line 14 of resnet50.nas: `maxpool(k=3, stride=2, pad=1)`.
    await p.send({ type: 'cursor', uri: g.uri, position: { line: 14, character: 4 } });
    await p.page.waitForSelector('.stage .selected');
    const selected = await p.page.$$eval('.stage g.selected', (gs) => gs.map((e) => e.querySelector('text.t')?.textContent));
    expect(selected).toEqual(['maxpool 3×3/2']);
    // Line 17: `Bottleneck(64) * 3`: every op of the three bottlenecks.
    await p.send({ type: 'cursor', uri: g.uri, position: { line: 17, character: 4 } });
    await p.page.waitForFunction(() => document.querySelectorAll('.stage g.nas-node.selected').length > 1);
    expect(await p.page.locator('.stage g.nas-node.selected').count()).toBe(3 * 10 + 2);
    await p.page.close();
  }, 60_000);

  it('exports SVG with the theme resolved and PNG bytes', async () => {
    const g = await graphOf('resnet50.nas', 'ResNet50');
    const p = await open('dark', g);
    await p.page.locator('vscode-button[title="Export the picture as SVG"]').click();
    await p.page.locator('vscode-button[title="Export the picture as PNG"]').click();
    await p.page.waitForFunction(
      () => (globalThis as unknown as { __posted: Array<{ type: string }> }).__posted.filter((m) => m.type === 'exported').length === 2,
    );
    const [svg, png] = (await p.posted()).filter((m): m is Extract<WebviewMessage, { type: 'exported' }> => m.type === 'exported');
    expect(svg!.name).toBe('ResNet50.svg');
    expect(svg!.data).not.toContain('var(');
    expect(svg!.data).toContain(`fill:${DARK.background}`);
    expect(svg!.data).not.toContain(`fill:${LIGHT.background}`);
    const bytes = Buffer.from(png!.data, 'base64');
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    fs.writeFileSync(path.join(SHOTS, 'graph-export-resnet50-dark.png'), bytes);
    await p.page.close();
  }, 60_000);

  it('comes back after a reload with its view, expansion and zoom, and asks for the source it showed', async () => {
    const g = await graphOf('darts_space.nas', 'DARTS', DARTS_V2);
    const state = { source: source(g), spec: { cell: 'ReductionCell' }, colorBy: 'macs' as const, viewport: { x: 40, y: 30, scale: 0.5 } };
    const p = await harness.open('light', state);
    const ready = (await p.posted()).find((m) => m.type === 'ready');
    expect(ready).toEqual({ type: 'ready', state });
    await p.send({ type: 'graph', graph: result(g), source: source(g), reason: 'open' });
    await p.rendered(1);
    expect(await p.page.$eval('.stage', (s) => (s as HTMLElement).style.transform)).toBe('translate(40px, 30px) scale(0.5)');
    expect(await p.page.locator('.stage text', { hasText: 'MACs per box (log scale)' }).count()).toBe(1);
    expect((await drawn(p)).titles[0]).toBe('h(i−2)');
    await p.page.close();
  }, 60_000);

  it("compares two NB201 cells side by side (the dashboard's compare): the two choices that differ are marked on both sides", async () => {
    // NB201_BEST with n1's op and n3's third op changed: 2 of the 6 choices differ.
    const other = { NB201Cell: { n1: ['nor_conv_1x1'], n2: ['nor_conv_3x3', 'nor_conv_3x3'], n3: ['skip_connect', 'nor_conv_3x3', 'avg_pool_3x3'] } };
    const [a, b] = await Promise.all([graphOf('nb201.nas', 'NB201', NB201_BEST), graphOf('nb201.nas', 'NB201', other)]);
    for (const theme of ['light', 'dark'] as const) {
      const p = await harness.open(theme);
      const labels: [string, string] = ['trial 12 · accuracy 94.37', 'trial 40 · accuracy 93.10'];
      const comparison = { second: decisionsOf(b), labels };
      await p.send({ type: 'compare', graphs: [result(a), result(b)], comparison, source: { uri: a.uri, name: 'NB201' }, spec: { cell: 'NB201Cell' } });
      await p.rendered(1);
      const frames = await p.page.locator('.stage g.nas-frame text.t').allTextContents();
      expect(frames.map((t) => t.replace(/^▸ /, ''))).toEqual(labels);
      // Each side: its n1 edge and n3's third edge differ, drawn in the diff style with the side's own op.
      for (const side of ['a', 'b']) {
        const marked = await p.page.locator(`.stage g.nas-elabel.diff[data-id^="${side}:"]`).allTextContents();
        expect(marked.sort()).toEqual(side === 'a' ? ['nor_conv_3x3', 'nor_conv_3x3'] : ['avg_pool_3x3', 'nor_conv_1x1']);
        expect(await p.page.locator(`.stage g.nas-edge.diff[data-id^="${side}:"]`).count()).toBe(2);
      }
      expect(await p.page.locator('.status').textContent()).toContain('2 of 6 choices differ');
      expect(pageErrors(p)).toEqual([]);
      await shot(p, `nb201-compare-${theme}`);
      await p.page.close();
    }
  }, 90_000);

  it("compares two layer-wise architectures: a kernel and a width chosen in conv(...)'s arguments mark that conv on both sides, and nothing else", async () => {
    const built = await build(fs.readFileSync(path.resolve(__dirname, '../../examples/fashion_search.nas'), 'utf8'));
    const def = built.def('FashionLayers');
    const a = architectureOf(def).graph;
    // Layer 1's kernel (3 -> 5) and layer 3's width (32 -> 64); every other choice the same.
    const [, k1, , , , w3] = a.choices.map((c) => c.key);
    const b = architectureOf(def, {
      decisions: new Map([
        [k1!, 1],
        [w3!, 2],
      ]),
    }).graph;
    const p = await harness.open('light');
    const comparison = { second: decisionsOf(b), labels: ['sample 1', 'sample 2'] as [string, string] };
    await p.send({ type: 'compare', graphs: [result(a), result(b)], comparison, source: { uri: a.uri, name: 'FashionLayers' }, spec: {} });
    await p.rendered(1);
    expect(await p.page.locator('.status').textContent()).toContain('2 of 8 choices differ');
    // Each side: its first conv (the kernel) and its third (the width, in the box's shape line), no other box.
    const marked = async (side: string) =>
      p.page.locator(`.stage g.nas-node.diff[data-id^="${side}:"]`).evaluateAll((gs) =>
        gs.map((g) =>
          Array.from(g.querySelectorAll('text'), (t) => t.textContent)
            .slice(0, 2)
            .join(' '),
        ),
      );
    expect(await marked('a')).toEqual(['conv 3×3/2 8×14×14', 'conv 1×1 32×14×14']);
    expect(await marked('b')).toEqual(['conv 5×5/2 8×14×14', 'conv 1×1 64×14×14']);
    expect((await drawn(p)).titles).toHaveLength(24);
    expect(pageErrors(p)).toEqual([]);
    await shot(p, 'fashion-compare-light');
    await p.page.close();
  }, 90_000);

  it('a compare comes back after a reload as a compare: the page keeps both architectures and their labels, and says them when ready', async () => {
    const other = { NB201Cell: { n1: ['nor_conv_1x1'], n2: ['nor_conv_3x3', 'nor_conv_3x3'], n3: ['skip_connect', 'nor_conv_3x3', 'avg_pool_3x3'] } };
    const [a, b] = await Promise.all([graphOf('nb201.nas', 'NB201', NB201_BEST), graphOf('nb201.nas', 'NB201', other)]);
    const first = await harness.open('light');
    const comparison = { second: decisionsOf(b), labels: ['trial 12', 'trial 40'] as [string, string] };
    const from: GraphSource = { uri: a.uri, name: 'NB201', decisions: decisionsOf(a) };
    await first.send({ type: 'compare', graphs: [result(a), result(b)], comparison, source: from, spec: { cell: 'NB201Cell' } });
    await first.rendered(1);
    const saved = await first.state();
    expect(saved).toMatchObject({ source: from, comparison, spec: { cell: 'NB201Cell' } });
    expect(saved?.comparison?.second).not.toEqual(from.decisions);
    await first.page.close();
    // The reloaded page hands the host both architectures (graph-panel.ts reopens a compare from them).
    const p = await harness.open('light', saved);
    expect((await p.posted()).find((m) => m.type === 'ready')).toEqual({ type: 'ready', state: saved });
    // The host's compare after a restore carries no spec: the page keeps the view it had.
    await p.send({ type: 'compare', graphs: [result(a), result(b)], comparison, source: from });
    await p.rendered(1);
    expect((await p.page.locator('.stage g.nas-frame text.t').allTextContents()).map((t) => t.replace(/^▸ /, ''))).toEqual(comparison.labels);
    expect(await p.page.locator('.stage g.nas-edge.diff').count()).toBe(4);
    // Choosing other options in the page's choices panel draws one architecture: the state forgets the second.
    await p.send({ type: 'graph', graph: result(a), source: from, reason: 'decisions' });
    await p.rendered(2);
    expect((await p.state())?.comparison).toBeUndefined();
    await p.page.close();
  }, 90_000);

  it('shows progress during a long layout and cancels it, keeping the picture', async () => {
    const g = await graphOf('nasnet_space.nas', 'NASNet');
    const p = await open('light', g);
    await p.page.locator('vscode-button[title="Expand every block, cell and repeat"]').click();
    await p.page.waitForSelector('.layout-progress.shown', { timeout: 30_000 });
    expect(await p.page.locator('.layout-progress').textContent()).toMatch(/Laying out \d+ boxes… \d\.\d s/);
    await p.page.locator('.layout-progress vscode-button').click();
    await p.page.waitForFunction(() => document.querySelector('.status')?.textContent?.startsWith('Layout cancelled'));
    expect(await p.page.locator('.layout-progress.shown').count()).toBe(0);
    expect(await p.page.locator('.stage g.nas-frame').count()).toBe(0);
    expect((await drawn(p)).titles.length).toBeGreaterThan(5);
    await p.page.close();
  }, 90_000);
});
