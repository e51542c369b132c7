/**
 * The three reference networks of shared/peers/torch_train_peer.py, layer for layer, with
 * the same parameter counts, so the engine can be timed against PyTorch on identical work:
 *
 *   small   conv3x3(16)-BN-ReLU, conv3x3(32, s2)-BN-ReLU, conv3x3(32)-BN-ReLU, GAP, FC
 *   nb201   NAS-Bench-201 skeleton (Dong & Yang, "NAS-Bench-201", ICLR 2020), C = 16,
 *           5 cells per stage, every edge ReLU-Conv3x3-BN, residual reduction blocks
 *   mbconv  stem conv3x3(16)-BN-ReLU6, four inverted residuals (expand 6, depthwise 3x3;
 *           Sandler et al., "MobileNetV2", CVPR 2018) with 24 (s2), 24, 40 (s2), 40
 *           channels, conv1x1(128)-BN-ReLU6, GAP, FC
 *
 * Input 32x32x3 NHWC, 10 classes. Parameter names follow the peer's PyTorch module paths
 * (`0.weight`, `3.body.1.running_mean`, ...), so a state_dict maps one to one (convolution
 * weights are stored [kh, kw, in, out] here, [out, in, kh, kw] in PyTorch).
 */
import type * as tfType from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from './model';
import { ParamRegistry, type Layer, avgPool2, batchNorm, conv2d, globalAvgPool, linear, relu, relu6, sequential } from './layers';

import { REFERENCE_NET_NAMES, isReferenceNetName, type ReferenceNetName } from './names';

export { REFERENCE_NET_NAMES, isReferenceNetName, type ReferenceNetName };

export interface ReferenceNetOptions {
  classes?: number;
  seed?: number;
}

function makeModel(name: string, p: ParamRegistry, body: Layer, head: (x: tf.Tensor2D) => tf.Tensor2D): TrainableModel {
  return {
    name,
    trainable: p.trainable,
    state: p.state,
    forward: (x: tfType.Tensor4D, training: boolean) => head(globalAvgPool(body(x, training))),
    paramCount: () => p.paramCount(),
    dispose: () => p.dispose(),
  };
}

/** nn.Sequential(nn.ReLU(), nn.Conv2d(cin, cout, k, stride, k//2, bias=False), nn.BatchNorm2d(cout)). */
function reluConvBn(p: ParamRegistry, name: string, cin: number, cout: number, k: number, stride = 1): Layer {
  return sequential(relu, conv2d(p, `${name}.1`, { cin, cout, k, stride }), batchNorm(p, `${name}.2`, cout));
}

export function buildSmall(opts: ReferenceNetOptions = {}): TrainableModel {
  const p = new ParamRegistry(opts.seed ?? 0);
  const body = sequential(
    conv2d(p, '0', { cin: 3, cout: 16, k: 3 }),
    batchNorm(p, '1', 16),
    relu,
    conv2d(p, '3', { cin: 16, cout: 32, k: 3, stride: 2 }),
    batchNorm(p, '4', 32),
    relu,
    conv2d(p, '6', { cin: 32, cout: 32, k: 3 }),
    batchNorm(p, '7', 32),
    relu,
  );
  return makeModel('small', p, body, linear(p, '11', 32, opts.classes ?? 10));
}

/** nn.Conv2d(cin, cout, k, stride, k//2, bias=False), nn.BatchNorm2d(cout): a ReLU-Conv-BN edge after its ReLU. */
function convBn(p: ParamRegistry, name: string, cin: number, cout: number, k: number, stride = 1): Layer {
  return sequential(conv2d(p, `${name}.1`, { cin, cout, k, stride }), batchNorm(p, `${name}.2`, cout));
}

/**
 * One NAS-Bench-201 cell with every edge ReLU-Conv3x3-BN: 4 nodes, 6 edges, sums at nodes.
 * The edges leaving a node all start with ReLU of the same tensor, so the ReLU is computed
 * once per node (and its gradient once, on the summed gradients of the edges): the same
 * function and parameters as the peer's per-edge nn.ReLU, three ReLUs per cell instead of six.
 */
