/** The message NAS: Fuse for Deployment shows, on RepVGG-A0's published figures (Ding et al. 2021, Table 3: 9.11M → 8.31M parameters). */
import { describe, expect, it } from 'vitest';
import { describeFusion } from '../../src/extension/describe-fusion.js';

const A0 = {
  name: 'RepVGGA0',
  before: { params: 9_108_968, macs: 1_512_581_120 },
  after: { params: 8_309_384, macs: 1_361_451_008 },
  renamed: [{ from: 'RepVGGBlock', to: 'RepVGGDeploy', uses: 8 }],
  external: [],
};

describe('describeFusion', () => {
  it('gives the figures before and after with their change, and the command that fuses trained weights', () => {
    // 1 − 8,309,384 / 9,108,968 = 8.78 %; 1 − 1,361,451,008 / 1,512,581,120 = 9.99 %.
    expect(describeFusion(A0, 'repvgg_a0.nas', 'repvgg_a0.deploy.nas')).toBe(
      'NAS Studio: wrote repvgg_a0.deploy.nas (RepVGGA0: 8 RepVGGBlock → RepVGGDeploy). Params 9.11M → 8.31M (−8.8 %), MACs 1.51G → 1.36G (−10.0 %). ' +
        'Trained weights: nas fuse repvgg_a0.nas --network RepVGGA0 --weights W.safetensors --out repvgg_a0.deploy.nas --out-weights D.safetensors --verify',
    );
  });

  it('names the imported blocks it left as they are', () => {
    const r = { ...A0, external: [{ definition: 'Stem', uri: 'file:///w/lib.nas' }] };
    expect(describeFusion(r, 'a.nas', 'a.deploy.nas')).toContain(
      '1 block of imported files (Stem) use training-time blocks and were left as they are: fuse those files too.',
    );
  });
});
