/**
 * `nas export --run DIR [--trial N | --best]`: which architecture of a search run to export.
 * The run directory (src/core/search/store.ts) names the `.nas` file and the space in
 * run.json; each trial's encoding is in trials.jsonl, the chosen one in result.json. Problems
 * with the run are usage errors (exit 2); an encoding the changed file no longer has is the
 * input's error (exit 1, from resolve-network.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasWorkspace } from '../../core/workspace.js';
import type { Document } from '../../core/language/syntax/generated/ast.js';
import { RunStore, RunStoreError } from '../../core/search/store.js';
import type { DoneEvent } from '../../protocol/search-events.js';
import { loadFiles, UsageError } from '../load.js';
import { sourceHash } from './search.js';

export interface RunArchitecture {
  /** The searched `.nas` file (absolute, as run.json records it). */
  readonly file: string;
  /** The space the run searched. */
  readonly space: string;
  readonly encoding: string;
  readonly trial: number;
  /** Set when the file changed since the run (its hash differs). */
  readonly changed: boolean;
}

function readDone(dir: string): DoneEvent | undefined {
  const file = path.join(dir, 'result.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as DoneEvent;
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/** The trial `trial` of the run in `dir`, or its chosen architecture (trial undefined). */
export async function runArchitecture(dir: string, trial: number | undefined): Promise<RunArchitecture> {
  let store: RunStore;
  try {
    store = RunStore.read(dir);
  } catch (e) {
    if (e instanceof RunStoreError) throw new UsageError(e.message);
    throw e;
  }
  const { meta, trials } = store;
  let n = trial;
  if (n === undefined) {
    const done = readDone(dir);
    if (!done) throw new UsageError(`${dir} has no result.json (the run did not finish): name a trial with --trial N (1 to ${trials.length})`);
    if (!done.best) throw new UsageError(`the run in ${dir} has no chosen architecture (no trial succeeded)`);
    n = done.best.trial;
  }
  const record = trials.find((t) => t.trial === n);
  if (!record) {
    throw new UsageError(`the run in ${dir} has no trial ${n} (${trials.length ? `trials 1 to ${trials.length}` : 'no trial recorded'})`);
  }
  if (record.status === 'error') throw new UsageError(`trial ${n} of the run in ${dir} failed (${record.error ?? 'no message'}): nothing to export`);
  if (!fs.existsSync(meta.file)) throw new UsageError(`the run's file ${meta.file} no longer exists`);
  const ws = new NasWorkspace();
  const [loaded] = await loadFiles([meta.file], ws);
  const changed = sourceHash(ws, loaded!.doc.parseResult.value as Document, loaded!.doc.uri) !== meta.sourceHash;
  return { file: meta.file, space: meta.space, encoding: record.encoding, trial: n, changed };
}
