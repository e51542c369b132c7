/**
 * The contract between the training engine's parts: networks (reference nets now, nets
 * built from `.nas` architectures later), the SGD step, the training loop and the
 * safetensors checkpoint code all talk through `TrainableModel`.
 *
 * Layout convention: images are NHWC float32 (tfjs' native layout), labels int32 class ids.
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface TrainableModel {
  readonly name: string;
  /**
   * Trainable variables by stable name (`stem.conv.weight`, `cells.3.edge2.bn.gamma`, ...).
   * The names are the safetensors tensor names; see docs/training.md.
   */
  readonly trainable: ReadonlyMap<string, tf.Variable>;
  /** Non-trainable state by stable name (batch-norm running mean/var). */
  readonly state: ReadonlyMap<string, tf.Variable>;
  /**
   * Logits [N, classes] for images [N, H, W, C]. With `training` true, batch norm uses
   * batch statistics and updates the running statistics in `state`.
   */
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /** Number of trainable scalars (PyTorch's `sum(p.numel() for p in parameters())`). */
  paramCount(): number;
  dispose(): void;
}
