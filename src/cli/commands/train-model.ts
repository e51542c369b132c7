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

export { checkModelFitsData } from '../../core/train/model-builder/index.js';
