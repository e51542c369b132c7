/**
 * The host (`nas train --engine torch`, src/core/torch/) <-> the PyTorch worker
 * (python/nas_torch_worker.py, a Python process): one JSON object per line, requests on the
 * worker's stdin, events on its stdout; its stderr is free text for logs. Documented in
 * docs/protocol.md ("The PyTorch worker"). Field names are snake_case because the Python side
 * reads and writes them as they are.
 */

/** Bumped when a message changes incompatibly; the worker says its own in `ready`. */
export const TORCH_WORKER_PROTOCOL = 1;

export interface TorchHelloRequest {
  type: 'hello';
}

/** Random crop with zero padding, then a horizontal flip (the training engine's augmentation). */
export interface TorchAugment {
  crop_padding: number;
  horizontal_flip: boolean;
}

/** The training engine's loop options (src/core/train/loop.ts), with the device's. */
export interface TorchTrainOptions {
  epochs: number;
  batch: number;
  lr: number;
  momentum: number;
  weight_decay: number;
  nesterov?: boolean;
  label_smoothing: number;
  warmup_epochs: number;
  min_lr?: number;
  schedule?: 'cosine' | 'constant';
  seed: number;
  /** Absent: no augmentation. */
  augment?: TorchAugment;
  eval_batch?: number;
  /** 'auto': CUDA when torch sees a GPU, else the CPU. */
  device: 'auto' | 'cpu' | 'cuda';
  /** Which GPU (`cuda:N`). */
  cuda_index?: number;
  /** Mixed precision (torch.autocast + GradScaler), CUDA only. */
  amp?: boolean;
  channels_last?: boolean;
  /** torch.set_num_threads on the CPU. */
  threads?: number;
  /** Steps excluded from the first epoch's images/s (warm-up: cuDNN autotuning, allocator). */
  untimed_steps?: number;
  /** Seconds between progress events. */
  progress_interval?: number;
  /** Stop after this many epochs without a better validation accuracy (0: never). */
  patience?: number;
  /** Train on the first this many images of the pack's training split (benchmarks, quick trials). */
  train_limit?: number;
  /** Validate on the first this many images of the validation split. */
  val_limit?: number;
  /** Evaluate the pack's `test` split after training. */
  evaluate_test?: boolean;
  /**
   * After training, time inference at these batch sizes on the job's device (median of 10
   * runs after 3 warm-up runs, as src/core/train/latency.ts); the `done` event's `latency_ms`.
   */
  latency_batches?: number[];
}

/**
 * The images of a job: a safetensors file the host writes (`{split}.x` U8 [N, H, W, C],
 * `{split}.y` I32 [N] for the splits train, val and optionally test), already split, with the
 * training split's per-channel statistics (pixel values in [0, 1]).
 */
export interface TorchDataPack {
  path: string;
  mean: number[];
  std: number[];
  /** Largest image tensor moved to the GPU whole (bytes); larger ones stay in host memory. */
  gpu_bytes?: number;
}

export interface TorchTrainRequest {
  type: 'train';
  /** Chosen by the host; every event of the job carries it. */
  id: string;
  /** The file `nas export --to pytorch` writes; its `Model` class is built. */
  model: { code: string; name: string };
  data: TorchDataPack;
  options: TorchTrainOptions;
  /** A checkpoint (safetensors, the engine's names and layouts) to start from. */
  init?: string;
  /** Where to write the checkpoint after every epoch (atomically). */
  save?: string;
  save_metadata?: Record<string, string>;
}

export interface TorchCancelRequest {
  type: 'cancel';
  id: string;
}

export interface TorchShutdownRequest {
  type: 'shutdown';
}

/**
 * One architecture of a supernet's space (python/nas_torch_supernet.py): the module `nas export
 * --to pytorch` writes, and the store key of each of its state-dict names (sharedWeightKeys,
 * src/core/train/supernet/weight-store.ts). Sent once per worker; later requests name its `id`.
 */
export interface TorchSupernetPath {
  id: string;
  code: string;
  keys: Record<string, string>;
}

export interface TorchSupernetOptions {
  /** `slices`: one largest tensor per op, each path a slice; `shapes`: a tensor per key (shape included). */
  share: 'slices' | 'shapes';
  /** Seeds the batches' shuffles and the initial values of new tensors. */
  seed: number;
  device: 'auto' | 'cpu' | 'cuda';
  cuda_index?: number;
  threads?: number;
}

/** Opens a supernet (an empty store, or one read from a cache file) on the data pack of the search. */
export interface TorchSupernetOpenRequest {
  type: 'supernet_open';
  id: string;
  /** The host's name for the store; later requests name it. */
  supernet: string;
  data: TorchDataPack;
  options: TorchSupernetOptions;
  /** A saved supernet (safetensors; the engine's layouts, the store's keys) to start from. */
  load?: string;
}

