/**
 * An elaboration as an `ArchitectureGraph`: the graph's nodes, the block, cell and repeat
 * instances they were made in (an ElaborationObserver), the named values of their bodies,
 * and each choice with a label per option. The CLI and the language server call this; the
 * views read only its result.
 */
import { AstUtils, type AstNode } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import { elaborate, unrankCombination, type Decider, type ElaborationResult, type TraceEntry } from '../semantics/evaluator/index.js';
import type { ElaborationObserver } from '../semantics/elaboration-observer.js';
import { isTensor, type TensorValue, type Value } from '../semantics/values.js';
import type { ArchChoice, ArchGroup, ArchName, ArchNode, ArchitectureGraph, SourceRange } from './architecture.js';
import { compactText } from './labels.js';
import { isBuiltinUri } from '../language/services/imports.js';

export interface ArchitectureOptions {
  /** Options taken at choice keys; keys absent take option 0. */
  decisions?: ReadonlyMap<string, number>;
  /** Decides instead of `decisions` (a sampler). */
  decider?: Decider;
}

export interface Architecture {
  graph: ArchitectureGraph;
  result: ElaborationResult;
}

interface OpenGroup {
  group: ArchGroup;
  site: AstNode;
}

/** Records the instances, repeats and named values of one elaboration. */
class GroupRecorder implements ElaborationObserver {
  readonly groups: ArchGroup[] = [];
  readonly sites: AstNode[] = [];
  readonly names: Array<{ name: ArchName; stmt: AstNode }> = [];
  /** The innermost open group (-1: none) when each key was decided. */
  readonly decidedIn = new Map<string, number>();
  private readonly open: OpenGroup[] = [];

  decided(key: string): void {
    this.decidedIn.set(key, this.top());
  }

  enterInstance(
    def: ast.Definition,
    site: AstNode,
    repeatIndex: number | undefined,
    values: readonly Value[],
    inputs: readonly TensorValue[],
    firstNode: number,
    choiceDepth: number,
  ): void {
    const inputDecl = def.body.find((s): s is ast.InputStmt => s.$type === 'InputStmt' && s.names.length > 0);
    this.push(
      {
        id: this.groups.length,
        kind: 'instance',
        name: def.name,
        defKind: def.kind,
        args: argumentsText(def, values),
        parent: this.top(),
        first: firstNode,
        end: firstNode,
        inputs: inputs.map((t) => t.node),
        inputNames: inputDecl?.names.map((n) => n.name),
        repeatIndex,
        choiceDepth,
        key: '',
      },
      site,
    );
  }

  leaveInstance(endNode: number, output: TensorValue | undefined): void {
    const { group } = this.open.pop()!;
    group.end = endNode;
    if (output && isTensor(output)) group.output = output.node;
  }

  enterRepeat(site: AstNode, count: number, firstNode: number): void {
    this.push(
      { id: this.groups.length, kind: 'repeat', name: '', parent: this.top(), first: firstNode, end: firstNode, inputs: [], count, choiceDepth: 0, key: '' },
      site,
    );
  }

  leaveRepeat(endNode: number): void {
    const { group, site } = this.open.pop()!;
    group.end = endNode;
    const kids = this.groups.filter((g) => g.parent === group.id);
    const names = new Set(kids.map((k) => k.name));
    group.name = kids.length > 0 && names.size === 1 ? kids[0]!.name : repeatedLayerText(site);
    if (kids.length > 0) {
      group.defKind = kids[0]!.defKind;
      group.args = kids[0]!.args;
      group.inputs = kids[0]!.inputs;
      group.inputNames = kids[0]!.inputNames;
      group.output = kids[kids.length - 1]!.output;
    }
  }

  statement(stmt: ast.Statement, first: number, end: number, output: number): void {
    if (output < 0 || (stmt.$type !== 'Node' && stmt.$type !== 'Let') || !stmt.name) return;
    this.names.push({ name: { name: stmt.name, group: this.innermostInstance(), output, first, end }, stmt });
  }

  private top(): number {
    return this.open.length ? this.open[this.open.length - 1]!.group.id : -1;
  }

  private innermostInstance(): number {
    for (let i = this.open.length - 1; i >= 0; i--) if (this.open[i]!.group.kind === 'instance') return this.open[i]!.group.id;
    return -1;
  }

