/** Text for definitions, op formulas and application sites, shared by hover and completion. */
import { AstUtils, type AstNode } from 'langium';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import type { GraphNode } from '../src/core/semantics/graph.js';
import type { Shape } from '../src/core/semantics/shape.js';
import type { StatementFigures } from './analysis.js';

export function paramText(p: ast.Param): string {
  const def = p.default?.$cstNode?.text;
  return `${p.variadic ? '*' : ''}${p.name}${p.type ? `: ${p.type}` : ''}${def !== undefined ? ` = ${def}` : ''}`;
}

export function signatureText(def: ast.Definition): string {
  const params = def.params.length > 0 || def.kind === 'op' || def.kind === 'fn' ? `(${def.params.map(paramText).join(', ')})` : '';
  return `${def.kind} ${def.name}${params}`;
}

/**
 * The parameter that the positional argument at `index` binds to: parameters in order, a
 * variadic one taking every positional argument from its place on (`choice(*options, shared)`).
 */
export function positionalParam(def: ast.Definition, index: number): ast.Param | undefined {
  let i = 0;
  for (const p of def.params) {
    if (p.variadic || i === index) return p;
    i++;
  }
  return undefined;
}

const dot = '·';

/** The MAC and parameter formulas of an op node, symbolic and with its numbers. */
export function opFormulas(node: GraphNode, inputs: readonly Shape[]): { params?: string; macs?: string } {
  const x = inputs[0];
  const a = node.attrs;
  const out = node.shape;
  if (!x) return {};
  switch (node.op) {
    case 'conv': {
      const kh = (a['kh'] as number) >= 0 ? (a['kh'] as number) : (a['k'] as number);
      const kw = (a['kw'] as number) >= 0 ? (a['kw'] as number) : (a['k'] as number);
      const g = a['groups'] as number;
      const k = kh === kw ? `k${dot}k` : `kh${dot}kw`;
      const bias = a['bias'] === true;
      return {
        params: `${k}${dot}Cin/g${dot}Cout${bias ? ' + Cout' : ''} = ${kh}${dot}${kw}${dot}${x.c}/${g}${dot}${out.c}${bias ? ` + ${out.c}` : ''}`,
        macs: `${k}${dot}Cin/g${dot}Cout${dot}Hout${dot}Wout = ${kh}${dot}${kw}${dot}${x.c}/${g}${dot}${out.c}${dot}${out.h}${dot}${out.w}`,
      };
    }
    case 'dwconv': {
      const k = a['k'] as number;
      const m = a['multiplier'] as number;
      const bias = a['bias'] === true;
      return {
        params: `k${dot}k${dot}C${dot}mult${bias ? ' + C·mult' : ''} = ${k}${dot}${k}${dot}${x.c}${dot}${m}${bias ? ` + ${x.c * m}` : ''}`,
        macs: `k${dot}k${dot}C${dot}mult${dot}Hout${dot}Wout = ${k}${dot}${k}${dot}${x.c}${dot}${m}${dot}${out.h}${dot}${out.w}`,
      };
    }
    case 'fc': {
      const fin = x.c * x.h * x.w;
      const bias = a['bias'] === true;
      return {
        params: `Cin${dot}Cout${bias ? ' + Cout' : ''} = ${fin}${dot}${out.c}${bias ? ` + ${out.c}` : ''}`,
        macs: `Cin${dot}Cout = ${fin}${dot}${out.c}`,
      };
    }
    case 'bn':
      return { params: a['affine'] === false ? '0 (affine = false)' : `2${dot}C = 2${dot}${x.c}`, macs: '0 (not counted)' };
    case 'gn':
      return { params: `2${dot}C = 2${dot}${x.c}`, macs: '0 (not counted)' };
    default:
      return { params: '0', macs: '0 (not counted)' };
  }
}

/** The node an op or block use is applied as: the call when the name is called, else the name. */
export function applicationSite(ref: ast.Ref): AstNode {
  const c = ref.$container;
  return c.$type === 'Call' && (c as ast.Call).callee === ref ? c : ref;
}

export function enclosingStatement(node: AstNode): AstNode | undefined {
  return AstUtils.getContainerOfType(node, (n): n is AstNode => n.$type === 'Node' || n.$type === 'OutputStmt' || n.$type === 'InputStmt' || n.$type === 'Let');
}

interface Application {
  site: AstNode;
  target: ast.Definition;
  offset: number;
}

function applicationsIn(statement: AstNode): Application[] {
  const apps: Application[] = [];
  for (const n of AstUtils.streamAst(statement)) {
    if (n.$type !== 'Ref') continue;
    const target = (n as ast.Ref).target?.ref;
    if (target?.$type !== 'Definition' || !['op', 'block', 'cell'].includes(target.kind)) continue;
    const site = applicationSite(n as ast.Ref);
    apps.push({ site, target, offset: n.$cstNode?.offset ?? 0 });
  }
  return apps.sort((a, b) => a.offset - b.offset);
}

function definitionOf(node: AstNode | undefined): ast.Definition | undefined {
  return node ? AstUtils.getContainerOfType(node, (n): n is ast.Definition => n.$type === 'Definition') : undefined;
}

/**
 * The graph nodes an op or block use created in its statement's first elaboration. Op nodes
 * carry their call site; a block's nodes carry sites inside the block, so they are attributed
 * to the block use that comes, in the order written, after the last op of the statement
 * already applied (the order in which `a -> B -> c` and `add(a -> B, C(b))` run).
 */
export function nodesOfApplication(figures: StatementFigures, site: AstNode): GraphNode[] {
  const apps = applicationsIn(figures.statement);
  const index = apps.findIndex((a) => a.site === site);
  if (index < 0) return [];
  const bySite = new Map(apps.map((a, i) => [a.site, i] as const));
  const out: GraphNode[] = [];
  let cursor = -1;
  let block = -1;
  const { first, end } = figures.info;
  for (let id = first; id < end; id++) {
    const n = figures.result.graph.nodes[id]!;
    const direct = n.source ? bySite.get(n.source) : undefined;
    let owner: number;
    if (direct !== undefined && apps[direct]!.target.kind === 'op') {
      owner = direct;
      cursor = Math.max(cursor, direct);
      block = -1;
    } else {
      const d = definitionOf(n.source);
      const next = apps.findIndex((a, i) => i > Math.max(cursor, block) && a.target.kind !== 'op');
      const named = apps.findIndex((a, i) => i > cursor && a.target.kind !== 'op' && a.target === d && i !== block);
      if (block < 0) block = named >= 0 ? named : next;
      else if (named > block) block = named;
      owner = block;
    }
    if (owner === index) out.push(n);
  }
  return out;
}
