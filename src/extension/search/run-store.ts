/**
 * Run directories as the editor reads them (docs/search.md, "Runs"): `run.json`, the trials
 * recorded so far in `trials.jsonl` and, once the search ended, `result.json`. Read-only: a
 * torn last line (a trial in flight when the process died) is skipped, never truncated, since
 * the CLI that resumes the run owns the files. Free of the vscode API (vitest runs it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunManifest, RunStatus } from '../../protocol/dashboard.js';
import type { DoneEvent, TrialRecord } from '../../protocol/search-events.js';

/** The run format this editor reads (src/core/search/store.ts `RUN_FORMAT`). */
export const RUN_FORMAT = 1;

export interface StoredRun {
  dir: string;
  name: string;
  manifest: RunManifest;
  trials: TrialRecord[];
  done?: DoneEvent;
  /** From the files alone: a live process's runs are `running`, which only the runner knows. */
  status: Exclude<RunStatus, 'running' | 'failed'>;
}

/** What the runs explorer shows of a run without keeping its trials. */
export interface RunSummary {
  dir: string;
  name: string;
  manifest: RunManifest;
  status: StoredRun['status'];
  trials: number;
  failed: number;
  /** The chosen architecture (result.json), else the best trial by the first objective. */
  best?: { trial: number; metric: string; value: number };
  /** Nondominated feasible trials by the run's objectives (several objectives), else undefined. */
  frontSize?: number;
}

export class RunReadError extends Error {}

export function isRunDirectory(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'run.json'));
}

export function readManifest(dir: string): RunManifest {
  let m: RunManifest;
  try {
    m = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunManifest;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RunReadError(missing ? `${dir} is not a run directory (no run.json)` : `cannot read ${path.join(dir, 'run.json')}: ${(e as Error).message}`);
  }
  if (m.format !== RUN_FORMAT) throw new RunReadError(`${dir} was written in run format ${m.format}; this version reads format ${RUN_FORMAT}`);
  if (typeof m.search !== 'string' || !Array.isArray(m.objectives)) throw new RunReadError(`${path.join(dir, 'run.json')} is not a run description`);
  return m;
}

/** The complete lines of trials.jsonl; a torn or unreadable line ends the list (as resume does). */
export function readTrials(dir: string): TrialRecord[] {
  const file = path.join(dir, 'trials.jsonl');
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const trials: TrialRecord[] = [];
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start);
    if (end < 0) break;
    try {
      trials.push(JSON.parse(text.slice(start, end)) as TrialRecord);
    } catch {
      break;
    }
    start = end + 1;
  }
  return trials;
}

export function readResult(dir: string): DoneEvent | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')) as DoneEvent;
  } catch {
    return undefined;
  }
}

export function statusOf(done: DoneEvent | undefined): StoredRun['status'] {
  if (!done) return 'interrupted';
  return done.stopped === 'cancelled' ? 'cancelled' : 'finished';
}

export function readRun(dir: string): StoredRun {
  const manifest = readManifest(dir);
  const trials = readTrials(dir);
  const done = readResult(dir);
  return { dir, name: path.basename(dir), manifest, trials, done, status: statusOf(done) };
}

export function summarizeRun(run: StoredRun): RunSummary {
  const { manifest, trials, done } = run;
  const objective = manifest.objectives[0];
  let best: RunSummary['best'];
  if (done?.best && objective) {
    const value = done.best.metrics[objective.metric];
    if (value !== undefined) best = { trial: done.best.trial, metric: objective.metric, value };
  } else if (objective) {
    const sign = objective.direction === 'maximize' ? 1 : -1;
    for (const t of usable(trials)) {
      const v = t.metrics[objective.metric];
      if (v !== undefined && (!best || sign * v > sign * best.value)) best = { trial: t.trial, metric: objective.metric, value: v };
    }
  }
  const frontSize = manifest.objectives.length > 1 ? (done ? done.pareto.length : nondominatedCount(trials, manifest.objectives)) : undefined;
  return {
    dir: run.dir,
    name: run.name,
    manifest,
    status: run.status,
    trials: trials.length,
    failed: trials.filter((t) => t.status === 'error').length,
    best,
    frontSize,
  };
}

/** Trials that can be chosen: evaluated without error and meeting the evaluated constraints. */
function usable(trials: readonly TrialRecord[]): TrialRecord[] {
  return trials.filter((t) => t.status === 'ok' && t.feasible !== false);
}

/** The size of the nondominated set, keeping the front as it grows (each trial is compared with the front only). */
export function nondominatedCount(trials: readonly TrialRecord[], objectives: RunManifest['objectives']): number {
  let front: number[][] = [];
  for (const t of usable(trials)) {
    const v = objectives.map((o) => (o.direction === 'maximize' ? -1 : 1) * (t.metrics[o.metric] ?? NaN));
    if (v.some((x) => Number.isNaN(x))) continue;
    if (front.some((f) => dominatesOrEquals(f, v))) continue;
    front = front.filter((f) => !dominatesOrEquals(v, f));
    front.push(v);
  }
  return front.length;
}

function dominatesOrEquals(a: readonly number[], b: readonly number[]): boolean {
  return a.every((x, i) => x <= b[i]!);
}

/** Removes a run directory; refuses a folder that is not a run (no run.json), so a wrong path deletes nothing. */
export function deleteRun(dir: string): void {
  if (!isRunDirectory(dir)) throw new RunReadError(`${dir} is not a run directory (no run.json); nothing was deleted`);
  fs.rmSync(dir, { recursive: true, force: true });
}
