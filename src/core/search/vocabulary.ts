/**
 * The names a `search` block accepts and the settings each strategy and evaluator takes: one
 * table read by the editor's checks (src/core/validation) and by the search engine, so that
 * every name the language accepts runs and every setting is checked where it is written.
 * No imports: the language server loads this file.
 */

/** Metrics of the cost model: known for every architecture without evaluating it. */
export const COST_METRICS: ReadonlySet<string> = new Set(['macs', 'flops', 'params', 'activations']);

/** Metrics an evaluator may report (accuracy in percent; error = 100 - accuracy). */
export const EVALUATED_METRICS: ReadonlySet<string> = new Set(['accuracy', 'error', 'loss', 'latency', 'latency_batch', 'score']);

export const KNOWN_METRICS: ReadonlySet<string> = new Set([...EVALUATED_METRICS, ...COST_METRICS]);

export type SettingKind =
  | { readonly type: 'int'; readonly min: number; readonly max?: number }
  | { readonly type: 'number'; readonly min?: number; readonly max?: number; readonly above?: number }
  | { readonly type: 'string'; readonly values: readonly string[] }
  | { readonly type: 'bool' }
  /** A list of numbers, one per objective (a hypervolume reference point). */
  | { readonly type: 'numbers' }
  /** Free text (a dataset as `nas train --data` names it, a folder). */
  | { readonly type: 'text' }
  /** An ascending list of integers >= min (fidelities). */
  | { readonly type: 'ints'; readonly min: number };

export type SettingValue = number | string | boolean | readonly number[];

export interface SettingSpec {
  readonly name: string;
  readonly kind: SettingKind;
  /** Undefined: no default (the engine derives one, e.g. a reference point from the space). */
  readonly default?: SettingValue;
  readonly doc: string;
}

export interface StrategySpec {
  readonly name: string;
  /** Optimises one scalar (several objectives need the MnasNet reward's `target`). */
  readonly singleObjective: boolean;
  /** Proposes architectures without comparing results (random, grid): with several objectives and no `target` it returns the front. */
  readonly blind?: boolean;
  readonly settings: readonly SettingSpec[];
  readonly doc: string;
}

const int = (min: number, max?: number): SettingKind => ({ type: 'int', min, max });
const PROXIES = ['macs', 'params', 'flops', 'activations'];

/** MnasNet's reward ACC x (COST/target)^w (Tan et al., CVPR 2019): how a single-objective strategy scalarises two objectives. */
const REWARD: readonly SettingSpec[] = [
  { name: 'target', kind: { type: 'number', above: 0 }, doc: 'the cost target T of the reward ACC x (COST/T)^w (needed with two objectives)' },
  { name: 'w', kind: { type: 'number', max: 0 }, default: -0.07, doc: 'the exponent w of the soft reward (MnasNet: -0.07)' },
  {
    name: 'reward',
    kind: { type: 'string', values: ['soft', 'hard'] },
    default: 'soft',
    doc: 'soft: w on both sides of T; hard: no penalty below T and w = -1 above it (MnasNet)',
  },
];

/** Asynchronous successive halving (Li et al. 2020, ASHA) over an evaluator's fidelities. */
const HALVING: SettingSpec = {
  name: 'halving',
  kind: int(0),
  default: 0,
  doc: 'eta of successive halving over the evaluator fidelities: continue a candidate only if in the top 1/eta of its rung (0: off)',
};

/** Hypervolume reference point of a front. */
const REFERENCE: SettingSpec = {
  name: 'reference',
  kind: { type: 'numbers' },
  doc: 'hypervolume reference point, one value per objective (default: the worst of each)',
};

const WARMUP: readonly SettingSpec[] = [
  {
    name: 'warmup',
    kind: int(0),
    default: 0,
    doc: 'zero-cost warm-up (Abdelfattah et al. 2021): rank this many random architectures by `proxy` (free) and start from the best',
  },
  { name: 'proxy', kind: { type: 'string', values: PROXIES }, default: 'macs', doc: 'the cost-model metric that ranks warm-up architectures (larger first)' },
];

