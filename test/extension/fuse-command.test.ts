// NAS: Fuse for Deployment with a stand-in vscode API and language client: it writes what the
// server computed beside the file, never replaces a file without asking (nor one with unsaved
// changes), says why when there is nothing to fuse, and opens a block before and after in the
// graph view.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FuseSourceResult } from '../../src/protocol/fuse.js';

const state = vi.hoisted(() => ({
  trusted: true,
  files: new Map<string, string>(),
  dirty: new Set<string>(),
  info: [] as Array<{ message: string; buttons: string[] }>,
  warnings: [] as Array<{ message: string; buttons: string[] }>,
  answers: [] as Array<string | undefined>,
  executed: [] as unknown[][],
  picks: [] as unknown[][],
}));

vi.mock('vscode', () => {
  class Uri {
    constructor(readonly path: string) {}
    static parse(text: string) {
      return new Uri(text.replace('file://', ''));
    }
    toString() {
      return `file://${this.path}`;
    }
  }
  const answer = () => Promise.resolve(state.answers.shift());
  return {
    Uri,
    workspace: {
      get isTrusted() {
        return state.trusted;
      },
      asRelativePath: (uri: Uri) => uri.path.replace('/w/', ''),
      get textDocuments() {
        return [...state.dirty].map((p) => ({ uri: new Uri(p), isDirty: true }));
      },
      fs: {
        stat: (uri: Uri) => (state.files.has(uri.path) ? Promise.resolve({}) : Promise.reject(new Error('ENOENT'))),
        writeFile: (uri: Uri, bytes: Uint8Array) => {
          state.files.set(uri.path, new TextDecoder().decode(bytes));
          return Promise.resolve();
        },
      },
    },
    window: {
      activeTextEditor: undefined,
      showInformationMessage: (message: string, ...buttons: string[]) => {
        state.info.push({ message, buttons });
        return answer();
      },
      showWarningMessage: (message: string, ...rest: unknown[]) => {
        state.warnings.push({ message, buttons: rest.filter((r): r is string => typeof r === 'string') });
        return answer();
      },
      showErrorMessage: () => Promise.resolve(undefined),
      showQuickPick: (items: Array<{ label: string }>) => {
        state.picks.push(items.map((i) => i.label));
        return Promise.resolve(items[items.length - 1]);
      },
      showTextDocument: () => Promise.resolve(undefined),
    },
    commands: {
      registerCommand: () => ({ dispose: () => undefined }),
      executeCommand: (...args: unknown[]) => {
        state.executed.push(args);
        return Promise.resolve(undefined);
      },
    },
  };
});

const { FuseCommand } = await import('../../src/extension/fuse-command.js');

const graph = (name: string) => ({
  uri: `file:///w/${name}`,
  name: 'Net',
  kind: 'network' as const,
  nodes: [],
  edges: [],
  totals: { params: 0, macs: 0, acts: 0 },
  choices: [],
  errors: [],
});
const FUSED: FuseSourceResult = {
  ok: true,
  name: 'Net',
  target: 'file:///w/net.deploy.nas',
  text: 'network Net { ... RepVGGDeploy(16) ... }\n',
  before: { params: 2_000, macs: 1_000_000 },
  after: { params: 1_500, macs: 800_000 },
  renamed: [{ from: 'RepVGGBlock', to: 'RepVGGDeploy', uses: 2 }],
  external: [],
  pairs: {
    train: graph('net.nas') as never,
    deploy: graph('net.deploy.nas') as never,
    blocks: [
      { title: 'RepVGGBlock(16, stride=2)', deployTitle: 'RepVGGDeploy(16, stride=2)', train: 1, deploy: 1, instances: 1 },
      { title: 'RepVGGBlock(16)', deployTitle: 'RepVGGDeploy(16)', train: 2, deploy: 2, instances: 1 },
    ],
  },
};

const log = { info: vi.fn(), warn: vi.fn() };
const panels = { showFusion: vi.fn() };
let sent: unknown[][];
let reply: FuseSourceResult;
let command: InstanceType<typeof FuseCommand>;

beforeEach(() => {
  Object.assign(state, { trusted: true, answers: [], info: [], warnings: [], executed: [], picks: [] });
  state.files.clear();
  state.dirty.clear();
  panels.showFusion.mockClear();
  sent = [];
  reply = FUSED;
  command = new FuseCommand(log as never, () => Promise.resolve(panels as never));
  command.attach({ sendRequest: (...args: unknown[]) => (sent.push(args), Promise.resolve(reply)) } as never);
});

describe('NAS: Fuse for Deployment', () => {
  it('asks the server for the network the code lens names and writes its deployment form beside the file', async () => {
    const r = await command.run(['file:///w/net.nas', 'Net']);
    expect(sent).toEqual([['nas/fuseSource', { uri: 'file:///w/net.nas', name: 'Net' }]]);
    expect(r).toMatchObject({ status: 'written', target: 'file:///w/net.deploy.nas' });
    expect(state.files.get('/w/net.deploy.nas')).toBe(FUSED.text);
    expect(state.info[0]!.message).toContain('Params 2k → 1.5k (−25.0 %), MACs 1M → 800k (−20.0 %)');
    expect(state.info[0]!.buttons).toEqual(['Open', 'Diff with the Training Form', 'Show Blocks Before and After']);
  });

  it('replaces an existing file only when the user says so, and never one with unsaved changes', async () => {
    state.files.set('/w/net.deploy.nas', 'mine');
    state.answers = [undefined];
    expect(await command.run(['file:///w/net.nas', 'Net'])).toMatchObject({ status: 'cancelled' });
    expect(state.files.get('/w/net.deploy.nas')).toBe('mine');
    state.answers = ['Replace'];
    expect(await command.run(['file:///w/net.nas', 'Net'])).toMatchObject({ status: 'written' });
    expect(state.files.get('/w/net.deploy.nas')).toBe(FUSED.text);
    state.dirty.add('/w/net.deploy.nas');
    expect(await command.run(['file:///w/net.nas', 'Net'])).toMatchObject({ status: 'refused', message: expect.stringContaining('unsaved changes') as string });
  });

  it("says the server's reason when there is nothing to write", async () => {
    reply = { ok: false, message: 'network Plain uses no training-time block (RepVGGBlock, ACBlock, DBBlock, MobileOneBlock): nothing to fuse' };
    const r = await command.run(['file:///w/net.nas', 'Plain']);
    expect(r.message).toBe(`NAS Studio: cannot fuse for deployment: ${reply.message}.`);
    expect(state.files.size).toBe(0);
  });

  it('opens the block the user picks before and after in the graph view', async () => {
    state.answers = ['Show Blocks Before and After'];
    await command.run(['file:///w/net.nas', 'Net']);
    await vi.waitFor(() => expect(panels.showFusion).toHaveBeenCalledTimes(1));
    expect(state.picks).toEqual([['RepVGGBlock(16, stride=2)', 'RepVGGBlock(16)']]);
    expect(panels.showFusion).toHaveBeenCalledWith({
      type: 'fusion',
      title: 'RepVGGBlock(16) → RepVGGDeploy(16)',
      train: { graph: FUSED.ok && FUSED.pairs.train, group: 2, label: 'training form' },
      deploy: { graph: FUSED.ok && FUSED.pairs.deploy, group: 2, label: 'deployment form' },
    });
  });

  it('writes nothing in an untrusted workspace', async () => {
    state.trusted = false;
    expect(await command.run(['file:///w/net.nas', 'Net'])).toMatchObject({ status: 'untrusted-workspace' });
    expect(sent).toEqual([]);
    expect(state.files.size).toBe(0);
  });
});
