/**
 * Reading a fixed network (`network X = S(args) with { ... }`, docs/dsl.md "Fixed
 * architectures") while its space elaborates: a `Decider` that answers each decision from the
 * `with` block by the decision's address (address.ts) and names its options as options.ts
 * does. Lines are read in decision order; an `(op, input)` pair gives an input decision
 * (`choose`, or a choice among tensors) its input and the next op decision of the line its
 * op, as DARTS's genotypes pair them. What cannot be read becomes a diagnostic on the text
 * (with what is allowed) and the first option, so that the rest still elaborates.
 */
import type { AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import type { InstancePath } from '../evaluator/choice-keys.js';
import { rankCombination } from '../evaluator/combinatorics.js';
import type { Decider, SemanticDiagnostic } from '../evaluator/types.js';
import { parseNumber } from '../numbers.js';
import { suggestName } from '../suggest.js';
import type { Value } from '../values.js';
import { addressOf, type Address } from './address.js';
import { formatNumber, optionNamesOf, type OptionNames } from './options.js';

/** A decision read from the text: what the editor shows for the item it was read from. */
export interface FixedBinding {
  /** The item, or the op or input of a pair, the decision was read from. */
  readonly node: AstNode;
  readonly key: string;
  readonly site: AstNode;
  readonly address: Address;
  readonly options: OptionNames;
  readonly taken: number;
}

interface LineState {
  /** The line (or the group, for positional decisions spread over lines). */
  readonly node: AstNode;
  readonly items: ast.FixedItem[];
  next: number;
  /** Ops of pairs whose input was read, for the op decisions that follow. */
  readonly pending: ast.FixedItem[];
  /** Decisions that found no item: how many, and what the first one allows. */
  missing: number;
  missingExpected: string;
  /** Decisions already reported missing (pairs short of an input decision's count). */
  excused: number;
  used: boolean;
}

interface GroupState {
  readonly node: ast.Fixed | ast.FixedGroup;
  readonly lines: Map<string, LineState>;
  readonly positional: LineState;
  used: boolean;
}

/** Decisions of a line or group the text does not have: counted, reported once. */
interface Absent {
  readonly cell: string | undefined;
  readonly line: string | undefined;
  count: number;
  expected: string;
}

export class FixedDecider implements Decider {
  readonly diagnostics: SemanticDiagnostic[] = [];
  readonly bindings: FixedBinding[] = [];
  private readonly groups = new Map<string, GroupState>();
  private readonly absent = new Map<string, Absent>();
  /** The lines each group has decisions in (named lines; '' for positional ones). */
  private readonly reached = new Map<string, Set<string>>();

  constructor(private readonly fixed: ast.Fixed) {
    this.addGroup(
      '',
      fixed,
      fixed.entries.filter((e): e is ast.FixedLine => e.$type === 'FixedLine'),
    );
    for (const e of fixed.entries) {
      if (e.$type !== 'FixedGroup') continue;
      const name = e.cell?.$refText;
      if (!name) continue;
      if (this.groups.has(name)) this.error(e, `the cell ${name} is fixed twice`, 'duplicate-name', 'cell');
      else this.addGroup(name, e, e.lines);
    }
  }

  private addGroup(name: string, node: ast.Fixed | ast.FixedGroup, lines: readonly ast.FixedLine[]): void {
    const positional: LineState = lineState(node, []);
    const named = new Map<string, LineState>();
    for (const l of lines) {
      if (l.name === undefined) positional.items.push(...l.items);
      else if (named.has(l.name)) this.error(l, `\`${l.name}\` is fixed twice`, 'duplicate-name', 'name');
      else named.set(l.name, lineState(l, l.items));
    }
    this.groups.set(name, { node, lines: named, positional, used: false });
  }

  decide(key: string, n: number, site: AstNode, path?: InstancePath, values?: readonly Value[]): number {
    const address = addressOf(site, path);
    const options = optionNamesOf(site, n, values);
    const groupName = address.cell?.name ?? '';
    let reached = this.reached.get(groupName);
    if (!reached) this.reached.set(groupName, (reached = new Set()));
    reached.add(address.line ?? '');
    const group = this.groups.get(groupName);
    const line = group && (address.line === undefined ? group.positional : group.lines.get(address.line));
    if (!group || !line) {
      this.noteAbsent(address, describeAllowed(options));
      return 0;
    }
    group.used = true;
    line.used = true;
    const d = { key, n, site, address, options };
    return options.subset || options.input ? this.readInput(line, d) : this.readOp(line, d);
  }

  /** An input decision: k pairs (their ops wait for the line's next op decisions), or one plain item. */
  private readInput(line: LineState, d: Decision): number {
    const subset = d.options.subset;
    const k = subset?.k ?? 1;
    const elements = subset?.elements ?? d.options.names;
    const first = line.items[line.next];
    if (!first) return this.noteMissing(line, d);
    if (first.op) {
      const pairs: ast.FixedItem[] = [];
      while (pairs.length < k && line.items[line.next]?.op) pairs.push(line.items[line.next++]!);
      const indices = this.inputs(
        pairs.map((p) => p.input!),
        elements,
        d,
      );
      if (pairs.length < k) {
        this.error(pairs[pairs.length - 1]!, `${where(d.address)} needs ${k} (op, input) pairs here, found ${pairs.length}`, 'fixed-missing');
        line.excused += k - pairs.length;
      }
      if (!indices || pairs.length < k) {
        // The ops still go to the op decisions that follow: one mistake is reported once.
        line.pending.push(...pairs);
        return 0;
      }
      const order = pairs.map((p, j) => ({ p, i: indices[j]! }));
      // choose(k, list) gives the chosen elements in list order: the ops follow that order.
      if (subset) order.sort((a, b) => a.i - b.i);
      line.pending.push(...order.map((o) => o.p));
      const taken = subset
        ? rankCombination(
            elements.length,
            order.map((o) => o.i),
          )
        : indices[0]!;
      for (const p of pairs) this.bind(p.input!, d, taken);
      return taken;
    }
    line.next++;
    if (first.name !== undefined) this.checkName(first, d.address);
    const v = first.value!;
    if (!subset) return this.option(v, d, first);
    if (v.$type !== 'FixedList' || v.items.length !== k) {
      this.error(
        v,
        `${where(d.address)} chooses ${k} inputs: write them as a list \`[${elements.slice(0, k).join(', ')}]\` or as ${k} (op, input) pairs (inputs: ${allowedElements(elements)})`,
        'fixed-input',
      );
      return 0;
    }
    const indices = this.inputs(v.items, elements, d);
    if (!indices) return 0;
    const taken = rankCombination(
      elements.length,
      [...indices].sort((x, y) => x - y),
    );
    this.bind(first, d, taken);
    return taken;
  }

  /** The indices of distinct inputs among `elements`, or undefined (reported). */
  private inputs(values: readonly ast.FixedValue[], elements: readonly string[], d: Decision): number[] | undefined {
    const indices: number[] = [];
    for (const v of values) {
      const i = this.element(v, elements, d);
      if (i === undefined) return undefined;
      if (indices.includes(i)) {
        this.error(v, `${where(d.address)} takes different inputs; \`${writtenText(v)}\` is given twice (inputs: ${allowedElements(elements)})`, 'fixed-input');
        return undefined;
      }
      indices.push(i);
    }
    return indices;
  }

  private readOp(line: LineState, d: Decision): number {
    const waiting = line.pending.shift();
    if (waiting) return this.option(waiting.op!, d, waiting.op!);
    const item = line.items[line.next];
    if (!item) return this.noteMissing(line, d);
    line.next++;
    if (item.op) {
      const input = writtenText(item.input!);
      if (d.address.input === undefined) {
        this.error(item.input!, `the input of ${where(d.address)} is not chosen here: write the op alone (\`${writtenText(item.op)}\`)`, 'fixed-input');
      } else if (input !== d.address.input) {
        this.error(item.input!, `this op of ${where(d.address)} is applied to \`${d.address.input}\`, not \`${input}\``, 'fixed-input');
      }
      return this.option(item.op, d, item.op);
    }
    if (item.name !== undefined) this.checkName(item, d.address);
    return this.option(item.value!, d, item);
  }

  private checkName(item: ast.FixedItem, address: Address): void {
    if (address.name === undefined) {
      this.error(item, `this decision of ${where(address)} has no name: write its option alone`, 'fixed-name', 'name');
    } else if (item.name !== address.name) {
      this.error(item, `expected the decision \`${address.name}\` here, found \`${item.name}\``, 'fixed-name', 'name');
    }
  }

  /** The option a value names (by name, or by position when no option is named by a number). */
  private option(v: ast.FixedValue, d: Decision, node: AstNode): number {
    const names = d.options.names;
    const i = lookup(v, names, d.n);
    if (typeof i === 'number') {
      this.bind(node, d, i);
      return i;
    }
    this.error(v, `${i} for ${where(d.address)} (${describeAllowed(d.options)})`, 'fixed-option');
    return 0;
  }

  /** The index of an input in the elements a decision chooses from, or undefined (reported). */
  private element(v: ast.FixedValue, elements: readonly string[], d: Decision): number | undefined {
    const i = lookup(v, elements, elements.length);
    if (typeof i === 'number') return i;
    this.error(v, `${i.replace('option', 'input')} for ${where(d.address)} (inputs: ${allowedElements(elements)})`, 'fixed-input');
    return undefined;
  }

  private bind(node: AstNode, d: Decision, taken: number): void {
    this.bindings.push({ node, key: d.key, site: d.site, address: d.address, options: d.options, taken });
  }

  private noteMissing(line: LineState, d: Decision): number {
    if (line.excused > 0) {
      line.excused--;
      return 0;
    }
    if (line.missing++ === 0) line.missingExpected = describeAllowed(d.options);
    return 0;
  }

  private noteAbsent(address: Address, expected: string): void {
    const id = `${address.cell?.name ?? ''}\u0000${address.line ?? ''}`;
    const known = this.absent.get(id);
    if (known) known.count++;
    else this.absent.set(id, { cell: address.cell?.name, line: address.line, count: 1, expected });
  }

  /**
   * After elaboration: decisions the text lacks, and text no decision read. An elaboration
   * that stopped early (an error in the space or its arguments) says neither.
   */
  finish(spaceName: string, complete: boolean): void {
    if (!complete) return;
    const missingCells = new Set<string>();
    for (const a of this.absent.values()) {
      const group = this.groups.get(a.cell ?? '');
      const what = `${a.count} decision${a.count === 1 ? '' : 's'}`;
      if (!group) {
        if (missingCells.has(a.cell!)) continue;
        missingCells.add(a.cell!);
        const lines = [...(this.reached.get(a.cell ?? '') ?? [])].filter(Boolean);
        this.error(
          this.fixed,
          `missing the genotype of cell ${a.cell}: add \`${a.cell} { ${lines.map((l) => `${l} = ...`).join(' ') || '...'} }\``,
          'fixed-missing',
          'space',
        );
      } else if (a.line !== undefined) {
        this.error(
          group.node,
          `missing \`${a.line} = ...\` (${what}; the first: ${a.expected})`,
          'fixed-missing',
          group.node.$type === 'Fixed' ? 'space' : 'cell',
        );
      } else {
        this.error(group.node, `missing ${what} in order (the first: ${a.expected})`, 'fixed-missing', group.node.$type === 'Fixed' ? 'space' : 'cell');
      }
    }
    for (const [name, group] of this.groups) {
      const reached = this.reached.get(name);
      if (name !== '' && !reached) {
        // An unknown name is the linker's to report.
        if (group.node.$type === 'FixedGroup' && !group.node.cell.ref) continue;
        const cells = [...this.reached.keys()].filter(Boolean);
        this.error(group.node, `${spaceName} has no cell ${name} with decisions${cells.length ? ` (cells: ${cells.join(', ')})` : ''}`, 'fixed-extra', 'cell');
        continue;
      }
      const named = [...(reached ?? [])].filter(Boolean);
      for (const [lineName, line] of group.lines) {
        if (!line.used) {
          const hint = suggestName(lineName, named);
          const inside = name ? `cell ${name}` : spaceName;
          this.error(
            line.node,
            `${inside} has no statement \`${lineName}\` that decides anything${hint ? `; did you mean \`${hint}\`?` : ''} (${named.length ? `statements with decisions: ${named.join(', ')}` : 'none is named'})`,
            'fixed-extra',
            'name',
          );
        } else this.reportLine(line, lineName);
      }
      this.reportLine(group.positional, undefined);
    }
  }

  private reportLine(line: LineState, name: string | undefined): void {
    const label = name === undefined ? 'the decisions in order' : `\`${name}\``;
    if (line.missing > 0) {
      const node = line.items[line.items.length - 1] ?? line.node;
      this.error(
        node,
        `${label} ${line.missing === 1 ? 'needs 1 more decision' : `need ${line.missing} more decisions`} (the next: ${line.missingExpected})`,
        'fixed-missing',
      );
    }
    const n = line.next;
    for (let i = line.next; i < line.items.length; i++) {
      this.error(
        line.items[i]!,
        `extra decision: ${label} ${name === undefined ? 'are' : 'is'} complete with the first ${n} item${n === 1 ? '' : 's'}`,
        'fixed-extra',
      );
    }
    for (const p of line.pending)
      this.error(p.op!, `no op decision follows for this pair: ${label} has no op to give \`${writtenText(p.op!)}\``, 'fixed-extra');
  }

  private error(node: AstNode, message: string, code: string, property?: string): void {
    this.diagnostics.push({ node, message, code, property, severity: 'error' });
  }
}

interface Decision {
  readonly key: string;
  readonly n: number;
  readonly site: AstNode;
  readonly address: Address;
  readonly options: OptionNames;
}

function lineState(node: AstNode, items: readonly ast.FixedItem[]): LineState {
  return { node, items: [...items], next: 0, pending: [], missing: 0, missingExpected: '', excused: 0, used: false };
}

/** A value's canonical text: numbers as JavaScript prints them, strings quoted, lists bracketed. */
export function writtenText(v: ast.FixedValue): string {
  if (v.$type === 'FixedList') return `[${v.items.map(writtenText).join(', ')}]`;
  const text = v.text;
  const quoted = v.$cstNode?.text.trimStart().replace(/^-\s*/, '').match(/^["']/);
  if (quoted) return JSON.stringify(text);
  if (/^[0-9]/.test(text)) return formatNumber((v.minus ? -1 : 1) * parseNumber(text));
  return (v.minus ? '-' : '') + text;
}

/** The index `v` names among `names`, or why it names none. */
function lookup(v: ast.FixedValue, names: readonly string[], n: number): number | string {
  const text = writtenText(v);
  const i = names.indexOf(text);
  if (i >= 0 && text !== '') return i;
  const numeric = names.some((x) => x !== '' && /^-?[0-9]/.test(x));
  if (!numeric && v.$type === 'FixedAtom' && !v.minus && /^[0-9]+$/.test(v.text)) {
    const index = Number(v.text);
    return index < n ? index : `option ${index} is out of range (0..${n - 1})`;
  }
  const hint = /^-?[0-9]/.test(text) ? undefined : suggestName(text, names.filter(Boolean));
  return `unknown option \`${text}\`${hint ? `; did you mean \`${hint}\`?` : ''}`;
}

function allowedElements(elements: readonly string[]): string {
  return elements.map((e, i) => (e ? `${i} ${e}` : `${i}`)).join(', ');
}

/** What a decision allows, for messages: its option names, or positions. */
export function describeAllowed(o: OptionNames): string {
  if (o.subset) return `${o.subset.k} of the inputs ${allowedElements(o.subset.elements)}`;
  const named = o.names.filter(Boolean);
  const positions = `a position 0..${o.names.length - 1}`;
  if (named.some((x) => /^-?[0-9]/.test(x))) return `one of: ${named.join(', ')}`;
  if (named.length === 0) return positions;
  return `one of: ${named.join(', ')}, or ${positions}`;
}

/** How messages name a decision's place: `n0 of cell NormalCell`, `output`, `the decisions in order`. */
export function where(a: Address): string {
  const line = a.line === undefined ? 'a decision in order' : `\`${a.line}\``;
  const name = a.name ? ` (\`${a.name}\`)` : '';
  return `${line}${name}${a.cell ? ` of cell ${a.cell.name}` : ''}`;
}