export const STRATEGIES: readonly StrategySpec[] = [
  { name: 'random', singleObjective: true, blind: true, settings: [...REWARD, REFERENCE, HALVING], doc: 'uniform samples from the feasible part of the space' },
  {
    name: 'grid',
    singleObjective: true,
    blind: true,
    settings: [...REWARD, REFERENCE, HALVING],
    doc: 'every architecture in decision order (small spaces); stops when the space is exhausted',
  },
  {
    name: 'local_search',
    singleObjective: true,
    settings: [...REWARD, ...WARMUP, HALVING],
    doc: 'best-improvement hill climbing over one-decision neighbours, restarting from a random architecture at a local optimum (White et al. 2021)',
  },
  {
    name: 'regularized_evolution',
    singleObjective: true,
    settings: [
      { name: 'population', kind: int(2), default: 10, doc: 'population size P' },
      { name: 'sample', kind: int(2), default: 3, doc: 'tournament size S (at most P)' },
      ...WARMUP,
      ...REWARD,
      HALVING,
    ],
    doc: 'aging evolution (Real et al., AAAI 2019): tournament of S, mutate the winner, remove the oldest',
  },
  {
    name: 'evolution',
    singleObjective: true,
    settings: [
      { name: 'population', kind: int(2), default: 10, doc: 'population size P' },
      { name: 'sample', kind: int(2), default: 3, doc: 'tournament size S (at most P)' },
      ...WARMUP,
      ...REWARD,
      HALVING,
    ],
    doc: 'non-aging tournament evolution (Real et al. 2017): as regularized evolution but removes the worst; with the supernet evaluator, SPOS (Guo et al. 2020)',
  },
  {
    name: 'nsga2',
    singleObjective: false,
    settings: [
      { name: 'population', kind: int(4), default: 20, doc: 'population size' },
      { name: 'crossover', kind: { type: 'number', min: 0, max: 1 }, default: 0.9, doc: 'probability of uniform crossover' },
      {
        name: 'mutation',
        kind: { type: 'number', min: 0, max: 1 },
        default: 0,
        doc: 'per-decision mutation probability (0: one over the number of decisions)',
      },
      {
        name: 'screen',
        kind: int(1),
        default: 1,
        doc: 'offspring drawn per evaluation; >1 picks the one with the largest predicted hypervolume gain (surrogate-assisted, Lu et al. 2020)',
      },
      {
        name: 'init',
        kind: { type: 'string', values: ['random', 'spread'] },
        default: 'random',
        doc: 'initial population: random, or spread evenly over the free cost objectives',
      },
      REFERENCE,
      HALVING,
    ],
    doc: 'NSGA-II (Deb et al. 2002): nondominated sorting, crowding distance, binary tournaments, uniform crossover and mutation',
  },
  {
    name: 'smnas',
    singleObjective: false,
    settings: [
      { name: 'population', kind: int(2), default: 16, doc: 'population of each stage' },
      { name: 'structural', kind: { type: 'number', above: 0, max: 1 }, default: 0.5, doc: 'fraction of the budget for the structural stage' },
      {
        name: 'bar',
        kind: { type: 'number' },
        doc: 'accuracy bar of partial-order pruning (default: the median of the first objective so far)',
      },
      REFERENCE,
    ],
    doc: 'SM-NAS two-stage search (Yao et al., AAAI 2020): structure and resolution, then the modules inner settings, with partial-order pruning',
  },
  {
    name: 'reinforce',
    singleObjective: true,
    settings: [
      { name: 'lr', kind: { type: 'number', above: 0 }, default: 0.1, doc: 'learning rate of the policy logits' },
      { name: 'baseline', kind: { type: 'number', min: 0, max: 1 }, default: 0.9, doc: 'decay of the moving-average reward baseline' },
      { name: 'entropy', kind: { type: 'number', min: 0 }, default: 0.0001, doc: 'entropy bonus weight' },
      ...REWARD,
      HALVING,
    ],
    doc: 'REINFORCE (Williams 1992) on a factorised policy over the decisions (Zoph & Le 2017; ENAS, Pham et al. 2018) with a moving-average baseline',
  },
  {
    name: 'bayesian',
    singleObjective: true,
    settings: [
      { name: 'initial', kind: int(1), default: 10, doc: 'random architectures before the model is used' },
      { name: 'ensemble', kind: int(1), default: 5, doc: 'bootstrap models in the ensemble' },
      { name: 'candidates', kind: int(1), default: 100, doc: 'candidates scored by the acquisition per step (mutations of the best and random samples)' },
      {
        name: 'acquisition',
        kind: { type: 'string', values: ['its', 'ucb'] },
        default: 'its',
        doc: 'independent Thompson sampling or an upper confidence bound',
      },
      ...REWARD,
      HALVING,
    ],
    doc: 'BANANAS-style Bayesian optimisation (White et al., AAAI 2021): an ensemble of predictors on the one-hot decision encoding',
  },
];

