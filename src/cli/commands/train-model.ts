/**
 * Which network `nas train FILE` trains: `--network NAME` (a network, or a space with
 * `--arch`), else the file's first network; `--arch ENCODING` picks one architecture of a
 * space by its canonical encoding (`nas sample FILE --json` prints them). The result is the
 * model builder's spec, checked against the data the network will see.
 */
import { formatDiagnostic, loadFiles, modelsOf, UsageError } from '../load.js';
import { elaborate, type Decider } from '../../core/semantics/evaluator/index.js';
import { decodeDecisions } from '../../core/semantics/space.js';
import { describeModel, ModelBuildError, type ModelSpec } from '../../core/train/model-builder/index.js';
import type { Definition } from '../../core/language/syntax/generated/ast.js';

/** The .nas input has errors (diagnostics, or an architecture the encoding does not give): exit 1. */
export class TrainInputError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

export interface NasModel {
  spec: ModelSpec;
  /** `Net`, or `Space[arch id]`. */
  label: string;
  file: string;
  arch?: string;
  macs: number;
}

function parseEncoding(arch: string): Map<string, number> {
  const parts = arch.split(';').filter((p) => p !== '');
  for (const p of parts) {
    if (!/^.+=\d+$/.test(p)) throw new UsageError(`--arch: '${p}' is not KEY=OPTION (the encodings nas sample --json prints)`);
  }
  return decodeDecisions(parts.join(';'));
}

/** The architecture of `space` that `arch` encodes, every one of its choices decided by it. */
function elaborateArchitecture(space: Definition, arch: string) {
  const decisions = parseEncoding(arch);
  const missing: string[] = [];
  const outOfRange: string[] = [];
  const decider: Decider = {
    decide(key, options) {
      const v = decisions.get(key);
      if (v === undefined) {
        missing.push(key);
        return 0;
      }
      if (v >= options) {
        outOfRange.push(`${key}=${v} (it has ${options} options)`);
        return 0;
      }
      return v;
    },
  };
  const result = elaborate(space, { decider });
  const reached = new Set(result.trace.map((t) => t.key));
  const unknown = [...decisions.keys()].filter((k) => !reached.has(k));
  const problems = [
    ...outOfRange.map((k) => `option out of range: ${k}`),
    ...missing.map((k) => `the encoding does not decide ${k}`),
    ...unknown.map((k) => `the encoding decides ${k}, which this architecture does not reach`),
  ];
  if (problems.length) throw new TrainInputError([`--arch does not name an architecture of space ${space.name}:`, ...problems.map((p) => `  ${p}`)]);
  return result;
}

export async function resolveNasModel(file: string, opts: { network?: string; arch?: string }): Promise<NasModel> {
  const [loaded] = await loadFiles([file]);
  const errors = loaded!.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new TrainInputError(errors.map(formatDiagnostic));
  const models = modelsOf(loaded!.root, opts.network);
  let def: Definition | undefined;
  if (opts.network) def = models[0];
  else def = opts.arch ? models.find((m) => m.kind === 'space') : models.find((m) => m.kind === 'network');
  if (!def) {
    const spaces = models.filter((m) => m.kind === 'space').map((m) => m.name);
    throw new UsageError(
      opts.arch
        ? `${file} has no space for --arch`
        : spaces.length
          ? `${file} has no network, only the space${spaces.length > 1 ? 's' : ''} ${spaces.join(', ')}: choose an architecture with --arch ENCODING (nas sample ${file} --json prints encodings)`
          : `${file} has no network to train`,
    );
  }
  if (def.kind === 'space' && !opts.arch) {
    throw new UsageError(`${def.name} is a space: choose an architecture with --arch ENCODING (nas sample ${file} --json prints encodings)`);
  }
  if (def.kind === 'network' && opts.arch) throw new UsageError(`${def.name} is a network, not a space: --arch does not apply`);
  const result = def.kind === 'space' ? elaborateArchitecture(def, opts.arch!) : elaborate(def);
  if (result.diagnostics.some((d) => d.severity === 'error')) {
    throw new TrainInputError([`${def.name}: the architecture has errors: ${result.diagnostics.find((d) => d.severity === 'error')!.message}`]);
  }
  let spec: ModelSpec;
  try {
    spec = describeModel(result, def);
  } catch (e) {
    if (e instanceof ModelBuildError) throw new TrainInputError([`${def.name}: ${e.message}`]);
    throw e;
  }
  return { spec, label: def.name, file, arch: opts.arch, macs: result.graph.totals().macs };
}

/**
 * Whether a network fits the data: the same image shape, and at least as many outputs as the
 * data has classes (extra outputs are logits no label selects, as in PyTorch). Undefined or
 * the reason it does not.
 */
export function checkModelFitsData(
  spec: ModelSpec,
  data: { channels: number; height: number; width: number; numClasses: number; description: string },
): string | undefined {
  const [c, h, w] = spec.input;
  if (c !== data.channels || h !== data.height || w !== data.width) {
    return `${spec.name} takes ${c}x${h}x${w} images (input(${c}, ${h}, ${w})), the data (${data.description}) has ${data.channels}x${data.height}x${data.width}`;
  }
  const out = spec.nodes[spec.output]!.shape;
  const outputs = out[0] * out[1] * out[2];
  if (outputs < data.numClasses) return `${spec.name} has ${outputs} outputs, the data has ${data.numClasses} classes`;
  return undefined;
}
