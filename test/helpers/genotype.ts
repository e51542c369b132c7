/**
 * Architectures written as papers write them, turned into decisions of the examples' spaces:
 * for each statement of a cell (`n0`, `b2`), the labels of the options taken at the choices
 * met while elaborating it, in the order they are met (source order: inputs, then each op
 * left to right, then the combine).
 */
import type { AstNode } from 'langium';
import type * as ast from '../../src/core/language/syntax/generated/ast.js';
import type { Decider } from '../../src/core/semantics/evaluator/index.js';
import { optionLabels } from '../../src/core/views/from-elaboration.js';

/** Per cell name, per statement name, the taken options' labels. */
export type CellGenotypes = Record<string, Record<string, string[]>>;

function statementAt(def: ast.Definition, line: number): string | undefined {
  const base = def.$cstNode!.range.start.line;
  for (const s of def.body) {
    const r = s.$cstNode!.range;
    if (r.start.line - base + 1 <= line && line <= r.end.line - base + 1 && (s.$type === 'Node' || s.$type === 'Let')) return (s as ast.Node).name;
  }
  return undefined;
}

/** A decider taking, at each choice of a cell in `genotypes`, the option with the label given. */
export function genotypeDecider(root: ast.Document, genotypes: CellGenotypes): Decider & { unused(): string[] } {
  const defs = new Map(root.elements.filter((e): e is ast.Definition => e.$type === 'Definition').map((d) => [d.name, d]));
  const seen = new Map<string, string[]>();
  const used = new Set<string>();
  return {
    decide(key: string, options: number, site: AstNode): number {
      const segments = key.split('/');
      const cellAt = segments.findIndex((s) => genotypes[s.slice(0, s.indexOf('@'))] !== undefined);
      if (cellAt < 0) throw new Error(`no genotype for choice ${key}`);
      const seg = segments[cellAt]!;
      const cell = seg.slice(0, seg.indexOf('@'));
      const line = Number(seg.slice(seg.indexOf('@') + 1, seg.indexOf(':')));
      const stmt = statementAt(defs.get(cell)!, line);
      if (!stmt) throw new Error(`choice ${key}: no statement at line ${line} of ${cell}`);
      const discriminator = key;
      const order = seen.get(`${cell}/${stmt}`) ?? [];
      if (!order.includes(discriminator)) order.push(discriminator);
      seen.set(`${cell}/${stmt}`, order);
      const wanted = genotypes[cell]![stmt]?.[order.indexOf(discriminator)];
      const labels = optionLabels(site, options);
      const at = wanted === undefined ? -1 : labels.indexOf(wanted);
      if (at < 0) throw new Error(`choice ${key} (${cell}.${stmt} #${order.indexOf(discriminator)}): '${wanted}' is not one of ${labels.join(' | ')}`);
      used.add(`${cell}/${stmt}/${order.indexOf(discriminator)}`);
      return at;
    },
    unused(): string[] {
      const out: string[] = [];
      for (const [cell, stmts] of Object.entries(genotypes))
        for (const [stmt, labels] of Object.entries(stmts))
          labels.forEach((_, i) => (used.has(`${cell}/${stmt}/${i}`) ? undefined : out.push(`${cell}/${stmt}/${i}`)));
      return out;
    },
  };
}
