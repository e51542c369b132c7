/**
 * `nas search --json` (the search engine's runner) → its reader (the editor's search view,
 * scripts): the `setup` event, progress of the work an evaluator does before the first trial
 * (the `supernet` evaluator trains or loads its supernet). One line per event on stdout, among
 * the search events of search-events.ts; docs/protocol.md describes it.
 */

export interface SetupEvent {
  event: 'setup';
  /** The evaluator doing the work (`supernet`). */
  evaluator: string;
  /**
   * `train`: a training step is done (throttled); `trained`: training finished and the result
   * was saved to `file`; `loaded`: a saved result was reused from `file`, nothing trained.
   */
  phase: 'train' | 'trained' | 'loaded';
  /** Steps done and planned (one batch each); on `loaded`, the steps the saved supernet was trained. */
  step: number;
  steps: number;
  epoch?: number;
  epochs?: number;
  /** Mean training loss and accuracy (0..1) of the current epoch. */
  loss?: number;
  accuracy?: number;
  /** Distinct paths (architectures) trained so far. */
  paths?: number;
  seconds: number;
  /** The saved supernet (safetensors). */
  file?: string;
}
