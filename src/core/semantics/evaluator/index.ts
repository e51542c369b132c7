/**
 * Elaboration: evaluates a `network` or `space` definition, with every choice decided by a
 * `Decider`, into a `Graph` of primitive ops with shapes and costs. Errors become
 * diagnostics and a poison value that propagates silently, so one error does not hide the
 * others and never throws out of here.
 *
 * Choice identity (docs/dsl.md, "Choices"): a choice is decided once per key; the key is its
 * site plus the instance path of enclosing block calls (and repeat indices). Cells add
 * nothing to the path: a cell's choices form one genotype shared by all its instances, as in
 * NASNet (Zoph et al. 2018), DARTS (Liu et al. 2019) and NAS-Bench-201 (Dong & Yang 2020);
 * blocks add their call site, so a layer-wise space (SPOS, Guo et al. 2020; MnasNet, Tan et
 * al. 2019) decides each position independently.
 *
 * The folder, one concern a file: `elaborate.ts` (entry points), `interpreter.ts` (statements
 * and expressions), `calls.ts` (binding, blocks, primitives, built-in functions), `choices.ts`,
 * `layers.ts`, `instance-memo.ts` and `instance-table.ts` (replaying block instances),
 * `statement-table.ts`, `attributes.ts` and `value-keys.ts` (interning), `definition-state.ts`
 * (signatures), `choice-keys.ts` (site ids and instance paths), `combinatorics.ts`,
 * `context.ts` (frames and contexts), `diagnostics.ts`, `checks.ts`, `errors.ts` (limits),
 * `types.ts`.
 */
export { elaborate, elaborateCached } from './elaborate.js';
export {
  FIRST_OPTION,
  type Decider,
  type ElaborateOptions,
  type ElaborationResult,
  type RelatedNote,
  type SemanticDiagnostic,
  type TopLevelStep,
  type TraceEntry,
} from './types.js';
export type { EvalContext } from './context.js';
export { EvalError } from './errors.js';
export { StatementTable, type StatementInfo } from './statement-table.js';
export { siteId } from './choice-keys.js';
export { placeOf } from './diagnostics.js';
export { binomial, unrankCombination } from './combinatorics.js';