  private push(group: ArchGroup, site: AstNode): void {
    this.groups.push(group);
    this.sites.push(site);
    this.open.push({ group, site });
  }
}

/** Elaborates `def` with its instances recorded and returns it as an ArchitectureGraph. */
export function architectureOf(def: ast.Definition, options: ArchitectureOptions = {}): Architecture {
  const recorder = new GroupRecorder();
  const decisions = options.decisions;
  const given: Decider = options.decider ?? { decide: (key, n) => Math.min(Math.max(0, Math.trunc(decisions?.get(key) ?? 0)), n - 1) };
  const decider: Decider = {
    decide: (key, n, site, path, values) => {
      recorder.decided(key);
      return given.decide(key, n, site, path, values);
    },
  };
  const root = AstUtils.findRootNode(def);
  const result = elaborate(def, { decider, rootDocument: root, observer: recorder });
  return { graph: toArchitectureGraph(def, result, recorder), result };
}

function toArchitectureGraph(def: ast.Definition, result: ElaborationResult, recorder: GroupRecorder): ArchitectureGraph {
  const root = AstUtils.findRootNode(def);
  const document = AstUtils.getDocument(def);
  const inDocument = (node: AstNode | undefined): SourceRange | undefined =>
    node?.$cstNode && AstUtils.findRootNode(node) === root ? node.$cstNode.range : undefined;
  const { groups, sites } = recorder;
  // A group's place: its call when that is in this document, else its parent's.
  for (const g of groups) g.range = inDocument(sites[g.id]) ?? (g.parent >= 0 ? groups[g.parent]!.range : undefined);
  assignKeys(groups);
  const innermost = new Int32Array(result.graph.size).fill(-1);
  for (const g of groups) innermost.fill(g.id, g.first, g.end);
  const dead = new Set(result.output ? result.graph.deadNodes(result.output.node).map((n) => n.id) : []);
  const nodes: ArchNode[] = result.graph.nodes.map((n) => {
    let range = inDocument(n.source);
    let sourceUri: string | undefined;
    if (!range) {
      const g = innermost[n.id]!;
      range = g >= 0 ? groups[g]!.range : undefined;
      // Only a user's other file, never the standard library, which is no file to open.
      const other = !range && n.source ? AstUtils.getDocument(n.source).uri : undefined;
      if (other && !isBuiltinUri(other)) {
        sourceUri = other.toString();
        range = n.source!.$cstNode?.range;
      }
    }
    return {
      id: n.id,
      op: n.op,
      scope: n.scope,
      attrs: { ...n.attrs },
      inputs: [...n.inputs],
      shape: [n.shape.c, n.shape.h, n.shape.w],
      params: n.params,
      macs: n.macs,
      acts: n.acts,
      range,
      sourceUri,
      choiceKeys: [...n.choiceKeys],
      dead: dead.has(n.id),
    };
  });
  const names = recorder.names.map(({ name, stmt }) => ({ ...name, range: inDocument(stmt) }));
  const argumentOf = argumentTargets(result, recorder);
  const choices: ArchChoice[] = result.trace.map((t) => ({
    key: t.key,
    options: t.options,
    taken: t.taken,
    labels: optionLabels(t.site, t.options),
    range: inDocument(t.site),
    ...inputChoice(t.site, t.taken),
    ...argumentOf(t),
  }));
  return {
    uri: document.uri.toString(),
    name: def.name,
    kind: def.kind === 'space' ? 'space' : 'network',
    nodes,
    groups,
    names,
    output: result.output?.node,
    input: result.input ? [result.input.c, result.input.h, result.input.w] : undefined,
    totals: result.graph.totals(),
    choices,
    errors: result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
  };
}

/**
 * For a choice inside a call's arguments (`conv(8, k = choice(3, 5))`): the nodes and groups
 * made by that call, so that a compare can mark the op whose argument differs (the choice
 * itself makes no node). A key with an instance path was decided inside one instance: only
 * that instance's are taken; a key without one (the network's own, or `shared`) holds in all.
 */