/** One epoch of SPOS: batch b of the epoch's shuffle trains `steps[b]` with one SGD step. */
export interface TorchSupernetTrainRequest {
  type: 'supernet_train';
  id: string;
  supernet: string;
  /** Paths first met in this epoch (the worker keeps those of earlier requests). */
  paths: TorchSupernetPath[];
  /** The path of each batch of the epoch, by id. */
  steps: string[];
  options: {
    epoch: number;
    batch: number;
    lr: number;
    momentum: number;
    weight_decay: number;
    seed: number;
    augment?: TorchAugment;
    /** Steps before this epoch and in the whole training (the cosine schedule's position). */
    first_step: number;
    total_steps: number;
    progress_interval?: number;
  };
}

/** Writes the store (the engine's layouts, float32; running counts int32) atomically to `file`. */
export interface TorchSupernetSaveRequest {
  type: 'supernet_save';
  id: string;
  supernet: string;
  file: string;
  metadata: Record<string, string>;
}

/** Scores one candidate with the weights it inherits, after recomputing its batch-norm statistics. */
export interface TorchSupernetScoreRequest {
  type: 'supernet_score';
  id: string;
  supernet: string;
  path: TorchSupernetPath;
  options: {
    /** Training batches (a fixed shuffle) that recompute the statistics; 0: the trained ones. */
    calibration: number;
    batch: number;
    seed: number;
    eval_batch?: number;
    latency_batches?: number[];
  };
}

export type TorchSupernetRequest = TorchSupernetOpenRequest | TorchSupernetTrainRequest | TorchSupernetSaveRequest | TorchSupernetScoreRequest;

/** A request that runs as a job: it ends with one `done`, `cancelled` or `error` event carrying its id. */
export type TorchJobRequest = TorchTrainRequest | TorchSupernetRequest;

export type TorchWorkerRequest = TorchHelloRequest | TorchJobRequest | TorchCancelRequest | TorchShutdownRequest;

/** The answer to `hello`. */
export interface TorchReadyEvent {
  type: 'ready';
  protocol: number;
  python: string;
  torch: string;
  cuda: boolean;
  gpus: number;
  device: 'cuda' | 'cpu';
  /** `NVIDIA H100 80GB HBM3`, or `CPU (8 threads)`. */
  device_name: string;
  cudnn: number | null;
  pid: number;
}

export interface TorchStartedEvent {
  type: 'started';
  id: string;
  params: number;
  device: 'cuda' | 'cpu';
  device_name: string;
  amp: boolean;
  channels_last: boolean;
  steps_per_epoch: number;
  train_images: number;
  val_images: number;
}

export interface TorchProgressEvent {
  type: 'progress';
  id: string;
  epoch: number;
  batch: number;
  batches: number;
  step: number;
  loss: number;
  acc: number;
  lr: number;
  images_per_s: number;
}

export interface TorchEpochEvent {
  type: 'epoch';
  id: string;
  epoch: number;
  epochs: number;
  train_loss: number;
  train_acc: number;
  val_loss: number;
  val_acc: number;
  lr: number;
  /** The whole epoch, validation included. */
  seconds: number;
  /** The training part of the epoch. */
  train_seconds: number;
  /** Training images per second (the first epoch without its `untimed_steps`). */
  images_per_s: number;
  /** The same images per second of the worker process's CPU time (all its threads). */
  cpu_images_per_s: number;
}

export interface TorchSavedEvent {
  type: 'saved';
  id: string;
  file: string;
  epoch: number;
}

export interface TorchDoneEvent {
  type: 'done';
  id: string;
  epochs: number;
  stopped_early: boolean;
  seconds: number;
  test?: { loss: number; acc: number };
  /** Milliseconds per inference batch, by batch size (as a string), when `latency_batches` asked. */
  latency_ms?: Record<string, number>;
  /** Supernet jobs: the store after the job (tensors held, steps trained; an epoch's mean loss and accuracy). */
  supernet?: { tensors: number; steps: number; loss?: number; acc?: number; params?: number; device?: 'cuda' | 'cpu'; device_name?: string };
  /** `supernet_score`: the candidate's validation loss and accuracy, and its weights no batch trained. */
  score?: { loss: number; acc: number; untrained: number };
}

export interface TorchCancelledEvent {
  type: 'cancelled';
  id: string;
  completed_epochs: number;
}

/**
 * A failed job (the worker lives on) or, without `id`, a failed request or a worker that
 * cannot start (`missing-torch`). `oom`: out of GPU (or host) memory; `diverged`: a non-finite
 * loss; `build`: the exported code does not build; `data`: the pack cannot be read.
 */
export interface TorchErrorEvent {
  type: 'error';
  id?: string;
  kind: 'oom' | 'diverged' | 'build' | 'data' | 'request' | 'internal' | 'missing-torch';
  message: string;
}

export type TorchWorkerEvent =
  | TorchReadyEvent
  | TorchStartedEvent
  | TorchProgressEvent
  | TorchEpochEvent
  | TorchSavedEvent
  | TorchDoneEvent
  | TorchCancelledEvent
  | TorchErrorEvent;
