/**
 * One search run in the editor: the `nas search` process (search-process.ts), its progress in
 * a notification (trials / budget, best so far, front, time left) whose Cancel stops the
 * process tree, its log in the output channel, and listeners (the dashboard, the runs view)
 * that get each trial as it arrives.
 */
import * as vscode from 'vscode';
import type { RunStatus } from '../../protocol/dashboard.js';
import type { SearchEvent, TrialRecord } from '../../protocol/search-events.js';
import { RunProgress } from './run-progress.js';
import { SearchProcess, type SearchCommand, type SearchOutcome } from './search-process.js';

export interface SessionListener {
  /** The run directory exists (its run.json is written). */
  started(dir: string): void;
  trials(dir: string, trials: TrialRecord[]): void;
  status(dir: string, status: RunStatus, outcome?: SearchOutcome): void;
}

export class SearchSession {
  readonly progress = new RunProgress();
  readonly process: SearchProcess;
  status: RunStatus = 'running';
  outcome: SearchOutcome | undefined;

  constructor(
    /** The run directory (the process is told `--out` or `--resume` it). */
    readonly dir: string,
    readonly label: string,
    command: SearchCommand,
    private readonly log: vscode.OutputChannel,
    private readonly listener: SessionListener,
  ) {
    log.appendLine(`[${label}] ${command.args.join(' ')}`);
    this.process = new SearchProcess(command, {
      event: (e) => this.event(e),
      log: (line) => log.appendLine(`[${label}] ${line}`),
    });
    void this.process.exited.then((o) => this.ended(o));
  }

  private event(e: SearchEvent): void {
    this.progress.apply(e, Date.now());
    if (e.event === 'trial') {
      const { event: _event, replayed: _replayed, ...record } = e;
      this.listener.trials(this.dir, [record]);
    } else if (e.event === 'start') {
      this.listener.started(this.dir);
      this.log.appendLine(
        `[${this.label}] ${e.search}: space ${e.space} (${e.size} architectures), ${e.strategy.name}, ${e.evaluator.name}, budget ${e.budget.queries}${e.resumed ? `, ${e.resumed} trials replayed` : ''}`,
      );
      for (const n of e.notes) this.log.appendLine(`[${this.label}] note: ${n}`);
    } else if (e.event === 'setup' && e.phase !== 'train') {
      this.log.appendLine(`[${this.label}] ${e.evaluator}: ${e.phase === 'loaded' ? 'loaded' : 'trained and saved'} ${e.file ?? ''} (${e.steps} steps)`);
    } else if (e.event === 'error') {
      this.log.appendLine(`[${this.label}] ${e.trial ? `trial ${e.trial} failed: ` : 'error: '}${e.message}`);
    }
  }

  private ended(o: SearchOutcome): void {
    this.outcome = o;
    this.status = o.status;
    this.log.appendLine(
      `[${this.label}] ${o.status}${o.exitCode !== null ? ` (exit ${o.exitCode})` : o.signal ? ` (${o.signal})` : ''}${o.message ? `: ${o.message}` : ''}`,
    );
    this.listener.status(this.dir, o.status, o);
  }

  /** Shows the progress notification until the process ends; its Cancel cancels the search. */
  showProgress(): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `NAS search ${this.label}`, cancellable: true },
      (report, token) =>
        new Promise<void>((resolve) => {
          token.onCancellationRequested(() => void this.process.cancel());
          let reported = 0;
          const tick = () => {
            const p = this.progress;
            const budget = p.budget || 1;
            const increment = (100 * p.trials.length) / budget - reported;
            reported += increment;
            report.report({ message: p.describe(Date.now()), increment });
          };
          const timer = setInterval(tick, 500);
          void this.process.exited.then(() => {
            clearInterval(timer);
            tick();
            resolve();
          });
        }),
    );
  }
}
