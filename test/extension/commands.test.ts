// The commands with a stand-in vscode API: each pending command says what is missing, and the
// ones that run code refuse in an untrusted workspace (the enablement clause only hides them).
import { beforeEach, describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({
  trusted: true,
  registered: new Map<string, (...args: unknown[]) => unknown>(),
  info: [] as string[],
  warnings: [] as string[],
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
      activeTextEditor: undefined,
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

const log = { info: vi.fn(), warn: vi.fn(), show: vi.fn() };

beforeEach(() => {
  state.registered.clear();
  state.info.length = 0;
  state.warnings.length = 0;
  state.trusted = true;
  const context = { subscriptions: [] as unknown[] };
  registerCommands(context as never, log as never);
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
      const runsCode = command === 'nas.search' || command === 'nas.fuse';
      expect(enablement === 'isWorkspaceTrusted', command).toBe(runsCode);
    }
  });

  it.each([
    ['nas.search', 'Run Search'],
    ['nas.showGraph', 'Show Graph'],
    ['nas.fuse', 'Fuse for Deployment'],
  ])('%s tells the user what is missing instead of failing silently', async (id, title) => {
    const result = await state.registered.get(id)!();
    expect(result).toMatchObject({ command: id, available: false, reason: 'not-implemented' });
    expect(state.info).toHaveLength(1);
    expect(state.info[0]).toContain(`${title} is not available yet`);
  });

  it.each(['nas.search', 'nas.fuse'])('%s refuses to run in an untrusted workspace', async (id) => {
    state.trusted = false;
    const result = await state.registered.get(id)!();
    expect(result).toMatchObject({ reason: 'untrusted-workspace' });
    expect(state.warnings[0]).toContain('untrusted workspace');
    expect(state.info).toEqual([]);
  });

  it('logs the definition a code lens passes as (uri, name)', async () => {
    await state.registered.get('nas.search')!('file:///w/nb201.nas', 'NB201');
    expect(log.info).toHaveBeenCalledWith('nas.search (/w/nb201.nas NB201): not available yet');
  });

  it('still offers the graph (it runs no code) in an untrusted workspace', async () => {
    state.trusted = false;
    const result = await state.registered.get('nas.showGraph')!();
    expect(result).toMatchObject({ reason: 'not-implemented' });
    expect(state.warnings).toEqual([]);
  });
});
