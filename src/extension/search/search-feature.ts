/**
 * Search in the editor (its own bundle, dist/search.cjs, loaded on first use so that
 * activation stays small): run a search block as a `nas search` child process, watch it in a
 * progress notification and a dashboard, cancel it, resume it, and browse the workspace's runs
 * in the `NAS Runs` view. Runs go where the `nas.search.runsFolder` and `nas.search.runName`
 * settings say (beside the .nas file by default); several run at once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DashboardState, RunStatus } from '../../protocol/dashboard.js';
import type { GraphPanelsApi } from '../graph-panel.js';
import type { TrialRecord } from '../../protocol/search-events.js';
import { architectureText, pytorchExportArgs, rebaseImports, runCli, type CliLauncher } from './architecture-text.js';
import { DashboardPanels } from './dashboard-panel.js';
import { formatMetric } from './run-progress.js';
import { RunNameError, runDirectory } from './run-names.js';
import { deleteRun, readRun } from './run-store.js';
import { RunsTree, type RunNode } from './runs-tree.js';
import { SearchSession } from './search-session.js';
import { torchEngineArgs } from '../torch-settings.js';

export interface SearchFeature {
  run(args: unknown[]): Promise<void>;
  resume(args: unknown[]): Promise<void>;
  cancel(args: unknown[]): Promise<void>;
  openDashboard(args: unknown[]): Promise<void>;
  openTrial(args: unknown[]): Promise<void>;
  exportArchitecture(args: unknown[]): Promise<void>;
  exportPytorch(args: unknown[]): Promise<void>;
  deleteRun(args: unknown[]): Promise<void>;
  sortTrials(args: unknown[]): Promise<void>;
  restoreDashboard(panel: vscode.WebviewPanel, state: DashboardState | undefined): void;
}

export function createSearchFeature(context: vscode.ExtensionContext, graphs: () => Promise<GraphPanelsApi>): SearchFeature {
  const log = vscode.window.createOutputChannel('NAS Search');
  const cli: CliLauncher = { node: process.execPath, cli: context.asAbsolutePath('bin/nas.cjs') };
  const sessions = new Map<string, SearchSession>();
  const live = (dir: string): RunStatus | undefined => sessions.get(dir)?.status;
  const dashboards = new DashboardPanels(context.extensionUri, cli, graphs, log, (dir) => (live(dir) === 'running' ? 'running' : undefined));
  const tree = new RunsTree(live, () => [...sessions.keys()].filter((d) => fs.existsSync(path.join(d, 'run.json'))));
  const watcher = vscode.workspace.createFileSystemWatcher('**/{run,result}.json');
  context.subscriptions.push(
    log,
    dashboards,
    tree,
    watcher,
    watcher.onDidCreate(() => tree.refresh()),
    watcher.onDidChange(() => tree.refresh()),
    watcher.onDidDelete(() => tree.refresh()),
    vscode.window.registerTreeDataProvider('nasRuns', tree),
    // Closing the window stops the searches the way Cancel does: each finishes its trial in flight and stays resumable.
    { dispose: () => sessions.forEach((s) => void s.process.cancel()) },
  );

  function launch(dir: string, label: string, args: string[], cwd: string): void {
    const session = new SearchSession(dir, label, { node: cli.node, cli: cli.cli, args, cwd }, log, {
      started: (d) => {
        dashboards.open(d);
        tree.refresh();
      },
      trials: (d, trials) => {
        dashboards.trials(d, trials);
        tree.refresh();
      },
      status: (d, status, outcome) => {
        dashboards.status(d, status, outcome?.message);
        tree.refresh();
        if (sessions.get(d) === session) sessions.delete(d);
        void report(session);
      },
    });
    sessions.set(dir, session);
    session.showProgress();
  }

  async function report(s: SearchSession): Promise<void> {
    const o = s.outcome!;
    if (o.status === 'failed') {
      const choice = await vscode.window.showErrorMessage(`NAS search ${s.label} failed: ${o.message?.split('\n')[0] ?? 'see the log'}`, 'Show Log');
      if (choice) log.show(true);
      return;
    }
    const best = s.progress.bestText();
    const what =
      o.status === 'finished'
        ? 'finished'
        : o.status === 'cancelled'
          ? 'cancelled (NAS: Resume Search continues it)'
          : 'interrupted (NAS: Resume Search continues it)';
    const actions = o.done?.best ? ['Open Best', 'Show Dashboard'] : ['Show Dashboard'];
    const choice = await vscode.window.showInformationMessage(`NAS search ${s.label} ${what}${best ? `: ${best}` : ''}.`, ...actions);
    if (choice === 'Open Best' && o.done?.best) await dashboards.openTrials(s.dir, [o.done.best.trial]);
    else if (choice === 'Show Dashboard') dashboards.open(s.dir);
  }

  /** The run directory an argument names: a tree node, a path, or the user's pick. */
  async function runDirOf(args: unknown[], pick: (status: RunStatus) => boolean, what: string): Promise<string | undefined> {
    const [first] = args;
    if (typeof first === 'string') return first;
    if (first && typeof first === 'object' && 'kind' in first) {
      const n = first as RunNode;
      return n.kind === 'run' ? n.summary.dir : n.dir;
    }
    const nodes = (await tree.getChildren()).filter((n): n is Extract<RunNode, { kind: 'run' }> => n.kind === 'run' && pick(n.status));
    if (!nodes.length) {
      void vscode.window.showInformationMessage(`NAS Studio: no run to ${what}.`);
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(
      nodes.map((n) => ({
        label: n.summary.name,
        description: `${n.status} · ${n.summary.trials}/${n.summary.manifest.budget.queries}`,
        detail: n.summary.dir,
        dir: n.summary.dir,
      })),
      { title: `Which run to ${what}?` },
    );
    return chosen?.dir;
  }

  /** The trial a runs-view node names: a trial, or a run's best. */
  function trialOf(args: unknown[]): { dir: string; run: ReturnType<typeof readRun>; trial: TrialRecord } | undefined {
    const [node] = args as [RunNode | undefined];
    if (!node) return undefined;
    const dir = node.kind === 'run' ? node.summary.dir : node.dir;
    const run = readRun(dir);
    const number = node.kind === 'trial' ? node.trial.trial : (run.done?.best?.trial ?? node.summary.best?.trial);
    const trial = run.trials.find((t) => t.trial === number && t.status === 'ok');
    if (!trial) {
      void vscode.window.showInformationMessage(`NAS Studio: ${run.name} has no architecture to export yet.`);
      return undefined;
    }
    return { dir, run, trial };
  }

  return {
    async run(args) {
      const [first, second] = args;
      const uri = first instanceof vscode.Uri ? first : typeof first === 'string' ? vscode.Uri.parse(first) : vscode.window.activeTextEditor?.document.uri;
      if (!uri || !uri.fsPath.endsWith('.nas')) {
        void vscode.window.showInformationMessage('NAS Studio: open a .nas file with a search block to run it.');
        return;
      }
      const doc = await vscode.workspace.openTextDocument(uri);
      // The search process reads the file from disk.
      if (doc.isDirty && !(await doc.save())) return;
      const names = [...doc.getText().matchAll(/^\s*search\s+([A-Za-z_]\w*)/gm)].map((m) => m[1]!);
      let search = typeof second === 'string' ? second : names.length === 1 ? names[0] : undefined;
      if (!search && names.length > 1) search = await vscode.window.showQuickPick(names, { title: 'Which search to run?' });
      if (!search) {
        if (!names.length) void vscode.window.showInformationMessage(`NAS Studio: ${path.basename(uri.fsPath)} has no search block.`);
        return;
      }
      const config = vscode.workspace.getConfiguration('nas.search', uri);
      let dir: string;
      try {
        dir = runDirectory({
          file: uri.fsPath,
          search,
          folder: config.get<string>('runsFolder'),
          template: config.get<string>('runName'),
          now: new Date(),
          exists: (p) => fs.existsSync(p) || sessions.has(p),
        });
      } catch (e) {
        if (e instanceof RunNameError) {
          void vscode.window.showErrorMessage(`NAS Studio: ${e.message}`);
          return;
        }
        throw e;
      }
      launch(dir, path.basename(dir), ['search', uri.fsPath, '--search', search, '--out', dir, '--json', ...torchEngineArgs(uri)], path.dirname(uri.fsPath));
    },

    async resume(args) {
      const dir = await runDirOf(args, (s) => s === 'cancelled' || s === 'interrupted', 'resume');
      if (!dir) return;
      if (sessions.has(dir)) {
        void vscode.window.showInformationMessage(`NAS Studio: ${path.basename(dir)} is running.`);
        return;
      }
      const run = readRun(dir);
      launch(
        dir,
        path.basename(dir),
        ['search', '--resume', dir, '--json', ...torchEngineArgs(vscode.Uri.file(run.manifest.file))],
        path.dirname(run.manifest.file),
      );
    },

    async cancel(args) {
      const dir = await runDirOf(args, (s) => s === 'running', 'cancel');
      await sessions.get(dir ?? '')?.process.cancel();
    },

    async openDashboard(args) {
      const dir = await runDirOf(args, () => true, 'show');
      if (dir) dashboards.open(dir);
    },

    async openTrial(args) {
      const [node] = args as [RunNode | undefined];
      if (node?.kind === 'trial') await dashboards.openTrials(node.dir, [node.trial.trial]);
      else if (node?.kind === 'run') {
        const best = readRun(node.summary.dir).done?.best?.trial ?? node.summary.best?.trial;
        if (best) await dashboards.openTrials(node.summary.dir, [best]);
      }
    },

    async exportArchitecture(args) {
      const found = trialOf(args);
      if (!found) return;
      const { dir, run, trial } = found;
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(path.dirname(run.manifest.file), `${run.manifest.search}_trial${trial.trial}.nas`)),
        filters: { 'NAS file': ['nas'] },
        title: `Export trial ${trial.trial} as .nas`,
      });
      if (!target) return;
      const text = rebaseImports(await architectureText(cli, run.manifest, trial), dir, path.dirname(target.fsPath));
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
      await vscode.window.showTextDocument(target);
    },

    async exportPytorch(args) {
      const found = trialOf(args);
      if (!found) return;
      const { run, trial } = found;
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(path.dirname(run.manifest.file), `${run.manifest.search}_trial${trial.trial}.py`)),
        filters: { Python: ['py'] },
        title: `Export trial ${trial.trial} as PyTorch`,
      });
      if (!target) return;
      // The CLI in a child process: the exporter is the core's (the extension never loads it).
      const args_ = pytorchExportArgs(run.manifest, trial, target.fsPath);
      try {
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting trial ${trial.trial} to PyTorch…` }, () =>
          runCli(cli, args_),
        );
      } catch (e) {
        log.appendLine(`nas ${args_.join(' ')}: ${(e as Error).message}`);
        void vscode.window.showErrorMessage(`NAS Studio: cannot export trial ${trial.trial} to PyTorch: ${(e as Error).message.split('\n')[0]}`);
        return;
      }
      await vscode.window.showTextDocument(target, { preview: false });
    },

    async deleteRun(args) {
      const dir = await runDirOf(args, (s) => s !== 'running', 'delete');
      if (!dir) return;
      if (sessions.has(dir)) {
        void vscode.window.showWarningMessage(`NAS Studio: ${path.basename(dir)} is running; cancel it first.`);
        return;
      }
      const ok = await vscode.window.showWarningMessage(
        `Delete the run ${path.basename(dir)} and its trials? This cannot be undone.`,
        { modal: true, detail: dir },
        'Delete',
      );
      if (ok !== 'Delete') return;
      deleteRun(dir);
      tree.refresh();
    },

    async sortTrials(args) {
      const dir = await runDirOf(args, () => true, 'order');
      if (!dir) return;
      const run = readRun(dir);
      const metrics = [...new Set(run.trials.flatMap((t) => Object.keys(t.metrics)))];
      const best = run.done?.best;
      const metric = await vscode.window.showQuickPick(
        metrics.map((m) => ({ label: m, description: best?.metrics[m] !== undefined ? `best: ${formatMetric(m, best.metrics[m]!)}` : undefined })),
        { title: 'Order the trials by' },
      );
      if (metric) tree.sortBy(dir, metric.label);
    },

    restoreDashboard(panel, state) {
      dashboards.restore(panel, state);
    },
  };
}
