/**
 * The one place that turns an architecture (a space and its decisions) into text, for trial
 * records, search results, `nas sample` and exports. Three forms:
 * - `summary`: one line, the way papers write it: a NAS-Bench-201 architecture string, a
 *   DARTS genotype, or the readable form's entries on one line
 *   (`res = [608, 800]; backbone = resnet50; ...`);
 * - `nas` (the default everywhere): the space with its decisions fixed, a few lines that read
 *   like the paper (`network X = DARTS with { NormalCell { n0 = (sep_conv_3x3, p0), ... } }`,
 *   semantics/readable/, docs/dsl.md "Fixed architectures"); it parses back, in a file that
 *   imports the space's, to the same graph and costs;
 * - `flat`: the same architecture as a self-contained network of primitive ops
 *   (print-architecture.ts), on request (`nas sample --flat`, the search's `describe`).
 */
import { AstUtils } from 'langium';
import * as path from 'node:path';
import { elaborate } from '../semantics/evaluator/index.js';
import { printArchitecture } from '../semantics/print-architecture.js';
import { printFixedNetwork, readableLine, RecordingDecider, UnwritableDecision, type DecisionRecord } from '../semantics/readable/print.js';
import type { ArchitectureSpace } from './architecture-space.js';
import { DartsCodec } from './codecs/darts.js';
import { Nb201Codec } from './codecs/nb201.js';
import type { Arch } from './types.js';

export type ArchitectureForm = 'summary' | 'nas' | 'flat';

/** Where a text that imports the space's file will be: a folder, or anywhere (an absolute path). */
export type ImportFrom = { readonly folder: string } | 'absolute';

export interface DescribeOptions {
  /** The network's name in the `nas` and `flat` forms. */
  readonly name?: string;
  /** Comment lines above the network in the `nas` and `flat` forms. */
  readonly header?: readonly string[];
  /**
   * The `nas` form starts with `import "..."` of the space's file, so that the text checks on
   * its own: relative to the folder it will be written in, or absolute.
   */
  readonly imports?: ImportFrom;
}

interface Codecs {
  readonly nb201?: Nb201Codec;
  readonly darts?: DartsCodec;
  /** The decisions of the first-options architecture (spaces without structural choices). */
  template?: DecisionRecord[];
}

/** The codecs that apply to a space (computed once per space, kept in its memo). */
export function codecsOf(space: ArchitectureSpace): Codecs {
  let c = space.memo.get('codecs') as Codecs | undefined;
  if (!c) {
    const nb201 = space.keys.length === 6 ? Nb201Codec.of(space) : undefined;
    const darts = space.keys.length === 24 ? DartsCodec.of(space) : undefined;
    c = { nb201: typeof nb201 === 'object' ? nb201 : undefined, darts: typeof darts === 'object' ? darts : undefined };
    space.memo.set('codecs', c);
  }
  return c;
}

export function describeArchitecture(space: ArchitectureSpace, arch: Arch, form: ArchitectureForm, options: DescribeOptions = {}): string {
  const summary = summaryLine(space, arch);
  if (form === 'summary') return summary;
  const name = options.name ?? defaultName(space, arch);
  // The paper's one-line form heads the text where it says more than the text (a benchmark
  // string, a genotype, the flat network's decisions).
  const c = codecsOf(space);
  const header = [...(options.header ?? [])];
  if (form === 'flat' || c.nb201 || c.darts) header.push(summary);
  if (form === 'nas') {
    try {
      return fixedText(space, arch, { ...options, name, header });
    } catch (e) {
      if (!(e instanceof UnwritableDecision)) throw e;
      if (!header.includes(summary)) header.push(summary);
      header.push(`the flat form: ${e.message}`);
    }
  }
  const r = space.elaborate(arch);
  if (!r.output) throw new Error(`the architecture does not elaborate: ${r.diagnostics[0]?.message ?? 'no output'}`);
  return printArchitecture(r.graph, r.output.node, { name, header });
}

/**
 * The `nas` form only, as every trial record carries it: undefined where a decision has no
 * name to write (the flat form is then on request, `nas sample --flat`, not in each record).
 */
export function readableArchitecture(space: ArchitectureSpace, arch: Arch, options: DescribeOptions & { summary?: string } = {}): string | undefined {
  const c = codecsOf(space);
  const header = [...(options.header ?? [])];
  if (c.nb201 || c.darts) header.push(options.summary ?? summaryLine(space, arch));
  try {
    return fixedText(space, arch, { ...options, name: options.name ?? defaultName(space, arch), header });
  } catch (e) {
    if (e instanceof UnwritableDecision) return undefined;
    throw e;
  }
}

function defaultName(space: ArchitectureSpace, arch: Arch): string {
  return `${space.def.name}_${space.id(arch).slice(0, 8)}`;
}

/** `network NAME = SPACE with { ... }` (after an import of the space's file when asked); throws UnwritableDecision. */
function fixedText(space: ArchitectureSpace, arch: Arch, o: DescribeOptions & { name: string; header: string[] }): string {
  // A space without structural choices writes every architecture from one recorded
  // elaboration (as the summary does): the search writes this text for every trial.
  const records = space.structural ? recordsOf(space, arch) : fromTemplate(space, codecsOf(space), arch);
  const text = printFixedNetwork(records, { name: o.name, space: space.def.name, header: o.header });
  return o.imports !== undefined ? `${importLine(space, o.imports)}\n${text}` : text;
}

/** The decisions of `arch` with their addresses, from one elaboration. */
function recordsOf(space: ArchitectureSpace, arch: Arch): DecisionRecord[] {
  const decider = new RecordingDecider(space.decisions(arch));
  elaborate(space.def, { decider });
  return decider.records;
}

/** `import "..."` of the space's file, followed by a blank line (kept per folder: every trial record starts with it). */
export function importLine(space: ArchitectureSpace, from: ImportFrom): string {
  const key = `import ${from === 'absolute' ? '' : from.folder}`;
  let line = space.memo.get(key) as string | undefined;
  if (line === undefined) space.memo.set(key, (line = writeImportLine(space, from)));
  return line;
}

function writeImportLine(space: ArchitectureSpace, from: ImportFrom): string {
  const file = AstUtils.getDocument(space.def).uri.fsPath.replace(/\.nas$/, '');
  if (from === 'absolute') return `import ${JSON.stringify(file.split(path.sep).join('/'))}\n`;
  const rel = path.relative(from.folder, file).split(path.sep).join('/');
  return `import ${JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`)}\n`;
}

function summaryLine(space: ArchitectureSpace, arch: Arch): string {
  const c = codecsOf(space);
  if (c.nb201) return c.nb201.format(arch);
  if (c.darts) return c.darts.format(arch);
  if (arch.encoding === '') return `${space.def.name} (no choices)`;
  try {
    return readableLine(space.structural ? recordsOf(space, arch) : fromTemplate(space, c, arch));
  } catch (e) {
    if (!(e instanceof UnwritableDecision)) throw e;
    return `[${arch.genes.filter((o) => o >= 0).join(' ')}]`;
  }
}

/**
 * A space without structural choices reaches the same keys in the same order whatever it
 * decides: its summary substitutes the options into one recorded elaboration (the search
 * prints one per trial).
 */
function fromTemplate(space: ArchitectureSpace, c: Codecs, arch: Arch): DecisionRecord[] {
  c.template ??= recordsOf(space, space.fromGenes(new Int32Array(space.keys.length)));
  return c.template.map((r) => {
    const i = space.keyIndexOf(r.key);
    return i === undefined ? r : { ...r, taken: arch.genes[i]! };
  });
}
