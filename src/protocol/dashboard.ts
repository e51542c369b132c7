/**
 * The messages of the search dashboard, declared once for the extension host
 * (src/extension/search/dashboard-panel.ts) and the webview (webview/dashboard/), and the
 * run directory's `run.json` as the extension reads it. The host sends nothing before the
 * webview's `ready`; the webview keeps what the user chose (axes, colour, table order) in
 * VS Code's webview state, which the host's serializer reads back after a window reload.
 */
import type { DoneEvent, TrialRecord } from './search-events.js';

/** The webview panel type (its serializer reopens a dashboard after a window reload). */
export const DASHBOARD_VIEW_TYPE = 'nas.dashboard';

/**
 * A run directory's `run.json`, as `nas search` writes it (src/core/search/store.ts `RunMeta`
 * has the same fields; test/extension/search-process.test.ts checks that one is assignable to
 * the other).
 */
export interface RunManifest {
  format: number;
  /** `nas-studio x.y.z`. */
  product: string;
  /** The searched .nas file, an absolute path. */
  file: string;
  sourceHash: string;
  search: string;
  space: string;
  strategy: { name: string; settings: Record<string, unknown> };
  evaluator: { name: string; settings: Record<string, unknown> };
  objectives: { metric: string; direction: string }[];
  /** As the engine writes them: `macs <= 100000000`, `accuracy >= 70`. */
  constraints: string[];
  budget: { queries: number; seconds?: number };
  seed: number;
  /** ISO time the run was created. */
  created: string;
}

/**
 * Where a run stands. `cancelled` and `interrupted` runs continue with `NAS: Resume Search`:
 * `cancelled` stopped when asked (its result.json says so), `interrupted` ended without a
 * result (the process was killed, the window closed).
 */
export type RunStatus = 'running' | 'finished' | 'cancelled' | 'interrupted' | 'failed';

/** What the dashboard is told about a run besides its trials. */
export interface RunInfo {
  /** The run directory, an absolute path: the run's identity. */
  dir: string;
  /** The directory's name (`NB201Pareto-1`). */
  name: string;
  manifest: RunManifest;
  status: RunStatus;
  /** Why a failed run failed (the CLI's message). */
  message?: string;
}

/** What the user chose, kept in the webview state (vscode.setState). */
export interface DashboardState {
  /** The run directory shown; the serializer reopens it. */
  dir: string;
  x?: string;
  y?: string;
  /** A metric, `trial` (the order of evaluation), or `none`. */
  color?: string;
  /** The trial table's order and filter. */
  sort?: { column: string; descending: boolean };
  filter?: string;
}

// ------------------------------------------------------------ host -> webview

export type DashboardHostMessage =
  /** The whole run (on open, on reload): every trial so far, the result if it ended. */
  | { type: 'run'; info: RunInfo; trials: TrialRecord[]; done?: DoneEvent }
  /** Trials that arrived since the last message (a live run), in trial order. */
  | { type: 'trials'; trials: TrialRecord[] }
  /** The run's status changed; `done` when it ended with a result. */
  | { type: 'status'; status: RunStatus; done?: DoneEvent; message?: string }
  /** The export command: the webview answers with `exported`. */
  | { type: 'export'; format: ExportFormat };

// ------------------------------------------------------------ webview -> host

export type ExportFormat = 'svg' | 'png' | 'csv';

export type DashboardWebviewMessage =
  /** Sent once the page can take messages, with the state it was restored with, if any. */
  | { type: 'ready'; state?: DashboardState }
  /** A click on a trial: open its architecture (graph view and .nas text). */
  | { type: 'open'; trial: number }
  /** Two selected trials: the architecture view's side-by-side comparison. */
  | { type: 'compare'; trials: [number, number] }
  /** The plot (SVG text, PNG bytes in base64) or the trial table (CSV text), to save. */
  | { type: 'exported'; format: ExportFormat; data: string; name: string }
  /** A failure the user should hear of. */
  | { type: 'error'; message: string };

/** The VS Code API of the dashboard webview (acquireVsCodeApi), typed with these messages. */
export interface DashboardWebviewApi {
  postMessage(message: DashboardWebviewMessage): void;
  getState(): DashboardState | undefined;
  setState(state: DashboardState): void;
}
