/**
 * nas/layout through a real LSP client and the bundled server: the server's layout thread
 * returns the coordinates that elkjs gives in-process (what `nas graph` draws, and the page's
 * worker runs the same elkjs) for the same view, and a cancelled layout stops and leaves the
 * next one right.
 */
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import ELK from 'elkjs/lib/elk.bundled.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayoutRequest, type LayoutResult } from '../../src/protocol/graph-layout.js';
import { GraphRequest } from '../../src/protocol/lsp-extensions.js';
import { toElk, toScene } from '../../src/core/views/elk-graph.js';
import { cellView } from '../../src/core/views/cell-view.js';
import { networkView } from '../../src/core/views/network-view.js';
import { warmUpView } from '../../src/core/views/warm-up-view.js';
import { graphOf, NASNET_A } from '../helpers/published-cells.js';
import { LspClient } from './client.js';

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client?.stop();
});

describe('nas/layout', () => {
  it('lays out NASNet-A normal cell and ResNet-50 collapsed as elkjs does in-process', async () => {
    const nasnet = await graphOf('nasnet_space.nas', 'NASNet', NASNET_A);
    const resnet = await graphOf('resnet50.nas', 'ResNet50');
    const elk = new ELK();
    for (const view of [cellView(nasnet, 'NormalCell', {})!, networkView(resnet, {})]) {
      const local = toScene(view, await elk.layout(toElk(view)));
      const served = await client.connection.sendRequest(LayoutRequest.type, { graph: toElk(view) });
      const remote = toScene(view, served.graph);
      expect(remote.nodes.map((n) => [n.node.id, n.x, n.y, n.width, n.height, n.ports])).toEqual(
        local.nodes.map((n) => [n.node.id, n.x, n.y, n.width, n.height, n.ports]),
      );
      expect(remote.edges.map((e) => [e.edge.id, e.points, e.label])).toEqual(local.edges.map((e) => [e.edge.id, e.points, e.label]));
      expect(remote.nodes.length).toBeGreaterThan(9);
    }
  });

  it('answers a cancelled layout with RequestCancelled, before or after it started, and the next layout is right', async () => {
    const big = toElk(warmUpView(150));
    for (const when of ['before it is dispatched', 'once it is dispatched']) {
      const source = new CancellationTokenSource();
      const pending = client.connection.sendRequest(LayoutRequest.type, { graph: big }, source.token);
      // The server answers in order: once a later request is answered, the layout is running
      // on the layout thread (or waits there behind a warm-up round).
      if (when === 'once it is dispatched') await client.connection.sendRequest(GraphRequest.type, { uri: 'file:///no/such/file.nas' });
      source.cancel();
      const error = await pending.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, when).toBeInstanceOf(ResponseError);
      expect((error as ResponseError<unknown>).code, when).toBe(LSPErrorCodes.RequestCancelled);
    }
    const small = warmUpView(3);
    const served: LayoutResult = await client.connection.sendRequest(LayoutRequest.type, { graph: toElk(small) });
    const local = await new ELK().layout(toElk(small));
    expect(toScene(small, served.graph).nodes.map((n) => [n.x, n.y])).toEqual(toScene(small, local).nodes.map((n) => [n.x, n.y]));
  });
});
