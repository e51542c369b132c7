/**
 * Fusing a network for deployment from the editor: the extension (src/extension/fuse-command.ts)
 * asks the language server (language-server/fuse-request.ts) for a network's deployment form,
 * writes it beside the file and shows the figures. The server computes it with the core's
 * source fusion (src/core/reparam/source-fusion.ts), as `nas fuse` does; weights are fused by
 * `nas fuse --weights` (docs/cli.md). The code lens and the quick fix invoke the command
 * `NasCommands.fuse` (lsp-extensions.ts) with (document URI, network name).
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { GraphResult } from './lsp-extensions.js';

export interface FuseSourceParams {
  /** The document's URI, as in textDocument/didOpen. */
  uri: string;
  /** The network; absent: the file's one network that uses training-time blocks. */
  name?: string;
}

export interface FuseFigures {
  params: number;
  macs: number;
}

/**
 * The two forms drawn for the graph view's fusion pairs (src/core/views/fusion-view.ts): one
 * pair per distinct training-time block call, its first instance beside the deployment block
 * it became (group ids of `GraphResult.groups`).
 */
export interface FusionPairs {
  train: GraphResult;
  deploy: GraphResult;
  blocks: Array<{ title: string; deployTitle: string; train: number; deploy: number; instances: number }>;
}

export type FuseSourceResult =
  | {
      ok: true;
      /** The network fused. */
      name: string;
      /** Where the deployment form belongs: `NAME.deploy.nas` beside the file (`NAME.NETWORK.deploy.nas` when several of its networks use training-time blocks). */
      target: string;
      /** The whole file, the network's training-time blocks renamed to their deployment blocks; imports rebased for `target`. */
      text: string;
      before: FuseFigures;
      after: FuseFigures;
      /** Uses renamed per training-time block, e.g. `{ "from": "RepVGGBlock", "to": "RepVGGDeploy", "uses": 8 }`. */
      renamed: Array<{ from: string; to: string; uses: number }>;
      /** Definitions of imported files that use training-time blocks and are left as they are. */
      external: Array<{ definition: string; uri: string }>;
      pairs: FusionPairs;
    }
  | {
      ok: false;
      /** Why there is nothing to write, for the user (errors to fix first, no training-time block, no such network). */
      message: string;
    };

export namespace FuseSourceRequest {
  export const method = 'nas/fuseSource';
  export const type = new RequestType<FuseSourceParams, FuseSourceResult, void>(method);
}
