/**
 * Registers the kernels that make tfjs-backend-wasm trainable (and fast at it). Call before
 * `tf.setBackend('wasm')`; idempotent.
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeAvgPoolGradConfig } from './avg-pool-grad';
import { broadcastToConfig } from './broadcast-to';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { makeConv2dBackpropInputConfig } from './conv2d-backprop-input';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop';
import { identityConfig } from './identity';
import { logSoftmaxConfig } from './log-softmax';
import { maxPoolGradConfig } from './max-pool-grad';
import { relu6GradConfig } from './relu6-gradient';
import { makeConv2dConfig } from './simd-conv';
import { bnTrainConfig, bnTrainGradConfig, reluGradConfig } from './simd-batch-norm';
import { reluGradientConfig } from './relu-gradient';
import { sgdUpdateConfig } from './sgd-update';

let registered = false;

/** Replaces (or adds) one kernel, returning the one it replaced. */
function replaceKernel(config: tf.KernelConfig): tf.KernelConfig | undefined {
  const old = tf.getKernel(config.kernelName, config.backendName);
  if (old) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
  return old;
}

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  const nativeBackpropInput = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
  const nativeConv2d = tf.getKernel(tf.Conv2D, 'wasm');
  const nativeAvgPoolGrad = tf.getKernel(tf.AvgPoolGrad, 'wasm');
  for (const c of [
    makeConv2dConfig(nativeConv2d),
    conv2dBackpropFilterConfig,
    makeConv2dBackpropInputConfig(nativeBackpropInput),
    depthwiseBackpropInputConfig,
    depthwiseBackpropFilterConfig,
    broadcastToConfig,
    logSoftmaxConfig,
    identityConfig,
    bnTrainConfig,
    bnTrainGradConfig,
    reluGradConfig,
    sgdUpdateConfig,
    makeAvgPoolGradConfig(nativeAvgPoolGrad),
    maxPoolGradConfig,
  ])
    replaceKernel(c);
  tf.registerGradient(relu6GradConfig);
  tf.registerGradient(reluGradientConfig);
}
