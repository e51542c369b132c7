/** Op families, for colouring nodes by what they do (the legend's entries). */

export type OpFamily = 'conv' | 'linear' | 'norm' | 'act' | 'pool' | 'merge' | 'reshape' | 'skip' | 'io' | 'block';

const FAMILY: Record<string, OpFamily> = {
  conv: 'conv',
  dwconv: 'conv',
  fc: 'linear',
  bn: 'norm',
  gn: 'norm',
  relu: 'act',
  relu6: 'act',
  hswish: 'act',
  hsigmoid: 'act',
  swish: 'act',
  sigmoid: 'act',
  maxpool: 'pool',
  avgpool: 'pool',
  gap: 'pool',
  add: 'merge',
  concat: 'merge',
  mul: 'merge',
  flatten: 'reshape',
  split: 'reshape',
  channel_shuffle: 'reshape',
  upsample: 'reshape',
  identity: 'skip',
  zero: 'skip',
  dropout: 'skip',
  input: 'io',
};

export function familyOf(op: string): OpFamily {
  return FAMILY[op] ?? 'reshape';
}

/** The legend's wording for each family, in the legend's order. */
export const FAMILY_LABELS: ReadonlyArray<readonly [OpFamily, string]> = [
  ['conv', 'convolution'],
  ['linear', 'fully connected'],
  ['norm', 'normalization'],
  ['act', 'activation'],
  ['pool', 'pooling'],
  ['merge', 'add · concat · mul'],
  ['reshape', 'reshape · split'],
  ['skip', 'identity · zero'],
  ['io', 'input · output'],
  ['block', 'block · cell (collapsed)'],
];
