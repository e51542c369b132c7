/**
 * The layers that ops and definitions become when bound to their arguments. Layers are objects
 * of a few classes rather than closures: a closure, its context and the layer object were three
 * allocations per op applied (docs/architecture.md, `src/core/semantics/`).
 */
import type { AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import type { Attrs } from '../ops.js';
import type { LayerValue, TensorValue, Value } from '../values.js';
import type { EvalContext } from './context.js';
import type { Signature } from './definition-state.js';

/** What applying a layer comes down to (calls.ts). */
export interface LayerApplier {
  applyPrimitive(op: string, attrs: Attrs, inputs: readonly TensorValue[], ctx: EvalContext, site: AstNode): Value;
  applyDefinition(def: ast.Definition, sig: Signature, values: readonly Value[], site: AstNode, inputs: readonly TensorValue[], ctx: EvalContext): Value;
}

/** An op with its attributes bound, and tensors it captured (`add(x)` applied to y adds x and y). */
export class OpLayer implements LayerValue {
  readonly kind = 'layer';
  readonly arity = 1;
  readonly sharesChoices = false;
  constructor(
    private readonly calls: LayerApplier,
    readonly label: string,
    private readonly attrs: Attrs,
    private readonly captured: readonly TensorValue[],
    private readonly site: AstNode,
  ) {}
  apply(inputs: readonly TensorValue[], c: EvalContext): Value {
    const captured = this.captured;
    return this.calls.applyPrimitive(
      this.label,
      this.attrs,
      captured.length === 0 && inputs.length <= 1 ? inputs : [...inputs.slice(0, 1), ...captured],
      c,
      this.site,
    );
  }
}

/** A block or cell with its arguments bound; its arity is the number of names of its `input` statement. */
export class DefinitionLayer implements LayerValue {
  readonly kind = 'layer';
  readonly arity: number;
  readonly label: string;
  readonly sharesChoices: boolean;
  constructor(
    private readonly calls: LayerApplier,
    private readonly def: ast.Definition,
    private readonly sig: Signature,
    private readonly values: readonly Value[],
    private readonly site: AstNode,
  ) {
    this.arity = Math.max(1, sig.inputDecl?.names.length ?? 1);
    this.label = def.name;
    this.sharesChoices = def.kind === 'cell';
  }
  apply(inputs: readonly TensorValue[], c: EvalContext): Value {
    return this.calls.applyDefinition(this.def, this.sig, this.values, this.site, inputs, c);
  }
}
