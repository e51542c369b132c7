/** Whether a network built from a spec can train on a dataset's images and labels. */
import type { ModelSpec } from './spec.js';

export interface DataShape {
  channels: number;
  height: number;
  width: number;
  numClasses: number;
  description: string;
}

/**
 * Whether a network fits the data: the same image shape, and at least as many outputs as the
 * data has classes (extra outputs are logits no label selects, as in PyTorch). Undefined or
 * the reason it does not.
 */
export function checkModelFitsData(spec: ModelSpec, data: DataShape): string | undefined {
  const [c, h, w] = spec.input;
  if (c !== data.channels || h !== data.height || w !== data.width) {
    return `${spec.name} takes ${c}x${h}x${w} images (input(${c}, ${h}, ${w})), the data (${data.description}) has ${data.channels}x${data.height}x${data.width}`;
  }
  const out = spec.nodes[spec.output]!.shape;
  const outputs = out[0] * out[1] * out[2];
  if (outputs < data.numClasses) return `${spec.name} has ${outputs} outputs, the data has ${data.numClasses} classes`;
  return undefined;
}
