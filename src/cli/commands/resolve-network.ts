/**
 * Which network a command about one network works on (`nas train FILE`, `nas export FILE`):
 * `--network NAME` (a network, or a space with `--arch`), else the file's first network;
 * `--arch ENCODING` picks one architecture of a space by its canonical encoding (`nas sample
 * FILE --json` prints them). The result is the elaborated network; nothing of the training
 * engine is loaded here, so that commands other than `nas train` start without it.
 */
import { formatDiagnostic, loadFiles, modelsOf, UsageError } from '../load.js';
import { elaborate, type Decider, type ElaborationResult } from '../../core/semantics/evaluator/index.js';
import { decodeDecisions } from '../../core/semantics/space.js';
import type { Definition } from '../../core/language/syntax/generated/ast.js';

/** The .nas input has errors (diagnostics, or an architecture the encoding does not give): exit 1. */
export class TrainInputError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

export interface ResolvedNetwork {
  readonly result: ElaborationResult;
  /** The network, or the space the architecture is of. */
  readonly def: Definition;
  /** `Net`, or the space's name. */
  readonly label: string;
  readonly file: string;
  readonly arch?: string;
  readonly macs: number;
}

function parseEncoding(arch: string): Map<string, number> {
  const parts = arch.split(';').filter((p) => p !== '');
  for (const p of parts) {
    if (!/^.+=\d+$/.test(p)) throw new UsageError(`--arch: '${p}' is not KEY=OPTION (the encodings nas sample --json prints)`);
  }
  return decodeDecisions(parts.join(';'));
}

/** The architecture of `space` that `arch` encodes, every one of its choices decided by it. */
function elaborateArchitecture(space: Definition, arch: string): ElaborationResult {
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

/** `verb` completes "has no network to ..." (train, export). */
export async function resolveNetwork(file: string, opts: { network?: string; arch?: string }, verb = 'train'): Promise<ResolvedNetwork> {
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
          : `${file} has no network to ${verb}`,
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
  return { result, def, label: def.name, file, arch: opts.arch, macs: result.graph.totals().macs };
}
