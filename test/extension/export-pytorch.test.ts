// NAS: Export to PyTorch with a stand-in vscode API: it asks the language server for the code of
// the network the code lens names (or the active editor's), saves it where the save dialog
// says, and shows the server's reason when there is nothing to export.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({
  info: [] as string[],
  errors: [] as string[],
  written: new Map<string, string>(),
  saveTo: undefined as string | undefined,
  dialogDefault: undefined as string | undefined,
  activeUri: undefined as { path: string; toString(): string } | undefined,
}));

vi.mock('vscode', () => {
  class Uri {
    constructor(readonly path: string) {}
    static parse(text: string) {
      return new Uri(text.replace('file://', ''));
    }
    static joinPath(base: Uri, ...parts: string[]) {
      const segs = base.path.split('/');
      for (const p of parts) {
        if (p === '..') segs.pop();
        else segs.push(p);
      }
      return new Uri(segs.join('/'));
    }
    toString() {
      return `file://${this.path}`;
    }
  }
  return {
    Uri,
    workspace: {
      asRelativePath: (uri: Uri) => uri.path,
      fs: {
        writeFile: (uri: Uri, bytes: Uint8Array) => {
          state.written.set(uri.path, new TextDecoder().decode(bytes));
          return Promise.resolve();
        },
      },
    },
    window: {
      get activeTextEditor() {
        return state.activeUri ? { document: { uri: state.activeUri } } : undefined;
      },
      showSaveDialog: (opts: { defaultUri: Uri }) => {
        state.dialogDefault = opts.defaultUri.path;
        return Promise.resolve(state.saveTo ? new Uri(state.saveTo) : undefined);
      },
      showErrorMessage: (message: string) => {
        state.errors.push(message);
        return Promise.resolve(undefined);
      },
      showInformationMessage: (message: string) => {
        state.info.push(message);
        return Promise.resolve(undefined);
      },
      showTextDocument: () => Promise.resolve(undefined),
    },
  };
});

const { exportPytorchCommand } = await import('../../src/extension/export-pytorch.js');

const log = { info: vi.fn(), warn: vi.fn() } as unknown as import('vscode').LogOutputChannel;

function server(answer: object) {
  const sent: { method: string; params: unknown }[] = [];
  const requests = () =>
    Promise.resolve({
      sendRequest: <R>(method: string, params: unknown) => {
        sent.push({ method, params });
        return Promise.resolve(answer as R);
      },
    });
  return { sent, requests };
}

beforeEach(() => {
  state.info = [];
  state.errors = [];
  state.written.clear();
  state.saveTo = undefined;
  state.dialogDefault = undefined;
  state.activeUri = undefined;
});

describe('NAS: Export to PyTorch', () => {
  it('asks the server for the code lens network, offers NAME.py beside the file and writes the code there', async () => {
    const { sent, requests } = server({ name: 'Net', code: 'class Net: pass\n', className: 'Net', params: 1234 });
    state.saveTo = '/work/out/net.py';
    const target = await exportPytorchCommand(requests, log, ['file:///work/models/a.nas', 'Net']);
    expect(sent).toEqual([{ method: 'nas/exportPytorch', params: { uri: 'file:///work/models/a.nas', name: 'Net', decisions: undefined } }]);
    expect(state.dialogDefault).toBe('/work/models/Net.py');
    expect(target?.path).toBe('/work/out/net.py');
    expect(state.written.get('/work/out/net.py')).toBe('class Net: pass\n');
    expect(state.info[0]).toMatch(/wrote \/work\/out\/net\.py: class Net, 1,234 parameters/);
  });

  it("passes a search result's decisions, and exports the active editor's first network from the palette", async () => {
    const { sent, requests } = server({ name: 'S', code: 'x = 1\n', className: 'S', params: 1, arch: 'k=1' });
    state.saveTo = '/tmp/s.py';
    await exportPytorchCommand(requests, log, ['file:///w/s.nas', 'S', { k: 1 }]);
    expect(sent[0]!.params).toEqual({ uri: 'file:///w/s.nas', name: 'S', decisions: { k: 1 } });
    state.activeUri = { path: '/w/t.nas', toString: () => 'file:///w/t.nas' };
    await exportPytorchCommand(requests, log, []);
    expect(sent[1]!.params).toEqual({ uri: 'file:///w/t.nas', name: undefined, decisions: undefined });
  });

  it("shows the server's reason and writes nothing when there is nothing to export; a cancelled dialog writes nothing", async () => {
    const { requests } = server({ name: 'Net', error: 'the name `forward` is an attribute of torch.nn.Module and cannot name a module: rename it' });
    state.saveTo = '/tmp/never.py';
    expect(await exportPytorchCommand(requests, log, ['file:///w/a.nas', 'Net'])).toBeUndefined();
    expect(state.errors[0]).toMatch(/cannot export Net to PyTorch: the name `forward`/);
    expect(state.written.size).toBe(0);
    state.saveTo = undefined;
    const ok = server({ name: 'Net', code: 'c', className: 'Net', params: 1 });
    expect(await exportPytorchCommand(ok.requests, log, ['file:///w/a.nas', 'Net'])).toBeUndefined();
    expect(state.written.size).toBe(0);
  });

  it('without a .nas file open, says what to do', async () => {
    const { sent, requests } = server({});
    await exportPytorchCommand(requests, log, []);
    expect(sent).toEqual([]);
    expect(state.info[0]).toMatch(/open a \.nas file/);
  });
});
