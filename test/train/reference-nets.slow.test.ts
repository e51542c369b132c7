/**
 * The larger reference networks on the wasm backend against tfjs's cpu backend: mbconv's loss
 * and gradients (depthwise convolutions, squeeze-and-excitation) and nb201's running statistics
 * (about 50 batch norms). The normal tier, reference-nets.test.ts, checks `small` with the same
 * helper (test/train/backend-parity.ts).
 */
import { beforeAll, describe, it } from 'vitest';
import { selectBackend } from '../../src/core/train/backend';
import { expectSameLossAndGrads, expectSameRunningStats } from './backend-parity.js';

beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => {} });
});

describe('reference networks, wasm against cpu', () => {
  it('mbconv: wasm and cpu give the same loss and gradients', () => expectSameLossAndGrads('mbconv'));

  it('nb201: a training forward pass updates the running statistics equally on wasm and cpu', () => expectSameRunningStats('nb201'));
});
