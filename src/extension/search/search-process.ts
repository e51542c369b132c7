/**
 * One `nas search --json` child process: its NDJSON events parsed as they arrive, its stderr
 * as log lines, and how it ended. The search never runs in the extension host: a trainer that
 * blocks, leaks or crashes takes down only its own process.
 *
 * Cancel stops the whole process tree. On POSIX the child leads a process group of its own
 * (`detached`), so SIGINT reaches it and whatever it started (a training worker); the CLI
 * finishes the trial in flight, writes its result and exits 130. Whatever is still alive after
 * the grace period gets SIGKILL. Either way the run stays resumable: every finished trial was
 * appended to trials.jsonl with one write. On Windows, where there is no SIGINT to send to
 * another console's process, `taskkill /T /F` ends the tree at once.
 *
 * Free of the vscode API, so that vitest runs it against the real CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { DoneEvent, SearchEvent, StartEvent } from '../../protocol/search-events.js';
import type { RunStatus } from '../../protocol/dashboard.js';
import { LineSplitter } from './ndjson.js';

/** How long a cancelled search has to finish its trial in flight before it is killed. */
export const CANCEL_GRACE_MS = 5_000;
/** The exit code of `nas search` stopped by SIGINT (src/cli/commands/search.ts). */
export const EXIT_CANCELLED = 130;
/** The exit code of the CLI's internal errors (src/cli/main.ts). */
const EXIT_INTERNAL_ERROR = 70;
/** Lines of stderr kept to explain a failure. */
const STDERR_KEPT = 20;

export interface SearchCommand {
  /** The Node executable: the editor's own (process.execPath, run as Node) or `node`. */
  node: string;
  /**
   * The CLI launcher, bin/nas.cjs (it calls dist/cli.cjs's `main`; the bundle alone only
   * exports it). The vsix ships both.
   */
  cli: string;
  /** `search FILE --search NAME --out DIR --json`, or `search --resume DIR --json`. */
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export interface SearchOutcome {
  status: Exclude<RunStatus, 'running'>;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The run directory, from the start event. */
  run?: string;
  done?: DoneEvent;
  /** Why it failed: the search's error event, else the end of stderr. */
  message?: string;
  /** Whether `nas search --resume` can continue it. */
  resumable: boolean;
}

export interface SearchProcessHandlers {
  event?(e: SearchEvent): void;
  /** A line of stderr, or a stdout line that is not an event. */
  log?(line: string, stream: 'stdout' | 'stderr'): void;
}

export class SearchProcess {
  readonly exited: Promise<SearchOutcome>;
  start: StartEvent | undefined;
  done: DoneEvent | undefined;
  private readonly child: ChildProcess;
  private cancelRequested = false;
  private killTimer: ReturnType<typeof setTimeout> | undefined;
  private searchError: string | undefined;
  private readonly stderrTail: string[] = [];
  private outcome: SearchOutcome | undefined;

  constructor(
    command: SearchCommand,
    private readonly handlers: SearchProcessHandlers = {},
  ) {
    this.child = spawn(command.node, [command.cli, ...command.args], {
      cwd: command.cwd,
      // ELECTRON_RUN_AS_NODE makes the editor's Electron binary behave as Node; Node ignores it.
      env: { ...(command.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const out = new LineSplitter();
    const err = new LineSplitter();
    this.child.stdout!.on('data', (chunk: Buffer) => out.push(chunk).forEach((l) => this.stdoutLine(l)));
    this.child.stderr!.on('data', (chunk: Buffer) => err.push(chunk).forEach((l) => this.stderrLine(l)));
    this.exited = new Promise((resolve) => {
      let spawnError: Error | undefined;
      this.child.on('error', (e) => (spawnError = e));
      // 'close' comes after both pipes ended, so every event has been read.
      this.child.on('close', (code, signal) => {
        out.end().forEach((l) => this.stdoutLine(l));
        err.end().forEach((l) => this.stderrLine(l));
        clearTimeout(this.killTimer);
        this.outcome = this.judge(code, signal, spawnError);
        resolve(this.outcome);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.outcome === undefined;
  }

  /** Asks the search to stop (SIGINT to its process group), then kills what is left after `graceMs`. */
  cancel(graceMs = CANCEL_GRACE_MS): Promise<SearchOutcome> {
    if (this.outcome) return this.exited;
    this.cancelRequested = true;
    if (process.platform === 'win32') {
      this.killTree();
      return this.exited;
    }
    this.signalGroup('SIGINT');
    clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => this.killTree(), graceMs);
    return this.exited;
  }

  /** Ends the process tree now (the window is closing, or the grace period ran out). */
  killTree(): void {
    if (this.outcome) return;
    if (process.platform === 'win32') {
      if (this.child.pid !== undefined) spawn('taskkill', ['/pid', String(this.child.pid), '/T', '/F'], { windowsHide: true }).on('error', () => undefined);
      return;
    }
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already (ESRCH); the child alone, should it not lead one.
      try {
        this.child.kill(signal);
      } catch {
        // gone
      }
    }
  }

  private stdoutLine(line: string): void {
    if (!line.trim()) return;
    let e: SearchEvent | undefined;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (parsed && typeof parsed === 'object' && typeof (parsed as { event?: unknown }).event === 'string') e = parsed as SearchEvent;
    } catch {
      // not an event
    }
    if (!e) {
      this.handlers.log?.(line, 'stdout');
      return;
    }
    if (e.event === 'start') this.start = e;
    else if (e.event === 'done') this.done = e;
    else if (e.event === 'error' && e.trial === undefined) this.searchError = e.message;
    this.handlers.event?.(e);
  }

  private stderrLine(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_KEPT) this.stderrTail.shift();
    this.handlers.log?.(line, 'stderr');
  }

  private judge(code: number | null, signal: NodeJS.Signals | null, spawnError: Error | undefined): SearchOutcome {
    const run = this.start?.run ?? this.done?.run;
    const base = { exitCode: code, signal, run, done: this.done };
    if (spawnError) return { ...base, status: 'failed', message: `the search could not start: ${spawnError.message}`, resumable: false };
    // A start event means the run directory holds run.json: whatever happens next, it resumes.
    const recorded = this.start?.run !== undefined;
    if (this.done?.stopped === 'cancelled' || code === EXIT_CANCELLED || (this.cancelRequested && code !== 0)) {
      return { ...base, status: 'cancelled', resumable: recorded };
    }
    if (code === 0) return { ...base, status: 'finished', resumable: false };
    if (code === null) {
      return { ...base, status: 'interrupted', resumable: recorded, message: `the search process was killed (${signal ?? 'no exit code'})` };
    }
    const message = this.searchError ?? (this.stderrTail.filter((l) => l.trim()).join('\n') || `nas search exited with ${code}`);
    // Exit 1 and 2 are refusals (the file, the settings, a changed source) that a resume would
    // meet again; an internal error (70) mid-run leaves the trials so far to continue from.
    return { ...base, status: 'failed', message, resumable: recorded && code === EXIT_INTERNAL_ERROR };
  }
}
