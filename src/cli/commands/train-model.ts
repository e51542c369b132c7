/**
 * The model `nas train FILE` trains: the network resolve-network.ts picks, as the model
 * builder's spec, checked against the data the network will see.
 */
import { describeModel, ModelBuildError, type ModelSpec } from '../../core/train/model-builder/index.js';
import { resolveNetwork, TrainInputError, type ResolvedNetwork } from './resolve-network.js';

export { TrainInputError } from './resolve-network.js';

export interface NasModel {
  spec: ModelSpec;
  /** `Net`, or `Space[arch id]`. */
  label: string;
  file: string;
  arch?: string;
  macs: number;
  /** The elaborated network and its definition (the PyTorch engine exports the network from them). */
  network: ResolvedNetwork;
}

export async function resolveNasModel(file: string, opts: { network?: string; arch?: string }): Promise<NasModel> {
  const network = await resolveNetwork(file, opts, 'train');
  const { result, def, arch, macs } = network;
  let spec: ModelSpec;
  try {
    spec = describeModel(result, def);
  } catch (e) {
    if (e instanceof ModelBuildError) throw new TrainInputError([`${def.name}: ${e.message}`]);
    throw e;
  }
  return { spec, label: def.name, file, arch, macs, network };
}

/**
 * Whether a network fits the data: the same image shape, and at least as many outputs as the
 * data has classes (extra outputs are logits no label selects, as in PyTorch). Undefined or
 * the reason it does not.
 */
export function checkModelFitsData(
  spec: ModelSpec,
  data: { channels: number; height: number; width: number; numClasses: number; description: string },
): string | undefined {
  const [c, h, w] = spec.input;
  if (c !== data.channels || h !== data.height || w !== data.width) {
    return `${spec.name} takes ${c}x${h}x${w} images (input(${c}, ${h}, ${w})), the data (${data.description}) has ${data.channels}x${data.height}x${data.width}`;
  }
  const out = spec.nodes[spec.output]!.shape;
  const outputs = out[0] * out[1] * out[2];
  if (outputs < data.numClasses) return `${spec.name} has ${outputs} outputs, the data has ${data.numClasses} classes`;
  return undefined;
}
