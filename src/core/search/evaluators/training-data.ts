/**
 * What the evaluators that run on the training engine (train, supernet, zero_cost) share: the
 * backend, the dataset named by their `data` setting (train, validation and test splits, a
 * subset of the training images), and a candidate's model spec. Problems found here stop the
 * search before its first trial (SearchSetupError); a candidate that cannot be built fails
 * only its own trial.
 */
import { currentBackend, selectBackend, type BackendSelection } from '../../train/backend.js';
import { DatasetError, openSplit, openTrainingData, parseDataSpec, splitTrainVal, type ImageSource, type TrainingData } from '../../train/data/index.js';
import { checkModelFitsData, checkTrainingMemory, describeModel, ModelBuildError, type ModelSpec } from '../../train/model-builder/index.js';
import type { ArchitectureSpace } from '../architecture-space.js';
import { SearchSetupError } from '../feasible.js';
import type { Candidate, Settings } from '../types.js';

export interface EvaluatorData extends TrainingData {
  /** The dataset's own test split, when it has one. */
  readonly test?: ImageSource;
}

export interface DataRequest {
  /** As `nas train --data` takes it. */
  readonly data: string;
  readonly seed: number;
  readonly valFraction: number;
  /** Training images kept (a seeded, class-balanced subset); 0: all. */
  readonly images: number;
  readonly withTest: boolean;
}

/** The input (channels, height, width) and outputs of a space's networks, from one elaboration. */
export interface SpaceShape {
  readonly input: readonly [number, number, number];
  readonly outputs: number;
}

export function spaceShape(space: ArchitectureSpace): SpaceShape {
  const r = space.elaborate(space.fromGenes(new Int32Array(space.keys.length)));
  if (!r.input || !r.output) throw new SearchSetupError(`space ${space.def.name} has no input or no output`);
  const o = r.output.shape;
  return { input: [r.input.c, r.input.h, r.input.w], outputs: o.c * o.h * o.w };
}

/** A seeded, class-balanced subset of about `images` images (all of them when it asks for as many or more). */
export function subsetOf(source: ImageSource, images: number, seed: number): ImageSource {
  if (images <= 0 || images >= source.length) return source;
  // The stratified split's held-out part is exactly such a subset.
  return splitTrainVal(source, images / source.length, seed ^ 0x5ab5e7).val;
}

export function openEvaluatorData(req: DataRequest, name: string, shape: SpaceShape): EvaluatorData {
  const [c, h, w] = shape.input;
  try {
    const spec = parseDataSpec(req.data);
    const opts = {
      seed: req.seed,
      valFraction: req.valFraction,
      // shapes10 is generated at the network's size; `images` sets how many.
      syntheticLength: req.images > 0 ? Math.ceil(req.images / (1 - req.valFraction)) : undefined,
      syntheticSize: h,
    };
    const d = openTrainingData(spec, opts);
    const t = d.train;
    if (c !== t.channels || h !== t.height || w !== t.width) {
      throw new SearchSetupError(`space ${name} takes ${c}x${h}x${w} images, the data (${t.description}) has ${t.channels}x${t.height}x${t.width}`);
    }
    if (shape.outputs < t.numClasses) throw new SearchSetupError(`space ${name} has ${shape.outputs} outputs, the data has ${t.numClasses} classes`);
    let test: ImageSource | undefined;
    if (req.withTest && spec.kind !== 'folder') test = openSplit(spec, 'test', opts);
    return { train: subsetOf(d.train, req.images, req.seed), val: d.val, stats: d.stats, test };
  } catch (e) {
    if (e instanceof DatasetError) throw new SearchSetupError(`data = "${req.data}": ${e.message}`);
    throw e;
  }
}

/** The process's training backend (the ladder's choice, made once). */
export async function trainingBackend(log: (line: string) => void): Promise<BackendSelection> {
  return currentBackend() ?? (await selectBackend({ log }));
}

/**
 * The model spec of a candidate, checked against the data (if any) and the backend's memory; a
 * problem is an Error whose message says why (the trial fails, the search goes on).
 */
export function candidateSpec(
  space: ArchitectureSpace,
  c: Candidate,
  data: TrainingData | undefined,
  batch: number,
  /** The tfjs backend whose memory limit is checked; undefined: another engine (PyTorch reports its own out-of-memory). */
  tfBackend: string | undefined,
): ModelSpec {
  const r = c.elaborate();
  const bad = r.diagnostics.find((d) => d.severity === 'error');
  if (bad) throw new Error(`the architecture does not elaborate: ${bad.message}`);
  let spec: ModelSpec;
  try {
    spec = describeModel(r, space.def, `${space.def.name}_${c.id.slice(0, 8)}`);
  } catch (e) {
    if (e instanceof ModelBuildError) throw new Error(e.message);
    throw e;
  }
  if (data) {
    const t = data.train;
    const misfit = checkModelFitsData(spec, { channels: t.channels, height: t.height, width: t.width, numClasses: t.numClasses, description: t.description });
    if (misfit) throw new Error(misfit);
  }
  const memory = tfBackend === undefined ? undefined : checkTrainingMemory(spec, batch, tfBackend);
  if (memory) throw new Error(memory);
  return spec;
}

/**
 * The data of the `train` evaluator at each fidelity, the same for both engines: the dataset
 * its settings name (at the full fidelity's image count with `fidelity = "images"`) and, for a
 * lower image fidelity, a seeded class-balanced subset of that many training images.
 */
export class FidelityData {
  readonly byImages: boolean;
  /** Ascending, when successive halving can use them. */
  readonly fidelities: readonly number[] | undefined;
  /** The full fidelity (epochs or images). */
  readonly full: number;
  private data: EvaluatorData | undefined;
  private readonly subsets = new Map<number, EvaluatorData>();

  constructor(private readonly settings: Settings) {
    this.byImages = settings['fidelity'] === 'images';
    const given = settings['fidelities'];
    this.fidelities = Array.isArray(given) && given.length > 1 ? [...given] : undefined;
    this.full = Array.isArray(given) ? given[given.length - 1]! : Number(settings['epochs']);
  }

  /** Opens the dataset (once); SearchSetupError when it cannot be used. */
  open(space: ArchitectureSpace): EvaluatorData {
    const s = this.settings;
    this.data ??= openEvaluatorData(
      {
        data: String(s['data']),
        seed: Number(s['seed']),
        valFraction: Number(s['val_fraction']),
        images: this.byImages ? this.full : Number(s['images']),
        withTest: s['test'] === true,
      },
      space.def.name,
      spaceShape(space),
    );
    return this.data;
  }

  /** The data of one fidelity: all of it, or (fidelity = images) a subset of that many training images. */
  at(fidelity: number): EvaluatorData {
    const data = this.data!;
    if (!this.byImages || fidelity >= this.full) return data;
    let d = this.subsets.get(fidelity);
    if (!d) this.subsets.set(fidelity, (d = { ...data, train: subsetOf(data.train, fidelity, Number(this.settings['seed'])) }));
    return d;
  }

  /** Epochs of a run at `fidelity`. */
  epochsAt(fidelity: number): number {
    return this.byImages ? Number(this.settings['epochs']) : fidelity;
  }
}

/** A fraction as a percentage without the float noise of the product (accuracies are counts over at most millions). */
export function percent(x: number): number {
  return Math.round(x * 1e11) / 1e9;
}
