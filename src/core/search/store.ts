/**
 * A run directory: `run.json` (what was searched: the source files' hash, the search, the
 * strategy and evaluator settings, the product version), `trials.jsonl` (one line per
 * evaluation, appended with a write(2) as each finishes, so a killed process loses only the
 * trials in flight; the kernel keeps what was written), and at the end `result.json` (the
 * `done` event) and `best.nas` (the chosen network as .nas text).
 * Resuming reads the trials back, drops a torn last line, and continues appending.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DoneEvent, TrialRecord } from '../../protocol/search-events.js';
import { readSourceFileSync, SourceFileError } from '../source-files.js';

export const RUN_FORMAT = 1;
/** Bytes of `run.json` and of `trials.jsonl` read back (a trial's line is about a kilobyte). */
const MAX_META_BYTES = 1024 * 1024;
const MAX_TRIALS_BYTES = 256 * 1024 * 1024;

export interface RunMeta {
  format: number;
  /** `nas-studio x.y.z`. */
  product: string;
  /** The .nas file searched, as given. */
  file: string;
  /** sha256 of the file and every file it imports (language/imports), in load order. */
  sourceHash: string;
  search: string;
  space: string;
  strategy: { name: string; settings: Record<string, unknown> };
  evaluator: { name: string; settings: Record<string, unknown> };
  objectives: { metric: string; direction: string }[];
  constraints: string[];
  budget: { queries: number; seconds?: number };
  seed: number;
  created: string;
}

export class RunStoreError extends Error {}

export class RunStore {
  private fd: number | undefined;

  private constructor(
    readonly dir: string,
    readonly meta: RunMeta,
    readonly trials: TrialRecord[],
  ) {}

  /** Creates a new run directory; refuses one that already holds a run. */
  static create(dir: string, meta: RunMeta): RunStore {
    if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory())
      throw new RunStoreError(`cannot write the run directory ${dir}: it exists and is not a directory`);
    if (fs.existsSync(path.join(dir, 'run.json')) || fs.existsSync(path.join(dir, 'trials.jsonl'))) {
      throw new RunStoreError(`${dir} already holds a run (continue it with --resume ${dir}, or choose another --out)`);
    }
    try {
      fs.mkdirSync(dir, { recursive: true });
      writeAtomic(path.join(dir, 'run.json'), JSON.stringify(meta, null, 2) + '\n');
    } catch (e) {
      throw new RunStoreError(`cannot write the run directory ${dir}: ${(e as Error).message}`);
    }
    const store = new RunStore(dir, meta, []);
    store.open();
    return store;
  }

  /** Opens a run to continue it: its metadata and the complete trials recorded so far. */
  static resume(dir: string): RunStore {
    const store = RunStore.load(dir, true);
    store.open();
    return store;
  }

  /** Reads a run without changing it (`nas export --run`); nothing to close. */
  static read(dir: string): RunStore {
    return RunStore.load(dir, false);
  }

  /** The run's metadata and complete trials; `repair` cuts a torn last line off the file. */
  private static load(dir: string, repair: boolean): RunStore {
    let meta: RunMeta;
    // Regular files only, within a size: a FIFO or a link to /dev/zero in a run directory
    // would block or fill memory (core/source-files.ts reads without blocking).
    const metaText = readRunFile(path.join(dir, 'run.json'), MAX_META_BYTES);
    if (metaText === undefined) throw new RunStoreError(`${dir} is not a run directory (no run.json)`);
    try {
      meta = JSON.parse(metaText) as RunMeta;
    } catch (e) {
      throw new RunStoreError(`cannot read ${path.join(dir, 'run.json')}: ${(e as Error).message}`);
    }
    if (meta?.format !== RUN_FORMAT) throw new RunStoreError(`${dir} was written in run format ${meta?.format}; this product reads format ${RUN_FORMAT}`);
    const file = path.join(dir, 'trials.jsonl');
    const text = readRunFile(file, MAX_TRIALS_BYTES) ?? '';
    const trials: TrialRecord[] = [];
    let good = 0;
    for (let start = 0; start < text.length; ) {
      const end = text.indexOf('\n', start);
      if (end < 0) break; // a torn last line: the trial was in flight
      try {
        trials.push(JSON.parse(text.slice(start, end)) as TrialRecord);
      } catch {
        break;
      }
      good = end + 1;
      start = end + 1;
    }
    if (repair && good < text.length) fs.truncateSync(file, Buffer.byteLength(text.slice(0, good)));
    return new RunStore(dir, meta, trials);
  }

  append(t: TrialRecord): void {
    fs.writeSync(this.fd!, JSON.stringify(t) + '\n');
  }

  finish(done: DoneEvent): void {
    writeAtomic(path.join(this.dir, 'result.json'), JSON.stringify(done, null, 2) + '\n');
    if (done.best) writeAtomic(path.join(this.dir, 'best.nas'), done.best.nas);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    this.fd = fs.openSync(path.join(this.dir, 'trials.jsonl'), 'a');
  }
}

/** The text of a run's file; undefined if there is none; RunStoreError if it cannot be read. */
function readRunFile(file: string, limit: number): string | undefined {
  try {
    return readSourceFileSync(file, limit);
  } catch (e) {
    if (e instanceof SourceFileError && e.missing) return undefined;
    throw new RunStoreError(`cannot read ${e instanceof SourceFileError ? e.message : `${file}: ${(e as Error).message}`}`);
  }
}

/** Write to a temporary file and rename, so a reader never sees half a file. */
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
