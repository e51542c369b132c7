// The status bar item for the active .nas file: a network's total MACs (or FLOPs) and params,
// or a space's size. The numbers come from the server (`nas/costReport`), which already holds
// the elaborated document, so the extension never parses or evaluates .nas itself.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { CostReportParams, CostReportRequest, CostReportResult } from '../protocol/lsp-extensions.js';
import { describeCostReport, type CostUnit } from './describe-cost-report.js';

// Sent by method name, not with the server's RequestType object: that object comes from the
// server's protocol package (3.17), whose ParameterStructures instances the client's newer
// jsonrpc does not recognise. The type annotation keeps the name in step with protocol.ts,
// and a type-only import keeps the server's protocol library out of the extension bundle.
const COST_REPORT_METHOD: typeof CostReportRequest.method = 'nas/costReport';

const REFRESH_DELAY_MS = 250;

export class CostStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pending: vscode.CancellationTokenSource | undefined;
  /** The last report, so moving the cursor between definitions needs no new request. */
  private last: { uri: string; report: CostReportResult } | undefined;

  /** Set once the language server runs; until then the item stays hidden. */
  private client: LanguageClient | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.item = vscode.window.createStatusBarItem('nas.cost', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'NAS Cost';
    this.item.command = 'workbench.action.gotoSymbol';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor) this.renderLast();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.scheduleRefresh();
      }),
      // Diagnostics arrive once the server has checked a change, so the costs are current then;
      // this also catches re-checks caused by edits to imported files.
      vscode.languages.onDidChangeDiagnostics((e) => {
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (active && e.uris.some((uri) => uri.toString() === active)) this.scheduleRefresh();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('nas.statusBar') || e.affectsConfiguration('nas.inlayHints.cost')) this.refresh();
      }),
    );
  }

  attach(client: LanguageClient): void {
    this.client = client;
    this.refresh();
  }

  showError(message: string): void {
    this.item.text = '$(error) NAS';
    this.item.tooltip = `NAS Studio: ${message}. Run "NAS: Show Language Server Log" for details.`;
    this.item.command = 'nas.showServerLog';
    this.item.show();
  }

  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.update();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.pending?.cancel();
    for (const d of this.disposables) d.dispose();
  }

  private scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), REFRESH_DELAY_MS);
  }

  private async update(): Promise<void> {
    const document = vscode.window.activeTextEditor?.document;
    const enabled = vscode.workspace.getConfiguration('nas', document).get<boolean>('statusBar.enabled', true);
    if (!document || document.languageId !== 'nas' || !enabled) {
      this.item.hide();
      return;
    }
    // Another file's figures must not stay up while this file's report is on its way.
    if (this.last && this.last.uri !== document.uri.toString()) this.item.hide();
    const client = this.client;
    if (!client?.isRunning()) return;
    // A newer request supersedes an older one still in flight.
    this.pending?.cancel();
    const cancellation = new vscode.CancellationTokenSource();
    this.pending = cancellation;
    try {
      const uri = document.uri.toString();
      const params: CostReportParams = { uri };
      const report = await client.sendRequest<CostReportResult>(COST_REPORT_METHOD, params, cancellation.token);
      if (cancellation.token.isCancellationRequested) return;
      this.last = { uri, report };
      this.renderLast();
    } catch (error) {
      if (cancellation.token.isCancellationRequested) return;
      this.log.warn(`nas/costReport failed for ${document.uri.toString()}: ${error instanceof Error ? error.message : String(error)}`);
      this.item.hide();
    } finally {
      if (this.pending === cancellation) this.pending = undefined;
      cancellation.dispose();
    }
  }

  private renderLast(): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !this.last || editor.document.uri.toString() !== this.last.uri) return;
    const unit = vscode.workspace.getConfiguration('nas', editor.document).get<CostUnit>('inlayHints.cost', 'macs');
    const summary = describeCostReport(this.last.report, unit, editor.selection.active.line);
    if (!summary) {
      this.item.hide();
      return;
    }
    this.item.text = summary.text;
    const tooltip = new vscode.MarkdownString(summary.tooltip);
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.command = 'workbench.action.gotoSymbol';
    this.item.show();
  }
}
