/**
 * The three reference networks of the PyTorch peer (bench/peers/torch_train_peer.py) written
 * in the DSL, so that the benchmark times networks the model builder made from .nas text, as
 * a user's would be. Parameter counts equal the peer's (14,746; 1,531,546; 54,666).
 */
import { URI } from 'langium';
import type { Definition, Document } from '../language/syntax/generated/ast.js';
import { NasWorkspace } from '../workspace.js';
import { elaborate } from '../semantics/evaluator/index.js';
import { buildModel, describeModel, type BuiltModel, type ModelSpec } from './model-builder/index.js';
import type { ReferenceNetName } from './names.js';

export const REFERENCE_NETS_SOURCE = `import "std/blocks"

/** conv3x3(16)-BN-ReLU, conv3x3(32, stride 2)-BN-ReLU, conv3x3(32)-BN-ReLU, GAP, FC. */
network small(classes: int = 10) {
  input(3, 32, 32)
  conv(16, k=3) -> bn -> relu
  conv(32, k=3, stride=2) -> bn -> relu
  conv(32, k=3) -> bn -> relu
  gap -> fc(classes)
}

/** A NAS-Bench-201 cell with every edge ReLU-Conv3x3-BN (Dong & Yang, ICLR 2020). */
cell Conv3Cell(C: int) {
  input n0
  n1 = n0 -> ReLUConvBN(C)
  n2 = add(n0 -> ReLUConvBN(C), n1 -> ReLUConvBN(C))
  n3 = add(n0 -> ReLUConvBN(C), n1 -> ReLUConvBN(C), n2 -> ReLUConvBN(C))
  output n3
}

/** The NAS-Bench-201 skeleton, C = 16, 5 cells per stage, residual reduction blocks. */
network nb201(C: int = 16, N: int = 5, classes: int = 10) {
  input(3, 32, 32)
  conv(C, k=3) -> bn
  Conv3Cell(C) * N
  NB201ResBlock(C * 2)
  Conv3Cell(C * 2) * N
  NB201ResBlock(C * 4)
  Conv3Cell(C * 4) * N
  bn -> relu -> gap -> fc(classes)
}

/** Stem conv3x3(16)-BN-ReLU6, four inverted residuals (expand 6, depthwise 3x3; Sandler et al.,
 * CVPR 2018) with 24 (s2), 24, 40 (s2), 40 channels, conv1x1(128)-BN-ReLU6, GAP, FC. */
network mbconv(classes: int = 10) {
  input(3, 32, 32)
  conv(16, k=3) -> bn -> relu6
  MBConv(24, stride=2) -> MBConv(24) -> MBConv(40, stride=2) -> MBConv(40)
  conv(128, k=1) -> bn -> relu6
  gap -> fc(classes)
}
`;

let specs: Promise<Map<string, ModelSpec>> | undefined;

/** The specs of the three networks (the text is parsed once per process). */
export function referenceNetSpecs(): Promise<Map<string, ModelSpec>> {
  specs ??= (async () => {
    const ws = new NasWorkspace();
    const doc = await ws.addText(REFERENCE_NETS_SOURCE, URI.parse('builtin:/reference-nets.nas'));
    const errors = ws.diagnostics(doc).filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(`reference-nets.nas: ${errors.map((e) => e.message).join('; ')}`);
    const out = new Map<string, ModelSpec>();
    for (const e of (doc.parseResult.value as Document).elements) {
      if (e.$type !== 'Definition' || e.kind !== 'network') continue;
      const def = e as Definition;
      out.set(def.name, describeModel(elaborate(def), def));
    }
    return out;
  })();
  return specs;
}

/** One of the reference networks, built by the model builder from REFERENCE_NETS_SOURCE. */
export async function buildReferenceNetFromNas(name: ReferenceNetName, seed = 0): Promise<BuiltModel> {
  const spec = (await referenceNetSpecs()).get(name);
  if (!spec) throw new Error(`no reference network ${name}`);
  return buildModel(spec, { seed });
}
