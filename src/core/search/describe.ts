/**
 * The one place that turns an architecture (a space and its decisions) into text, for trial
 * records, search results and the CLI. Two forms:
 * - `summary`: one line, the way papers write it: a NAS-Bench-201 architecture string, a
 *   DARTS genotype, or each decision as `name=option text` (the option as written in the
 *   space: `res=[608, 800]`, `neck=SingleLevel(256, head)`);
 * - `nas`: a fixed `network` that parses back to the same graph and costs (today the flat
 *   form of print-architecture.ts, headed by the summary).
 * A readable `.nas` form of a space with its decisions fixed replaces `nas` here only.
 */
import type { AstNode } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import { printArchitecture } from '../semantics/print-architecture.js';
import type { ArchitectureSpace } from './architecture-space.js';
import { DartsCodec } from './codecs/darts.js';
import { Nb201Codec } from './codecs/nb201.js';
import type { Arch } from './types.js';

export type ArchitectureForm = 'summary' | 'nas';

export interface DescribeOptions {
  /** The network's name in the `nas` form. */
  readonly name?: string;
  /** Comment lines above the network in the `nas` form. */
  readonly header?: readonly string[];
}

interface Codecs {
  readonly nb201?: Nb201Codec;
  readonly darts?: DartsCodec;
  labels?: string[];
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
  const r = space.elaborate(arch);
  if (!r.output) throw new Error(`the architecture does not elaborate: ${r.diagnostics[0]?.message ?? 'no output'}`);
  const name = options.name ?? `${space.def.name}_${space.id(arch).slice(0, 8)}`;
  return printArchitecture(r.graph, r.output.node, { name, header: [...(options.header ?? []), summary] });
}

function summaryLine(space: ArchitectureSpace, arch: Arch): string {
  const c = codecsOf(space);
  if (c.nb201) return c.nb201.format(arch);
  if (c.darts) return c.darts.format(arch);
  if (arch.encoding === '') return `${space.def.name} (no choices)`;
  c.labels ??= labels(space);
  const parts: string[] = [];
  arch.genes.forEach((o, i) => {
    if (o >= 0) parts.push(`${c.labels![i] ?? space.keys[i]!.key}=${optionText(space.keys[i]!.site, o)}`);
  });
  const line = parts.join(' ');
  // Long layer-wise spaces (SPOS: 20 decisions) read better as the option list.
  return line.length <= 240 ? line : `[${arch.genes.filter((o) => o >= 0).join(' ')}]`;
}

/** A name per key: the `let`, node or argument it is written in; numbered when several keys share one. */
function labels(space: ArchitectureSpace): string[] {
  const names = space.keys.map((k) => nameAround(k.site) ?? k.key);
  const count = new Map<string, number>();
  for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
  const seen = new Map<string, number>();
  return names.map((n) => {
    if (count.get(n)! === 1) return n;
    const i = seen.get(n) ?? 0;
    seen.set(n, i + 1);
    return `${n}.${i}`;
  });
}

function nameAround(site: AstNode): string | undefined {
  let prefix = '';
  for (let n: AstNode | undefined = site.$container; n; n = n.$container) {
    if (n.$type === 'Arg' && (n as ast.Arg).name && !prefix) prefix = (n as ast.Arg).name!;
    if (n.$type === 'Let' || (n.$type === 'Node' && (n as ast.Node).name)) {
      const name = (n as ast.Let | ast.Node).name!;
      return prefix ? `${name}.${prefix}` : name;
    }
    if (n.$type === 'OutputStmt') return prefix ? `output.${prefix}` : 'output';
    if (n.$type === 'Definition') break;
  }
  return prefix || undefined;
}

/** The option as written: the o-th argument of `choice(...)`, or the o-th element of `choice([...])`. */
function optionText(site: AstNode, o: number): string {
  if (site.$type !== 'Call') return `#${o}`;
  const call = site as ast.Call;
  const callee = call.callee.$type === 'Ref' ? (call.callee as ast.Ref).target?.$refText : undefined;
  if (callee !== 'choice') return `#${o}`;
  const args = call.args.filter((a) => !a.name);
  const expr =
    args.length === 1 && args[0]!.value.$type === 'ListLit' ? (args[0]!.value as ast.ListLit).items[o] : args.length > 1 ? args[o]?.value : undefined;
  const text = expr?.$cstNode?.text.replace(/\s+/g, ' ');
  return text && text.length <= 60 ? text : `#${o}`;
}
