/**
 * The PyTorch engine's host side: which Python runs it, the data packs it reads and the worker
 * process (python/nas_torch_worker.py) that trains the modules `nas export --to pytorch` writes,
 * and a pool of workers for several candidates at once (one or more per GPU).
 */
export { findTorchPython, workerScriptPath, TorchUnavailableError, type TorchPython } from './python';
export { writeDataPack } from './data-pack';
export { TorchWorker, type TorchJobEnd, type TorchJobOptions } from './worker';
export { TorchWorkerPool, torchSlots, type TorchSlot } from './pool';
