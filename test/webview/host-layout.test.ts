/**
 * The graph view's panel page laying out through its host (src/protocol/graph-layout.ts): the
 * stand-in host forwards the page's layouts to the bundled language server's nas/layout over
 * a real LSP client, as src/extension/graph-panel.ts does. The picture is the one the page's
 * own worker draws; cancel reaches the server; a host that cannot lay out leaves the page to
 * its worker.
 */
import { CancellationTokenSource } from 'vscode-languageserver-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphResult } from '../../src/protocol/lsp-extensions.js';
import type { ArchitectureGraph } from '../../src/core/views/architecture.js';
import { LayoutRequest, type LayoutPageMessage } from '../../src/protocol/graph-layout.js';
import { NASNET_A, graphOf } from '../helpers/published-cells.js';
import { LspClient } from '../lsp/client.js';
import { pageErrors, startHarness, type GraphPage, type Harness, type HostLayout } from './harness.js';

let harness: Harness;
let client: LspClient;
/** What the stand-in host was asked, in order. */
const asked: LayoutPageMessage[] = [];
const running = new Map<number, CancellationTokenSource>();
const cancelledByServer: number[] = [];

/** As graph-panel.ts: each layout a nas/layout request, cancelled by the page's layoutCancel. */
const viaServer: HostLayout = async (m) => {
  asked.push(m);
  if (m.type === 'layoutCancel') {
    running.get(m.id)?.cancel();
    return undefined;
  }
  const cancel = new CancellationTokenSource();
  running.set(m.id, cancel);
  try {
    const r = await client.connection.sendRequest(LayoutRequest.type, { graph: m.graph }, cancel.token);
    return { type: 'layoutDone', id: m.id, graph: r.graph };
  } catch (e) {
    if (cancel.token.isCancellationRequested) cancelledByServer.push(m.id);
    return { type: 'layoutFailed', id: m.id, message: (e as Error).message };
  } finally {
    running.delete(m.id);
  }
};

beforeAll(async () => {
  [harness, client] = await Promise.all([startHarness(), LspClient.start()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([harness?.close(), client?.stop()]);
});

function result(g: ArchitectureGraph): GraphResult {
  return { ...g, edges: g.nodes.flatMap((n) => n.inputs.map((from, index) => ({ from, to: n.id, index }))) };
}

async function draw(g: ArchitectureGraph, spec: { cell?: string }, host?: HostLayout): Promise<{ p: GraphPage; svg: string }> {
  const p = await harness.open('light', undefined, host);
  await p.send({ type: 'graph', graph: result(g), source: { uri: g.uri, name: g.name }, reason: 'open', spec });
  await p.rendered(1);
  return { p, svg: await p.page.evaluate(() => document.querySelector('.stage svg')!.outerHTML) };
}

describe('the graph view laid out by the host', () => {
  it("draws NASNet-A's normal and reduction cells as the page's worker does", async () => {
    const nasnet = await graphOf('nasnet_space.nas', 'NASNet', NASNET_A);
    for (const cell of ['NormalCell', 'ReductionCell']) {
      const g = nasnet;
      const before = asked.length;
      const served = await draw(g, { cell }, viaServer);
      expect(asked.slice(before).map((m) => m.type)).toEqual(['layout']);
      const local = await draw(g, { cell });
      expect(served.svg.length).toBeGreaterThan(2000);
      expect(served.svg).toBe(local.svg);
      expect(pageErrors(served.p)).toEqual([]);
      await served.p.page.close();
      await local.p.page.close();
    }
  }, 120_000);

  it('cancels a long layout on the server, keeping the picture', async () => {
    const g = await graphOf('nasnet_space.nas', 'NASNet');
    const { p } = await draw(g, {}, viaServer);
    await p.page.locator('vscode-button[title="Expand every block, cell and repeat"]').click();
    await p.page.waitForSelector('.layout-progress.shown', { timeout: 30_000 });
    await p.page.locator('.layout-progress vscode-button').click();
    await p.page.waitForFunction(() => document.querySelector('.status')?.textContent?.startsWith('Layout cancelled'));
    const cancel = asked.at(-1)!;
    expect(cancel.type).toBe('layoutCancel');
    await expect.poll(() => cancelledByServer.includes(cancel.id), { timeout: 30_000 }).toBe(true);
    expect(await p.page.locator('.stage g.nas-frame').count()).toBe(0);
    await p.page.close();
  }, 120_000);

  it('lays out in its own worker when the host cannot', async () => {
    const g = await graphOf('nb201.nas', 'NB201');
    const failing: HostLayout = async (m) => (m.type === 'layout' ? { type: 'layoutFailed', id: m.id, message: 'no server' } : undefined);
    const { p, svg } = await draw(g, {}, failing);
    const local = await draw(g, {});
    expect(svg).toBe(local.svg);
    await p.page.close();
    await local.p.page.close();
  }, 60_000);
});
