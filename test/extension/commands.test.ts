// The commands with a stand-in vscode API: the ones that run code refuse in an untrusted
// workspace (the enablement clause only hides them), the graph commands reach the graph panels
// once the language client runs, and the search commands reach the search feature with the
// arguments a code lens or the runs view passes.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({
  trusted: true,
  registered: new Map<string, (...args: unknown[]) => unknown>(),
  info: [] as string[],
  warnings: [] as string[],
  errors: [] as string[],
  activeUri: undefined as { path: string } | undefined,
}));

vi.mock('vscode', () => {
  class Uri {
    constructor(readonly path: string) {}
    static parse(text: string) {
      return new Uri(text.replace('file://', ''));
    }
  }
  return {
    Uri,
    workspace: {
      get isTrusted() {
        return state.trusted;
      },
      asRelativePath: (uri: Uri) => uri.path,
    },
    window: {
      get activeTextEditor() {
        return state.activeUri ? { document: { uri: state.activeUri } } : undefined;
      },
      showErrorMessage: (message: string) => {
        state.errors.push(message);
        return Promise.resolve(undefined);
      },
      showInformationMessage: (message: string) => {
        state.info.push(message);
        return Promise.resolve(undefined);
      },
      showWarningMessage: (message: string) => {
        state.warnings.push(message);
        return Promise.resolve(undefined);
      },
    },
    commands: {
      registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
        state.registered.set(id, handler);
        return { dispose: () => state.registered.delete(id) };
      },
      executeCommand: () => Promise.resolve(undefined),
    },
  };
});

const { registerCommands } = await import('../../src/extension/commands.js');
const { FuseCommand } = await import('../../src/extension/fuse-command.js');

const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn(), show: vi.fn() };
const panels = { show: vi.fn(async () => undefined), restore: vi.fn(), exportActive: vi.fn((_format: string) => true) };
let graphs: () => Promise<typeof panels>;
const feature = {
  run: vi.fn(async (_args: unknown[]) => undefined),
  resume: vi.fn(async (_args: unknown[]) => undefined),
  cancel: vi.fn(async (_args: unknown[]) => undefined),
  openDashboard: vi.fn(async (_args: unknown[]) => undefined),
  openTrial: vi.fn(async (_args: unknown[]) => undefined),
  exportArchitecture: vi.fn(async (_args: unknown[]) => undefined),
  deleteRun: vi.fn(async (_args: unknown[]) => undefined),
  sortTrials: vi.fn(async (_args: unknown[]) => undefined),
};
const loadSearch = vi.fn(async () => feature);

beforeEach(() => {
  state.registered.clear();
  state.info.length = 0;
  state.warnings.length = 0;
  state.errors.length = 0;
  state.trusted = true;
  state.activeUri = undefined;
  panels.show.mockClear();
  panels.exportActive.mockClear();
  graphs = () => Promise.resolve(panels);
  const context = { subscriptions: [] as unknown[] };
  for (const f of Object.values(feature)) f.mockClear();
  loadSearch.mockClear();
  registerCommands(context as never, log as never, () => graphs() as never, loadSearch as never);
  // Fuse for Deployment registers itself (fuse-command.ts; its own tests: fuse-command.test.ts).
  new FuseCommand(log as never, () => graphs() as never);
});

describe('NAS commands', () => {
  it('registers every command the manifest contributes', async () => {
    const { default: manifest } = (await import('../../package.json', { with: { type: 'json' } })) as {
      default: { contributes: { commands: { command: string }[] } };
    };
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    expect([...state.registered.keys()].sort()).toEqual(contributed);
  });

  it('declares an activation event for each command and hides code-running ones from untrusted workspaces', async () => {
    const { default: manifest } = (await import('../../package.json', { with: { type: 'json' } })) as {
      default: { activationEvents: string[]; contributes: { commands: { command: string; enablement?: string }[] } };
    };
    for (const { command, enablement } of manifest.contributes.commands) {
      expect(manifest.activationEvents).toContain(`onCommand:${command}`);
      const runsCode = command === 'nas.search' || command === 'nas.resumeSearch' || command === 'nas.fuse';
      expect(enablement === 'isWorkspaceTrusted', command).toBe(runsCode);
    }
  });

  it.each(['nas.search', 'nas.resumeSearch', 'nas.fuse'])('%s refuses to run in an untrusted workspace', async (id) => {
    state.trusted = false;
    const result = (await state.registered.get(id)!()) as { reason?: string; status?: string };
    expect(result.reason ?? result.status).toBe('untrusted-workspace');
    expect(state.warnings[0]).toContain('untrusted workspace');
    expect(state.info).toEqual([]);
  });

  it('runs the search a code lens names as (uri, name), and logs it', async () => {
    await state.registered.get('nas.search')!('file:///w/nb201.nas', 'NB201');
    expect(feature.run).toHaveBeenCalledWith(['file:///w/nb201.nas', 'NB201']);
    expect(log.info).toHaveBeenCalledWith('nas.search (/w/nb201.nas NB201)');
  });

  it('the runs view commands reach the search feature also in an untrusted workspace (they spawn no search)', async () => {
    state.trusted = false;
    const node = { kind: 'run', summary: { dir: '/w/nas-runs/S-1' } };
    await state.registered.get('nas.openDashboard')!(node);
    await state.registered.get('nas.cancelSearch')!(node);
    expect(feature.openDashboard).toHaveBeenCalledWith([node]);
    expect(feature.cancel).toHaveBeenCalledWith([node]);
    expect(state.warnings).toEqual([]);
  });

  it('says what failed when the search feature throws', async () => {
    feature.deleteRun.mockRejectedValueOnce(new Error('/w/x is not a run directory (no run.json); nothing was deleted'));
    await state.registered.get('nas.deleteRun')!('/w/x');
    expect(state.errors[0]).toBe('NAS Studio: Delete Run failed: /w/x is not a run directory (no run.json); nothing was deleted');
  });

  it('opens the graph of the definition a code lens names, also in an untrusted workspace (it runs no code)', async () => {
    state.trusted = false;
    expect(await state.registered.get('nas.showGraph')!('file:///w/darts.nas', 'NormalCell')).toBe(true);
    expect(panels.show).toHaveBeenCalledTimes(1);
    const [uri, name] = panels.show.mock.calls[0] as unknown as [{ path: string }, string];
    expect([uri.path, name]).toEqual(['/w/darts.nas', 'NormalCell']);
    expect(state.warnings).toEqual([]);
  });

  it("opens the active editor's graph from the palette, and says so when there is no .nas file", async () => {
    expect(await state.registered.get('nas.showGraph')!()).toBe(false);
    expect(state.info[0]).toContain('open a .nas file');
    state.activeUri = { path: '/w/resnet50.nas' };
    expect(await state.registered.get('nas.showGraph')!()).toBe(true);
    expect((panels.show.mock.calls[0] as unknown as [{ path: string }, string | undefined])[1]).toBeUndefined();
  });

  it('says why when the language server never started', async () => {
    graphs = () => Promise.reject(new Error('spawn failed'));
    expect(await state.registered.get('nas.showGraph')!('file:///w/a.nas', 'A')).toBe(false);
    expect(state.errors[0]).toContain('did not start (spawn failed)');
  });

  it('exports the open graph, or says there is none', async () => {
    expect(await state.registered.get('nas.exportGraph')!('png')).toBe(true);
    expect(panels.exportActive).toHaveBeenCalledWith('png');
    panels.exportActive.mockReturnValueOnce(false);
    expect(await state.registered.get('nas.exportGraph')!('svg')).toBe(false);
    expect(state.info[0]).toContain('no graph is open');
  });
});