export const KNOWN_STRATEGIES: ReadonlySet<string> = new Set(STRATEGIES.map((s) => s.name));

export interface EvaluatorSpec {
  readonly name: string;
  /** Runs on the training engine (tfjs), which the CLI loads only for these. */
  readonly training?: boolean;
  /** Metrics it reports besides the cost model's. */
  readonly metrics: readonly string[];
  readonly settings: readonly SettingSpec[];
  readonly doc: string;
}

/** Zero-cost proxies (src/core/train/proxies); `synflow+naswot` sums the two's ranks... see docs/search.md. */
export const ZERO_COST_PROXIES = ['synflow', 'naswot', 'grad_norm', 'snip'];

/** The data and length of training, shared by the evaluators that train. */
const TRAINING_DATA: readonly SettingSpec[] = [
  {
    name: 'data',
    kind: { type: 'text' },
    default: 'shapes10',
    doc: 'the dataset, as `nas train --data` names it: shapes10 (embedded), fashion-mnist, cifar10:DIR, cifar100:DIR, mnist:DIR, folder:DIR',
  },
  { name: 'images', kind: int(0), default: 0, doc: 'training images used, a seeded class-balanced subset of the training split (0: all)' },
  { name: 'val_fraction', kind: { type: 'number', above: 0, max: 0.5 }, default: 0.1, doc: 'fraction of the training split held out for validation' },
  { name: 'augment', kind: { type: 'bool' }, default: false, doc: 'random crop and horizontal flip (short runs learn faster without)' },
  { name: 'seed', kind: int(0), default: 0, doc: 'seed of initialisation, subset, split and shuffling (the same for every candidate)' },
];

/** SGD with momentum and a cosine schedule (src/core/train/loop.ts). */
const SGD: readonly SettingSpec[] = [
  { name: 'batch', kind: int(1, 4096), default: 64, doc: 'batch size' },
  { name: 'lr', kind: { type: 'number', above: 0, max: 10 }, default: 0.1, doc: 'peak learning rate (cosine-annealed per step to 0)' },
  { name: 'momentum', kind: { type: 'number', min: 0, max: 1 }, default: 0.9, doc: 'SGD momentum' },
  { name: 'weight_decay', kind: { type: 'number', min: 0 }, default: 0.0005, doc: 'L2 weight decay' },
];

/** Measured inference time (src/core/train/latency.ts), taken when an objective or constraint names it. */
/** The engine of the training evaluators (`train`, `supernet`); the CLI resolves `auto` (src/cli/commands/search-engine.ts). */
const ENGINE: SettingSpec = {
  name: 'engine',
  kind: { type: 'string', values: ['auto', 'tfjs', 'torch'] },
  default: 'auto',
  doc: 'the training engine: tfjs (in process), torch (PyTorch workers: `nas search --python`, NAS_PYTHON), auto (torch when a Python with torch sees a CUDA GPU, else tfjs)',
};

