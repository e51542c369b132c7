/**
 * Writing an architecture of a space readably (docs/dsl.md, "Fixed architectures"): the
 * decisions, recorded while the space elaborates with them, grouped by address (address.ts)
 * into a `with` block that resolve.ts reads back to the same decisions. Input decisions and
 * the op decisions after them print as `(op, input)` pairs, as DARTS's genotypes do, when
 * every input gets an op; else every decision of the line prints alone.
 */
import type { AstNode } from 'langium';
import type { InstancePath } from '../evaluator/choice-keys.js';
import { unrankCombination } from '../evaluator/combinatorics.js';
import type { Decider } from '../evaluator/types.js';
import type { Value } from '../values.js';
import { addressOf, type Address } from './address.js';
import { optionNamesOf, type OptionNames } from './options.js';

export interface DecisionRecord {
  readonly key: string;
  readonly taken: number;
  readonly site: AstNode;
  readonly address: Address;
  readonly options: OptionNames;
}

/** Decides as `decisions` say (option 0 for keys it lacks) and records each decision with its address. */
export class RecordingDecider implements Decider {
  readonly records: DecisionRecord[] = [];
  constructor(private readonly decisions: ReadonlyMap<string, number>) {}

  decide(key: string, n: number, site: AstNode, path?: InstancePath, values?: readonly Value[]): number {
    const taken = Math.min(Math.max(0, this.decisions.get(key) ?? 0), n - 1);
    this.records.push({ key, taken, site, address: addressOf(site, path), options: optionNamesOf(site, n, values) });
    return taken;
  }
}

/** An option no text can name (an unnamed option in a choice whose options are numbers). */
export class UnwritableDecision extends Error {}

/** A `with` block's entries: lines, and cells' groups of lines, in the order decisions meet them. */
export type Entry = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'cell'; readonly name: string; readonly lines: readonly string[] };

export function readableEntries(records: readonly DecisionRecord[]): Entry[] {
  interface Line {
    readonly name: string | undefined;
    readonly records: DecisionRecord[];
  }
  // Slots in the order decisions meet them: a cell (its lines inside) or a line of the space.
  const slots = new Map<string, { cell: string | undefined; lines: Map<string, Line> }>();
  for (const r of records) {
    const cell = r.address.cell?.name;
    const lineId = r.address.line !== undefined ? `=${r.address.line}` : `#${r.address.lineBreak}`;
    const slotId = cell !== undefined ? `cell ${cell}` : `line ${lineId}`;
    let slot = slots.get(slotId);
    if (!slot) slots.set(slotId, (slot = { cell, lines: new Map() }));
    let line = slot.lines.get(lineId);
    if (!line) slot.lines.set(lineId, (line = { name: r.address.line, records: [] }));
    line.records.push(r);
  }
  const entries: Entry[] = [];
  for (const slot of slots.values()) {
    const lines = [...slot.lines.values()].map((l) => {
      const items = lineItems(l.records).join(', ');
      return l.name === undefined ? items : `${l.name} = ${items}`;
    });
    if (slot.cell === undefined) entries.push({ kind: 'line', text: lines[0]! });
    else entries.push({ kind: 'cell', name: slot.cell, lines });
  }
  return entries;
}

/** A line's items: with (op, input) pairs where every input decision's inputs get an op. */
function lineItems(records: readonly DecisionRecord[]): string[] {
  interface Slot {
    readonly input: string;
    op?: string;
  }
  const items: Array<string | Slot> = [];
  const pending: Slot[] = [];
  for (const r of records) {
    if (r.options.subset || r.options.input) {
      for (const i of chosen(r)) {
        const slot: Slot = { input: elementName(r, i) };
        items.push(slot);
        pending.push(slot);
      }
    } else if (pending.length > 0) pending.shift()!.op = optionName(r);
    else items.push(r.address.input !== undefined ? { input: r.address.input, op: optionName(r) } : plain(r));
  }
  if (items.every((x) => typeof x === 'string' || x.op !== undefined)) return items.map((x) => (typeof x === 'string' ? x : `(${x.op}, ${x.input})`));
  return records.map(plain);
}

function chosen(r: DecisionRecord): number[] {
  const s = r.options.subset;
  return s ? unrankCombination(s.elements.length, s.k, r.taken) : [r.taken];
}

function elementName(r: DecisionRecord, i: number): string {
  const elements = r.options.subset?.elements ?? r.options.names;
  return elements[i] || String(i);
}

function plain(r: DecisionRecord): string {
  const value = r.options.subset
    ? `[${chosen(r)
        .map((i) => elementName(r, i))
        .join(', ')}]`
    : optionName(r);
  return r.address.name !== undefined ? `${r.address.name}: ${value}` : value;
}

function optionName(r: DecisionRecord): string {
  const name = r.options.names[r.taken];
  if (name) return name;
  if (r.options.names.some((x) => x !== '' && /^-?[0-9]/.test(x))) {
    throw new UnwritableDecision(`option ${r.taken} of the choice at ${r.key} has no name (label it: \`choice(name: option, ...)\`)`);
  }
  return String(r.taken);
}

export interface FixedNetworkText {
  /** The network's name. */
  readonly name: string;
  /** The space's name, with arguments when they differ from its defaults (`DARTS(C=36, N=6)`). */
  readonly space: string;
  /** Comment lines above the network. */
  readonly header?: readonly string[];
}

/** `network NAME = SPACE with { ... }`, canonically formatted (as `nas fmt` prints it). */
export function printFixedNetwork(records: readonly DecisionRecord[], o: FixedNetworkText): string {
  const out: string[] = (o.header ?? []).map((h) => `# ${h}`.trimEnd());
  const entries = readableEntries(records);
  if (entries.length === 0) {
    out.push(`network ${o.name} = ${o.space} with {}`);
    return out.join('\n') + '\n';
  }
  out.push(`network ${o.name} = ${o.space} with {`);
  for (const e of entries) {
    if (e.kind === 'line') out.push(`  ${e.text}`);
    else out.push(`  ${e.name} {`, ...e.lines.map((l) => `    ${l}`), '  }');
  }
  out.push('}');
  return out.join('\n') + '\n';
}

/** The entries on one line: `n1 = a; n2 = b, c; NormalCell { n0 = ...; ... }`. */
export function readableLine(records: readonly DecisionRecord[]): string {
  return readableEntries(records)
    .map((e) => (e.kind === 'line' ? e.text : `${e.name} { ${e.lines.join('; ')} }`))
    .join('; ');
}