function argumentTargets(result: ElaborationResult, recorder: GroupRecorder): (t: TraceEntry) => Pick<ArchChoice, 'argumentOf'> {
  const nodesBySource = new Map<AstNode, number[]>();
  for (const n of result.graph.nodes) {
    if (!n.source) continue;
    const list = nodesBySource.get(n.source);
    if (list) list.push(n.id);
    else nodesBySource.set(n.source, [n.id]);
  }
  const groupsBySite = new Map<AstNode, number[]>();
  recorder.sites.forEach((site, id) => {
    const list = groupsBySite.get(site);
    if (list) list.push(id);
    else groupsBySite.set(site, [id]);
  });
  return (t) => {
    const at = recorder.decidedIn.get(t.key) ?? -1;
    const instance = t.key.includes('/') && at >= 0 ? recorder.groups[at] : undefined;
    const inSpan = (first: number): boolean => !instance || (first >= instance.first && first < instance.end);
    // The innermost call around the choice that made something: `conv(...)` of
    // `conv(8, k = max(choice(3, 5), 1)) -> relu` (`max` makes nothing, `->` is no call).
    for (let call: AstNode | undefined = t.site.$container; call && call.$type !== 'Definition'; call = call.$container) {
      if (call.$type !== 'Call') continue;
      const nodes = (nodesBySource.get(call) ?? []).filter(inSpan);
      const groups = (groupsBySite.get(call) ?? []).filter((id) => id !== instance?.id && inSpan(recorder.groups[id]!.first));
      if (nodes.length || groups.length) return { argumentOf: { nodes, groups } };
    }
    return {};
  };
}

/** Keys that survive small edits: the path of names (with repeat indices) and an ordinal among equal siblings. */
function assignKeys(groups: ArchGroup[]): void {
  const seen = new Map<string, number>();
  for (const g of groups) {
    const parentKey = g.parent >= 0 ? groups[g.parent]!.key : '';
    const own = `${g.kind === 'repeat' ? '*' : ''}${g.name}${g.repeatIndex !== undefined ? `.${g.repeatIndex}` : ''}`;
    const base = parentKey ? `${parentKey}/${own}` : own;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    g.key = n === 0 ? base : `${base}~${n}`;
  }
}

/** The text of the layer a repeat repeats: the left side of `L * n`, the first argument of `repeat(L, n)`. */
function repeatedLayerText(site: AstNode): string {
  const layer = site.$type === 'BinaryExpr' ? (site as ast.BinaryExpr).left : site.$type === 'Call' ? (site as ast.Call).args[0]?.value : undefined;
  return compactText(layer?.$cstNode?.text ?? 'repeat', 32);
}

/** Arguments as a call would be written: required parameters by position, the others by name where they differ from a literal default. */
function argumentsText(def: ast.Definition, values: readonly Value[]): string {
  const parts: string[] = [];
  const params = def.params.filter((p) => !p.variadic);
  for (let i = 0; i < params.length && i < values.length; i++) {
    const p = params[i]!;
    const v = values[i]!;
    if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'string') continue;
    const shown = typeof v === 'string' ? JSON.stringify(v) : String(v);
    if (!p.default) parts.push(shown);
    else {
      const d = literalValue(p.default);
      if (d !== undefined && d !== v) parts.push(`${p.name}=${shown}`);
    }
  }
  return parts.join(', ');
}

