/**
 * The search dashboards: one webview panel per run directory. A panel gets the run as its
 * files hold it when the page says `ready`, then the trials of a live run as they arrive
 * (never one twice: it remembers the last trial sent). A click on a trial opens its readable
 * `.nas` text in a new editor and its graph in the architecture view; two selected trials open
 * side by side in the architecture view (differences marked) and in a diff editor. Reopening a finished run shows it as it ended.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DASHBOARD_VIEW_TYPE, type DashboardHostMessage, type DashboardState, type DashboardWebviewMessage, type RunStatus } from '../../protocol/dashboard.js';
import type { TrialRecord } from '../../protocol/search-events.js';
import type { GraphPanelsApi } from '../graph-panel.js';
import { architectureText, decisionsOf, spaceFile, trialDocumentPath, type CliLauncher } from './architecture-text.js';
import { dashboardPage } from './dashboard-page.js';
import { formatMetric } from './run-progress.js';
import { readRun, type StoredRun } from './run-store.js';

interface Panel {
  panel: vscode.WebviewPanel;
  dir: string;
  ready: boolean;
  /** The last trial number the page has. */
  sent: number;
}

export class DashboardPanels implements vscode.Disposable {
  private readonly panels = new Map<string, Panel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly cli: CliLauncher,
    private readonly graphs: () => Promise<GraphPanelsApi>,
    private readonly log: vscode.OutputChannel,
    /** Whether a run is live in this window (its status is then `running`, not what its files say). */
    private readonly liveStatus: (dir: string) => RunStatus | undefined,
  ) {}

  open(dir: string): void {
    const existing = this.panels.get(dir);
    if (existing) {
      existing.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      DASHBOARD_VIEW_TYPE,
      `Search ${path.basename(dir)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {},
    );
    this.setUp(panel, dir);
  }

  restore(panel: vscode.WebviewPanel, state: DashboardState | undefined): void {
    if (!state?.dir) {
      panel.dispose();
      return;
    }
    this.setUp(panel, state.dir);
  }

  /** Trials of a live run, for its panel if one is open and ready. */
  trials(dir: string, trials: readonly TrialRecord[]): void {
    const p = this.panels.get(dir);
    if (!p?.ready) return;
    const fresh = trials.filter((t) => t.trial > p.sent);
    if (!fresh.length) return;
    p.sent = fresh[fresh.length - 1]!.trial;
    this.post(p, { type: 'trials', trials: fresh });
  }

  status(dir: string, status: RunStatus, message?: string): void {
    const p = this.panels.get(dir);
    if (!p?.ready) return;
    const run = safeRead(dir);
    this.post(p, { type: 'status', status, done: run?.done, message });
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
  }

  private setUp(panel: vscode.WebviewPanel, dir: string): void {
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [root] };
    const asset = (name: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(root, name)).toString();
    panel.webview.html = dashboardPage({
      cspSource: panel.webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      script: asset('dashboard.js'),
      styles: [asset('dashboard.css')],
    });
    const p: Panel = { panel, dir, ready: false, sent: 0 };
    this.panels.set(dir, p);
    const sub = panel.webview.onDidReceiveMessage((m: DashboardWebviewMessage) => void this.receive(p, m));
    panel.onDidDispose(() => {
      sub.dispose();
      if (this.panels.get(dir) === p) this.panels.delete(dir);
    });
  }

  private post(p: Panel, m: DashboardHostMessage): void {
    void p.panel.webview.postMessage(m);
  }

  private async receive(p: Panel, m: DashboardWebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready': {
        const run = safeRead(p.dir);
        if (!run) {
          void vscode.window.showErrorMessage(`NAS Studio: ${p.dir} is not a search run any more (no run.json).`);
          p.panel.dispose();
          return;
        }
        const live = this.liveStatus(p.dir);
        p.ready = true;
        p.sent = run.trials.length ? run.trials[run.trials.length - 1]!.trial : 0;
        this.post(p, {
          type: 'run',
          info: { dir: p.dir, name: run.name, manifest: run.manifest, status: live ?? run.status },
          trials: run.trials,
          done: live === 'running' ? undefined : run.done,
        });
        return;
      }
      case 'open':
        await this.openTrials(p.dir, [m.trial]);
        return;
      case 'compare':
        await this.openTrials(p.dir, m.trials);
        return;
      case 'exported':
        await this.save(p.dir, m.format, m.data, m.name);
        return;
      case 'error':
        void vscode.window.showErrorMessage(`NAS Studio: ${m.message}`);
        return;
    }
  }

  /**
   * One trial: its readable .nas text in a new editor (unsaved, in the run directory) and its
   * graph. Two: their graphs side by side in the architecture view, differences marked, and
   * their texts in a diff editor.
   */
  async openTrials(dir: string, numbers: readonly number[]): Promise<void> {
    const run = safeRead(dir);
    const trials = numbers.map((n) => run?.trials.find((t) => t.trial === n));
    if (!run || trials.some((t) => !t || t.status !== 'ok')) {
      void vscode.window.showErrorMessage(`NAS Studio: trial ${numbers.join(', ')} of ${path.basename(dir)} has no architecture to open.`);
      return;
    }
    // The dashboard stays in view: the text opens in another column, the graph in a third.
    const dashboard = this.panels.get(dir)?.panel.viewColumn;
    const textColumn = dashboard === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
    const graphColumn = Math.max(dashboard ?? vscode.ViewColumn.Two, textColumn) + 1;
    try {
      const docs = await Promise.all(
        trials.map(async (t) => this.trialDocument(dir, run.manifest.search, t!, await architectureText(this.cli, run.manifest, t!))),
      );
      const graphs = await this.graphs().catch(() => undefined);
      const defined = spaceFile(run.manifest.file, run.manifest.space);
      if (docs.length === 2) {
        const [a, b] = trials as [TrialRecord, TrialRecord];
        await vscode.commands.executeCommand('vscode.diff', docs[0]!.uri, docs[1]!.uri, `trial ${a.trial} ↔ trial ${b.trial} (${path.basename(dir)})`, {
          viewColumn: textColumn,
        });
        if (defined) {
          const metric = run.manifest.objectives[0]?.metric;
          const label = (t: TrialRecord) =>
            `trial ${t.trial}${metric && t.metrics[metric] !== undefined ? ` · ${metric} ${formatMetric(metric, t.metrics[metric])}` : ''}`;
          await graphs?.compare(
            vscode.Uri.file(defined),
            run.manifest.space,
            [decisionsOf(a.encoding), decisionsOf(b.encoding)],
            [label(a), label(b)],
            graphColumn,
          );
        }
        return;
      }
      await vscode.window.showTextDocument(docs[0]!, { viewColumn: textColumn, preview: false });
      if (defined) await graphs?.show(vscode.Uri.file(defined), run.manifest.space, decisionsOf(trials[0]!.encoding), graphColumn);
    } catch (e) {
      this.log.appendLine(`opening trial ${numbers.join(', ')} of ${dir}: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`NAS Studio: could not open trial ${numbers.join(', ')}: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  /**
   * The trial's text as a document in the run directory: the file if the user saved it there
   * before, else an unsaved editor at that path (its relative import resolves from there).
   */
  private async trialDocument(dir: string, search: string, trial: TrialRecord, text: string): Promise<vscode.TextDocument> {
    const file = trialDocumentPath(dir, search, trial.trial);
    if (fs.existsSync(file)) return vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file).with({ scheme: 'untitled' }));
    if (doc.getText() === '') {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(0, 0), text);
      await vscode.workspace.applyEdit(edit);
    }
    if (doc.languageId !== 'nas') return vscode.languages.setTextDocumentLanguage(doc, 'nas');
    return doc;
  }

  private async save(dir: string, format: string, data: string, name: string): Promise<void> {
    const filters: Record<string, Record<string, string[]>> = {
      svg: { 'SVG picture': ['svg'] },
      png: { 'PNG picture': ['png'] },
      csv: { 'CSV table': ['csv'] },
    };
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(dir, name)),
      filters: filters[format],
      title: `Export as ${format.toUpperCase()}`,
    });
    if (!target) return;
    const bytes = format === 'png' ? Uint8Array.from(Buffer.from(data, 'base64')) : new TextEncoder().encode(data);
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`Exported to ${vscode.workspace.asRelativePath(target)}.`);
  }
}

function safeRead(dir: string): StoredRun | undefined {
  try {
    return readRun(dir);
  } catch {
    return undefined;
  }
}