export function nb201Cell(p: ParamRegistry, name: string, c: number): Layer {
  const e = Array.from({ length: 6 }, (_, i) => convBn(p, `${name}.edges.${i}`, c, c, 3));
  return (x0, t) => {
    const r0 = relu(x0, t);
    const x1 = e[0](r0, t);
    const r1 = relu(x1, t);
    const x2 = tf.add(e[1](r0, t), e[2](r1, t)) as tf.Tensor4D;
    return tf.addN([e[3](r0, t), e[4](r1, t), e[5](relu(x2, t), t)]) as tf.Tensor4D;
  };
}

/** The residual reduction block of NAS-Bench-201: two ReLU-Conv-BN (first strided) + avgpool-conv1x1 shortcut. */
function resBlock(p: ParamRegistry, name: string, cin: number, cout: number): Layer {
  const a = reluConvBn(p, `${name}.a`, cin, cout, 3, 2);
  const b = reluConvBn(p, `${name}.b`, cout, cout, 3);
  const shortConv = conv2d(p, `${name}.short.1`, { cin, cout, k: 1 });
  return (x, t) => tf.add(shortConv(avgPool2(x, t), t), b(a(x, t), t));
}

export function buildNb201(opts: ReferenceNetOptions = {}): TrainableModel {
  const c = 16,
    n = 5;
  const p = new ParamRegistry(opts.seed ?? 0);
  const layers: Layer[] = [conv2d(p, '0', { cin: 3, cout: c, k: 3 }), batchNorm(p, '1', c)];
  let idx = 2;
  [c, 2 * c, 4 * c].forEach((ci, stage) => {
    if (stage) layers.push(resBlock(p, String(idx++), ci / 2, ci));
    for (let i = 0; i < n; i++) layers.push(nb201Cell(p, String(idx++), ci));
  });
  layers.push(batchNorm(p, String(idx++), 4 * c), relu);
  idx += 3; // ReLU, AdaptiveAvgPool2d, Flatten
  return makeModel('nb201', p, sequential(...layers), linear(p, String(idx), 4 * c, opts.classes ?? 10));
}

/** MobileNetV2 inverted residual: 1x1 expand-BN-ReLU6, 3x3 depthwise-BN-ReLU6, 1x1 project-BN (+ identity). */
function invertedResidual(p: ParamRegistry, name: string, cin: number, cout: number, stride: number, expand = 6): Layer {
  const mid = cin * expand;
  const body = sequential(
    conv2d(p, `${name}.body.0`, { cin, cout: mid, k: 1 }),
    batchNorm(p, `${name}.body.1`, mid),
    relu6,
    conv2d(p, `${name}.body.3`, { cin: mid, cout: mid, k: 3, stride, groups: mid }),
    batchNorm(p, `${name}.body.4`, mid),
    relu6,
    conv2d(p, `${name}.body.6`, { cin: mid, cout, k: 1 }),
    batchNorm(p, `${name}.body.7`, cout),
  );
  const useRes = stride === 1 && cin === cout;
  return (x, t) => (useRes ? tf.add(x, body(x, t)) : body(x, t));
}

export function buildMbconv(opts: ReferenceNetOptions = {}): TrainableModel {
  const p = new ParamRegistry(opts.seed ?? 0);
  const body = sequential(
    conv2d(p, '0', { cin: 3, cout: 16, k: 3 }),
    batchNorm(p, '1', 16),
    relu6,
    invertedResidual(p, '3', 16, 24, 2),
    invertedResidual(p, '4', 24, 24, 1),
    invertedResidual(p, '5', 24, 40, 2),
    invertedResidual(p, '6', 40, 40, 1),
    conv2d(p, '7', { cin: 40, cout: 128, k: 1 }),
    batchNorm(p, '8', 128),
    relu6,
  );
  return makeModel('mbconv', p, body, linear(p, '12', 128, opts.classes ?? 10));
}

export function buildReferenceNet(name: ReferenceNetName, opts: ReferenceNetOptions = {}): TrainableModel {
  switch (name) {
    case 'small':
      return buildSmall(opts);
    case 'nb201':
      return buildNb201(opts);
    case 'mbconv':
      return buildMbconv(opts);
  }
}