function literalValue(e: ast.Expr): number | boolean | string | undefined {
  switch (e.$type) {
    case 'NumberLit':
      return Number((e as ast.NumberLit).value);
    case 'BoolLit':
      return (e as ast.BoolLit).value === 'true';
    case 'StringLit':
      return (e as ast.StringLit).value.slice(1, -1);
    case 'Unary': {
      const u = e as ast.Unary;
      const inner = literalValue(u.operand);
      return u.op === '-' && typeof inner === 'number' ? -inner : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * A label per option of the choice at `site`: the option's label (`choice(none: zero, ...)`,
 * the name a fixed network writes it by), else its trailing `# comment`, else its source text; `choose(k, [...])` options are
 * the combinations of the listed items in lexicographic order.
 */
export function optionLabels(site: AstNode, options: number): string[] {
  const call = site.$type === 'Call' ? (site as ast.Call) : undefined;
  const callee = call?.callee.$type === 'Ref' ? (call.callee as ast.Ref).target.$refText : undefined;
  const args = call ? call.args.filter((a) => !a.name) : [];
  const positional = args.map((a) => a.value);
  const fallback = Array.from({ length: options }, (_, i) => `option ${i}`);
  if (!call) return fallback;
  if (callee === 'choose' && positional.length === 2 && positional[1]!.$type === 'ListLit') {
    const items = (positional[1] as ast.ListLit).items.map((x) => labelOf(x));
    const k = Number(positional[0]!.$cstNode?.text);
    if (Number.isInteger(k) && k > 0 && k <= items.length) {
      return Array.from({ length: options }, (_, i) =>
        unrankCombination(items.length, k, i)
          .map((j) => items[j])
          .join(' + '),
      );
    }
    return fallback;
  }
  if (positional.length === options) return args.map((a) => a.label ?? labelOf(a.value));
  if (positional.length === 1 && positional[0]!.$type === 'ListLit' && (positional[0] as ast.ListLit).items.length === options) {
    return (positional[0] as ast.ListLit).items.map((x) => labelOf(x));
  }
  const range = positional.length === 1 ? rangeValues(positional[0]!) : undefined;
  if (range && range.length === options) return range.map(String);
  return fallback;
}

function labelOf(e: AstNode): string {
  const cst = e.$cstNode;
  if (!cst) return '?';
  const comment = trailingComment(e);
  return comment ?? compactText(cst.text, 28);
}

/** The `# comment` after an option on its line, when the option ends its line (`x,  # name`). */
function trailingComment(e: AstNode): string | undefined {
  const cst = e.$cstNode!;
  const text = AstUtils.getDocument(e).textDocument.getText();
  const lineEnd = text.indexOf('\n', cst.end);
  const rest = text.slice(cst.end, lineEnd < 0 ? undefined : lineEnd);
  const m = /^\s*[,)]*\s*#\s*(.+?)\s*$/.exec(rest);
  return m ? m[1] : undefined;
}

/** The values of `a..b step s` with number literals. */
function rangeValues(e: AstNode): number[] | undefined {
  let step = 1;
  let range = e;
  if (e.$type === 'BinaryExpr' && (e as ast.BinaryExpr).operator === 'step') {
    const s = literalValue((e as ast.BinaryExpr).right);
    if (typeof s !== 'number' || s <= 0) return undefined;
    step = s;
    range = (e as ast.BinaryExpr).left;
  }
  if (range.$type !== 'BinaryExpr' || (range as ast.BinaryExpr).operator !== '..') return undefined;
  const lo = literalValue((range as ast.BinaryExpr).left);
  const hi = literalValue((range as ast.BinaryExpr).right);
  if (typeof lo !== 'number' || typeof hi !== 'number' || (hi - lo) / step > 10_000) return undefined;
  const out: number[] = [];
  for (let v = lo; v <= hi; v += step) out.push(v);
  return out;
}

/** For a choice among named values: their names, the taken ones, and the statement it sits in. */
function inputChoice(site: AstNode, taken: number): Pick<ArchChoice, 'inputs' | 'chosenInputs' | 'within'> {
  let within: string | undefined;
  for (let at: AstNode | undefined = site; at; at = at.$container) {
    if ((at.$type === 'Node' || at.$type === 'Let') && (at as ast.Node | ast.Let).name) {
      within = (at as ast.Node | ast.Let).name;
      break;
    }
    if (at.$type === 'Definition') break;
  }
  const call = site.$type === 'Call' ? (site as ast.Call) : undefined;
  if (!call) return { within };
  const callee = call.callee.$type === 'Ref' ? (call.callee as ast.Ref).target.$refText : undefined;
  const positional = call.args.filter((a) => !a.name).map((a) => a.value);
  const items = callee === 'choose' ? (positional[1]?.$type === 'ListLit' ? (positional[1] as ast.ListLit).items : []) : positional;
  const names = items.map((e) => (e.$type === 'Ref' && isNamedValue((e as ast.Ref).target.ref) ? (e as ast.Ref).target.$refText : undefined));
  if (names.length === 0 || names.some((n) => n === undefined)) return { within };
  const inputs = names as string[];
  let chosenInputs: string[];
  if (callee === 'choose') {
    const k = Number(positional[0]?.$cstNode?.text);
    chosenInputs = Number.isInteger(k) && k > 0 && k <= inputs.length ? unrankCombination(inputs.length, k, taken).map((j) => inputs[j]!) : [];
  } else chosenInputs = inputs[taken] !== undefined ? [inputs[taken]!] : [];
  return { inputs, chosenInputs, within };
}

function isNamedValue(target: AstNode | undefined): boolean {
  return target !== undefined && (target.$type === 'Node' || target.$type === 'Let' || target.$type === 'InputName');
}
