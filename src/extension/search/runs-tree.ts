/**
 * The `NAS Runs` view: the workspace's search runs as their run directories hold them (also
 * finished ones from earlier windows and days), each with its status, trials against the
 * budget, best and front size; under a run, its trials ordered by a metric of the user's
 * choice (the first objective by default), each opening its architecture.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunStatus } from '../../protocol/dashboard.js';
import type { TrialRecord } from '../../protocol/search-events.js';
import { formatMetric } from './run-progress.js';
import { readRun, summarizeRun, type RunSummary } from './run-store.js';

/** Trials listed under a run; the dashboard's table has them all. */
const TRIALS_LISTED = 50;

export type RunNode = { kind: 'run'; summary: RunSummary; status: RunStatus } | { kind: 'trial'; dir: string; trial: TrialRecord; metric: string };

const ICONS: Record<RunStatus, string> = { running: 'sync~spin', finished: 'pass', cancelled: 'debug-pause', interrupted: 'warning', failed: 'error' };

export class RunsTree implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The metric trials are ordered by, per run directory. */
  private readonly order = new Map<string, string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly liveStatus: (dir: string) => RunStatus | undefined,
    private readonly liveDirs: () => string[],
  ) {}

  /** Refreshes soon (a live run changes many times a second). */
  refresh(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire(undefined);
    }, 1000);
  }

  sortBy(dir: string, metric: string): void {
    this.order.set(dir, metric);
    this.changed.fire(undefined);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.changed.dispose();
  }

  async getChildren(node?: RunNode): Promise<RunNode[]> {
    if (!node) {
      const found = await vscode.workspace.findFiles('**/run.json', '**/node_modules/**', 1000);
      const dirs = new Set([...found.map((u) => path.dirname(u.fsPath)), ...this.liveDirs()]);
      const runs: RunNode[] = [];
      for (const dir of dirs) {
        try {
          const summary = summarizeRun(readRun(dir));
          runs.push({ kind: 'run', summary, status: this.liveStatus(dir) ?? summary.status });
        } catch {
          // A run.json that is not a run (another tool's file): not listed.
        }
      }
      return runs.sort((a, b) => (a.kind === 'run' && b.kind === 'run' ? b.summary.manifest.created.localeCompare(a.summary.manifest.created) : 0));
    }
    if (node.kind !== 'run') return [];
    const run = readRun(node.summary.dir);
    const objective = run.manifest.objectives[0];
    const metric = this.order.get(run.dir) ?? objective?.metric ?? 'macs';
    const objectiveOf = run.manifest.objectives.find((o) => o.metric === metric);
    const descending = objectiveOf ? objectiveOf.direction === 'maximize' : /^acc/i.test(metric);
    return run.trials
      .filter((t) => t.status === 'ok' && t.metrics[metric] !== undefined)
      .sort((a, b) => (descending ? -1 : 1) * (a.metrics[metric]! - b.metrics[metric]!) || a.trial - b.trial)
      .slice(0, TRIALS_LISTED)
      .map((trial) => ({ kind: 'trial', dir: run.dir, trial, metric }));
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    if (node.kind === 'run') {
      const s = node.summary;
      const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.Collapsed);
      const parts: string[] = [node.status, `${s.trials}/${s.manifest.budget.queries}`];
      if (s.best) parts.push(`best ${s.best.metric} ${formatMetric(s.best.metric, s.best.value)}`);
      if (s.frontSize !== undefined) parts.push(`front ${s.frontSize}`);
      if (s.failed) parts.push(`${s.failed} failed`);
      item.description = parts.join(' · ');
      item.tooltip = `${s.manifest.search} in ${vscode.workspace.asRelativePath(s.manifest.file)}\n${s.dir}\nstarted ${s.manifest.created}`;
      item.iconPath = new vscode.ThemeIcon(ICONS[node.status]);
      item.contextValue = `nasRun.${node.status}`;
      item.id = s.dir;
      item.command = { command: 'nas.openDashboard', title: 'Open Dashboard', arguments: [node] };
      return item;
    }
    const t = node.trial;
    const item = new vscode.TreeItem(`#${t.trial}  ${node.metric} ${formatMetric(node.metric, t.metrics[node.metric]!)}`);
    item.description = `${t.feasible === false ? 'infeasible · ' : ''}${t.arch}`;
    item.tooltip = Object.entries(t.metrics)
      .map(([k, v]) => `${k}: ${formatMetric(k, v)}`)
      .concat(t.arch, ...withBlock(t.nas))
      .join('\n');
    item.contextValue = 'nasTrial';
    item.id = `${node.dir}#${t.trial}`;
    item.command = { command: 'nas.openTrial', title: 'Open Architecture', arguments: [node] };
    return item;
  }
}

/** The `network X = S with { ... }` lines of a trial's readable text (none for records without it). */
function withBlock(nas: string | undefined): string[] {
  const lines = nas?.trimEnd().split('\n') ?? [];
  const start = lines.findIndex((l) => /^network \S+ = .* with \{/.test(l));
  return start < 0 ? [] : ['', ...lines.slice(start)];
}