const LATENCY_BATCH: SettingSpec = {
  name: 'latency_batch',
  kind: int(1, 4096),
  default: 32,
  doc: 'batch of the `latency_batch` metric (ms per batch); `latency` is ms at batch 1; both medians of 10 runs after 3 warm-up runs',
};

export const NB201_DATASETS = ['cifar10', 'cifar100', 'imagenet16-120'];
export const NB201_COLUMNS = ['acc12', 'acc200', 'acc200_one_seed'];

export const EVALUATORS: readonly EvaluatorSpec[] = [
  {
    name: 'benchmark',
    metrics: ['accuracy', 'error'],
    settings: [
      {
        name: 'table',
        kind: { type: 'string', values: ['nb201'] },
        default: 'nb201',
        doc: 'the tabular benchmark (NAS-Bench-201, shipped inside the product)',
      },
      { name: 'dataset', kind: { type: 'string', values: NB201_DATASETS }, default: 'cifar10', doc: 'the benchmark dataset' },
      {
        name: 'fitness',
        kind: { type: 'string', values: NB201_COLUMNS },
        default: 'acc12',
        doc: 'the column the search sees: 12-epoch test accuracy (one seed), 200-epoch (mean over seeds) or 200-epoch of one seed',
      },
      { name: 'report', kind: { type: 'string', values: NB201_COLUMNS }, default: 'acc200', doc: 'the column reported for the chosen architecture' },
    ],
    doc: 'NAS-Bench-201 accuracies (Dong & Yang, ICLR 2020) looked up instead of training',
  },
  { name: 'cost', metrics: [], settings: [], doc: 'cost-model metrics only (params, MACs, FLOPs, activations); no training' },
  {
    name: 'fake',
    metrics: ['accuracy', 'error', 'loss', 'latency'],
    settings: [
      { name: 'noise', kind: { type: 'number', min: 0 }, default: 1, doc: 'amplitude of the deterministic per-architecture noise (accuracy points)' },
      { name: 'delay', kind: int(0, 60_000), default: 0, doc: 'milliseconds each evaluation waits (to test progress and cancellation)' },
      { name: 'fail', kind: { type: 'number', min: 0, max: 1 }, default: 0, doc: 'fraction of architectures whose evaluation fails (deterministic)' },
    ],
    doc: 'a deterministic stand-in for training: accuracy rises with log MACs plus hashed noise; for tests, demos and benchmarks',
  },
  {
    name: 'train',
    metrics: ['accuracy', 'error', 'loss', 'latency', 'latency_batch'],
    training: true,
    settings: [
      ...TRAINING_DATA,
      { name: 'epochs', kind: int(1, 10_000), default: 3, doc: 'epochs of the full fidelity (with `fidelity = "epochs"` and no `fidelities`)' },
      ...SGD,
      {
        name: 'fidelity',
        kind: { type: 'string', values: ['epochs', 'images'] },
        default: 'epochs',
        doc: 'what the `fidelities` count: epochs, or training images (a seeded, class-balanced subset trained for `epochs`)',
      },
      {
        name: 'fidelities',
        kind: { type: 'ints', min: 1 },
        doc: 'ascending fidelities for successive halving (`halving = eta` in the strategy); the last is the full one (default: one fidelity)',
      },
      { name: 'patience', kind: int(0), default: 0, doc: 'early stopping: stop when validation accuracy has not improved for this many epochs (0: off)' },
      { name: 'seconds', kind: { type: 'number', min: 0 }, default: 0, doc: 'time limit of one trial in seconds: a trial over it fails (0: none)' },
      {
        name: 'test',
        kind: { type: 'bool' },
        default: true,
        doc: "report the fully trained candidate's accuracy on the dataset's test split (not seen by the search)",
      },
      LATENCY_BATCH,
      ENGINE,
      { name: 'slots', kind: int(1, 64), default: 1, doc: 'torch engine: trials at once per GPU (or CPU workers without one)' },
      { name: 'amp', kind: { type: 'bool' }, default: false, doc: 'torch engine: mixed precision on CUDA (torch.autocast)' },
      { name: 'channels_last', kind: { type: 'bool' }, default: false, doc: 'torch engine: channels-last memory format' },
    ],
    doc: 'trains each candidate on real data and scores it on held-out validation images',
  },
  {
    name: 'supernet',
    metrics: ['accuracy', 'error', 'loss', 'latency', 'latency_batch'],
    training: true,
    settings: [
      ...TRAINING_DATA,
      { name: 'epochs', kind: int(1, 10_000), default: 10, doc: 'epochs of supernet training (one uniformly sampled path per batch)' },
      ...SGD,
      {
        name: 'calibration',
        kind: int(0),
        default: 20,
        doc: "batches of training images that recompute a subnet's batch-norm statistics before it is scored",
      },
      { name: 'val_images', kind: int(0), default: 0, doc: 'validation images a subnet is scored on (0: the whole validation split)' },
      {
        name: 'share',
        kind: { type: 'string', values: ['shapes', 'slices'] },
        default: 'slices',
        doc: "slices (default): one largest tensor per op, each option a slice of it (leading channels, centred kernel; SPOS's channel search); shapes: options share a tensor only with the same op and shape",
      },
      { name: 'cache', kind: { type: 'text' }, doc: 'folder of saved supernets (default: $XDG_CACHE_HOME/nas-studio/supernets, else ~/.cache/...)' },
      {
        name: 'seconds',
        kind: { type: 'number', min: 0 },
        default: 0,
        doc: "torch engine: time limit of one candidate's scoring in seconds; over it the trial fails and the worker is restarted (0: none)",
      },
      LATENCY_BATCH,
      ENGINE,
    ],
    doc: 'weight sharing (SPOS, Guo et al. 2020): one supernet trained once per space, each candidate scored with inherited weights',
  },
  {
    name: 'zero_cost',
    metrics: ['score', 'latency', 'latency_batch'],
    training: true,
    settings: [
      {
        name: 'proxy',
        kind: { type: 'string', values: ZERO_COST_PROXIES },
        default: 'synflow',
        doc: 'the proxy: synflow (Tanaka et al. 2020), naswot (Mellor et al. 2021), grad_norm, snip (Lee et al. 2019), or a combination',
      },
      { name: 'data', kind: { type: 'text' }, default: 'shapes10', doc: 'the minibatch source, as `nas train --data` (synflow needs none)' },
      { name: 'batch', kind: int(1, 4096), default: 64, doc: 'images in the one minibatch' },
      { name: 'seed', kind: int(0), default: 0, doc: 'initialisation and minibatch seed' },
      LATENCY_BATCH,
    ],
    doc: 'zero-cost proxies: a score at initialisation from one minibatch, no training (Abdelfattah et al. 2021)',
  },
];

export const KNOWN_EVALUATORS: ReadonlySet<string> = new Set(EVALUATORS.map((e) => e.name));

/**
 * Evaluators the language names but nothing runs yet: the editor warns and the CLI refuses
 * with this message. The training work removes names from here as it implements them.
 */
export const PENDING_EVALUATORS: ReadonlySet<string> = new Set<string>();

export function pendingEvaluatorMessage(name: string): string {
  const runnable = EVALUATORS.filter((e) => !PENDING_EVALUATORS.has(e.name)).map((e) => e.name);
  return `evaluator \`${name}\` is not implemented yet; evaluators that run: ${runnable.join(', ')}`;
}

export function strategySpec(name: string): StrategySpec | undefined {
  return STRATEGIES.find((s) => s.name === name);
}

export function evaluatorSpec(name: string): EvaluatorSpec | undefined {
  return EVALUATORS.find((e) => e.name === name);
}
