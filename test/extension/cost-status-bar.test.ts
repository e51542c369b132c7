// The status bar item with a stand-in vscode API and a fake language client: what it asks the
// server, what it shows for networks and spaces, and when it hides.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CostReportResult } from '../../src/protocol/lsp-extensions.js';

const fake = vi.hoisted(() => {
  const item = { text: '', tooltip: undefined as unknown, command: undefined as unknown, name: '', visible: false };
  const listeners = { editor: [] as (() => void)[], selection: [] as ((e: unknown) => void)[] };
  const settings: Record<string, unknown> = {};
  const state = {
    item,
    listeners,
    settings,
    editor: undefined as undefined | { document: { uri: { toString(): string }; languageId: string }; selection: { active: { line: number } } },
  };
  return state;
});

vi.mock('vscode', () => {
  const disposable = { dispose: () => undefined };
  class CancellationTokenSource {
    token = { isCancellationRequested: false };
    cancel() {
      this.token.isCancellationRequested = true;
    }
    dispose() {}
  }
  class MarkdownString {
    supportThemeIcons = false;
    constructor(readonly value: string) {}
  }
  return {
    StatusBarAlignment: { Left: 1, Right: 2 },
    CancellationTokenSource,
    MarkdownString,
    window: {
      get activeTextEditor() {
        return fake.editor;
      },
      createStatusBarItem: () =>
        Object.assign(fake.item, {
          show: () => (fake.item.visible = true),
          hide: () => (fake.item.visible = false),
          dispose: () => undefined,
        }),
      onDidChangeActiveTextEditor: (f: () => void) => (fake.listeners.editor.push(f), disposable),
      onDidChangeTextEditorSelection: (f: (e: unknown) => void) => (fake.listeners.selection.push(f), disposable),
    },
    workspace: {
      onDidChangeTextDocument: () => disposable,
      onDidChangeConfiguration: () => disposable,
      getConfiguration: () => ({ get: (key: string, fallback: unknown) => (key in fake.settings ? fake.settings[key] : fallback) }),
    },
    languages: { onDidChangeDiagnostics: () => disposable },
  };
});

const { CostStatusBar } = await import('../../src/extension/cost-status-bar.js');

const range = (a: number, b: number) => ({ start: { line: a, character: 0 }, end: { line: b, character: 0 } });
const report: CostReportResult = {
  uri: 'file:///w/a.nas',
  definitions: [
    { name: 'Net', kind: 'network', range: range(0, 4), statements: [], totals: { params: 25.56e6, macs: 4.089e9, acts: 0 } },
    {
      name: 'Space',
      kind: 'space',
      range: range(6, 12),
      statements: [],
      space: { size: '15625', log10Size: 4.19, minParams: 1, maxParams: 2, minMacs: 7.783e6, maxMacs: 220.12e6, exact: true, method: 'separable' },
    },
  ],
};

function openEditor(uri: string, languageId = 'nas', line = 0) {
  fake.editor = { document: { uri: { toString: () => uri }, languageId }, selection: { active: { line } } };
}

const log = { warn: vi.fn(), info: vi.fn() };
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  Object.assign(fake.item, { text: '', visible: false });
  fake.listeners.editor.length = 0;
  fake.listeners.selection.length = 0;
  for (const key of Object.keys(fake.settings)) delete fake.settings[key];
});

describe('CostStatusBar', () => {
  it('asks nas/costReport for the active file and shows the definition under the cursor', async () => {
    const bar = new CostStatusBar(log as never);
    const sendRequest = vi.fn(async () => report);
    openEditor('file:///w/a.nas', 'nas', 8);
    bar.attach({ isRunning: () => true, sendRequest } as never);
    await flush();
    expect(sendRequest).toHaveBeenCalledWith('nas/costReport', { uri: 'file:///w/a.nas' }, expect.anything());
    expect(fake.item).toMatchObject({ visible: true, text: '$(symbol-array) 15,625 archs · 7.78M–220M MACs' });

    // Moving the cursor re-renders from the last report without asking again.
    fake.editor!.selection.active.line = 2;
    fake.listeners.selection.forEach((f) => f({ textEditor: fake.editor }));
    expect(fake.item.text).toBe('$(pulse) 4.09G MACs · 25.6M params');
    expect(sendRequest).toHaveBeenCalledTimes(1);
    bar.dispose();
  });

  it('shows FLOPs when nas.inlayHints.cost is "flops"', async () => {
    fake.settings['inlayHints.cost'] = 'flops';
    const bar = new CostStatusBar(log as never);
    openEditor('file:///w/a.nas', 'nas', 1);
    bar.attach({ isRunning: () => true, sendRequest: async () => report } as never);
    await flush();
    expect(fake.item.text).toBe('$(pulse) 8.18G FLOPs · 25.6M params');
    bar.dispose();
  });

  it('hides for other languages, when disabled, before the server runs, and when the request fails', async () => {
    const bar = new CostStatusBar(log as never);
    const sendRequest = vi.fn(async () => report);
    openEditor('file:///w/a.py', 'python');
    bar.attach({ isRunning: () => true, sendRequest } as never);
    await flush();
    expect(fake.item.visible).toBe(false);
    expect(sendRequest).not.toHaveBeenCalled();

    fake.settings['statusBar.enabled'] = false;
    openEditor('file:///w/a.nas');
    bar.refresh();
    await flush();
    expect(fake.item.visible).toBe(false);

    delete fake.settings['statusBar.enabled'];
    bar.attach({ isRunning: () => false, sendRequest } as never);
    await flush();
    expect(sendRequest).not.toHaveBeenCalled();

    bar.attach({ isRunning: () => true, sendRequest: async () => Promise.reject(new Error('server gone')) } as never);
    await flush();
    expect(fake.item.visible).toBe(false);
    expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('server gone'));
    bar.dispose();
  });

  it("does not keep another file's figures while the new file's report is pending", async () => {
    const bar = new CostStatusBar(log as never);
    let answer: (r: CostReportResult) => void = () => undefined;
    const sendRequest = vi
      .fn()
      .mockResolvedValueOnce(report)
      .mockImplementationOnce(() => new Promise((r) => (answer = r)));
    openEditor('file:///w/a.nas');
    bar.attach({ isRunning: () => true, sendRequest } as never);
    await flush();
    expect(fake.item.visible).toBe(true);
    openEditor('file:///w/b.nas');
    fake.listeners.editor.forEach((f) => f());
    await flush();
    expect(fake.item.visible).toBe(false);
    answer({ uri: 'file:///w/b.nas', definitions: [report.definitions[0]!] });
    await flush();
    expect(fake.item).toMatchObject({ visible: true, text: '$(pulse) 4.09G MACs · 25.6M params' });
    bar.dispose();
  });
});
