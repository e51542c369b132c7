/**
 * Messages between the language server's main thread and the worker thread that computes
 * space figures (language-server/space-stats-worker.ts runs both sides). One job at a time;
 * the main thread terminates the worker to drop a job that takes too long or went stale.
 */
import type { SpaceFigures } from './figures.js';

/** The `workerData` the worker is started with, by which the bundle knows it runs as the worker. */
export const SPACE_STATS_WORKER_MARKER = 'nas-space-stats-worker';

/** Main thread → worker: compute the figures of space `name`. */
export interface SpaceStatsJob {
  /** Documents in dependency order (imports first); the last one holds the space. */
  documents: Array<{ uri: string; text: string }>;
  name: string;
}

/** Worker → main thread: the figures, or why there are none. */
export type SpaceStatsReply = { ok: true; stats: SpaceFigures } | { ok: false; message: string };
