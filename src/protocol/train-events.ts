/**
 * The NDJSON event stream of `nas train --json` (one JSON object per line on stdout), for
 * scripts and for the editor, which runs the CLI as a child process. Every line has a `type`;
 * a run prints `start`, then `progress` lines (at most about two a second, and the last batch
 * of every epoch), an `epoch` line per completed epoch (and `saved` when the checkpoint was
 * written), and ends with exactly one of `done`, `cancelled` or `error`. Documented in
 * docs/cli.md ("nas train").
 */

export const TRAIN_EVENTS_VERSION = 1;

export interface TrainStartEvent {
  type: 'start';
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
  data_description: string;
  classes: number;
  train_images: number;
  val_images: number;
  epochs: number;
  batch: number;
  steps_per_epoch: number;
  /** The estimated peak memory of a training step (model builder networks). */
  memory_estimate_bytes?: number;
}

export interface TrainProgressEvent {
  type: 'progress';
  epoch: number;
  /** 1-based, of `batches`. */
  batch: number;
  batches: number;
  /** Global step, 1-based. */
  step: number;
  loss: number;
  acc: number;
  lr: number;
  images_per_s: number;
}

/** A completed epoch (validation included); the fields `nas train --json` printed before events existed. */
export interface TrainEpochEvent {
  type: 'epoch';
  epoch: number;
  epochs: number;
  train_loss: number;
  train_acc: number;
  val_loss: number;
  val_acc: number;
  lr: number;
  images_per_s: number;
  seconds: number;
  backend: string;
  data: string;
}

export interface TrainSavedEvent {
  type: 'saved';
  file: string;
  epoch: number;
}

export interface TrainDoneEvent {
  type: 'done';
  epochs: number;
  val_acc: number;
  val_loss: number;
  seconds: number;
  /** The checkpoint written, if --save was given. */
  saved?: string;
}

export interface TrainCancelledEvent {
  type: 'cancelled';
  completed_epochs: number;
  /** The checkpoint file and the epoch it holds (the last completed one), if any was written. */
  saved?: string;
  saved_epoch?: number;
}

export interface TrainErrorEvent {
  type: 'error';
  message: string;
  /** The exit code that follows: 1 (the data or the training failed) or 2 (usage or I/O). */
  exit_code: 1 | 2;
}

export type TrainEventLine = TrainStartEvent | TrainProgressEvent | TrainEpochEvent | TrainSavedEvent | TrainDoneEvent | TrainCancelledEvent | TrainErrorEvent;
