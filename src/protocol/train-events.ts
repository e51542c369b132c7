/**
 * The NDJSON event stream of `nas train --json` (one JSON object per line on stdout), for
 * scripts and for the editor, which runs the CLI as a child process. It follows the
 * convention of `nas search --json` (search-events.ts): every line names its kind in `event`,
 * fields are camelCase;
 * a run prints `start`, then `progress` lines (at most about two a second, and the last batch
 * of every epoch), an `epoch` line per completed epoch (and `saved` when the checkpoint was
 * written), and ends with exactly one of `done`, `cancelled` or `error`. Documented in
 * docs/cli.md ("nas train").
 */

/** 2: `event` and camelCase fields (1 had `type` and snake_case). */
export const TRAIN_EVENTS_VERSION = 2;

export interface TrainStartEvent {
  event: 'start';
  version: typeof TRAIN_EVENTS_VERSION;
  /** The network trained: a network's name, a space's name with the architecture, or the embedded demo. */
  model: string;
  /** The .nas file, absent for the embedded demo. */
  file?: string;
  /** The architecture's canonical encoding (`nas sample --json`), for an architecture of a space. */
  arch?: string;
  params: number;
  /** Multiply-accumulates per image (the cost model's), absent for the embedded demo. */
  macs?: number;
  /** Channels, height, width of an input image. */
  input: [number, number, number];
  backend: string;
  /** What `--data` named, and what was opened. */
  data: string;
  dataDescription: string;
  classes: number;
  trainImages: number;
  valImages: number;
  epochs: number;
  batch: number;
  stepsPerEpoch: number;
  /** The estimated peak memory of a training step (model builder networks). */
  memoryEstimateBytes?: number;
}

export interface TrainProgressEvent {
  event: 'progress';
  epoch: number;
  /** 1-based, of `batches`. */
  batch: number;
  batches: number;
  /** Global step, 1-based. */
  step: number;
  loss: number;
  acc: number;
  lr: number;
  imagesPerSecond: number;
}

/** A completed epoch (validation included); the fields `nas train --json` printed before events existed. */
export interface TrainEpochEvent {
  event: 'epoch';
  epoch: number;
  epochs: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  lr: number;
  imagesPerSecond: number;
  seconds: number;
  backend: string;
  data: string;
}

export interface TrainSavedEvent {
  event: 'saved';
  file: string;
  epoch: number;
}

export interface TrainDoneEvent {
  event: 'done';
  epochs: number;
  valAcc: number;
  valLoss: number;
  seconds: number;
  /** The checkpoint written, if --save was given. */
  saved?: string;
}

export interface TrainCancelledEvent {
  event: 'cancelled';
  completedEpochs: number;
  /** The checkpoint file and the epoch it holds (the last completed one), if any was written. */
  saved?: string;
  savedEpoch?: number;
}

export interface TrainErrorEvent {
  event: 'error';
  message: string;
  /** The exit code that follows: 1 (the data or the training failed) or 2 (usage or I/O). */
  exitCode: 1 | 2;
}

export type TrainEventLine = TrainStartEvent | TrainProgressEvent | TrainEpochEvent | TrainSavedEvent | TrainDoneEvent | TrainCancelledEvent | TrainErrorEvent;
