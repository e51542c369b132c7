/**
 * NAS: Fuse for Deployment's "Show Blocks Before and After" in the graph webview (headless
 * Chromium, the page's real Content Security Policy): the language server's fusion pairs
 * (language-server/fusion-pairs.ts) of a network with all four training-time blocks, each
 * drawn as the multi-branch block beside the one convolution it folds into (RepVGG and DBB,
 * Ding et al. 2021; ACNet, Ding et al. 2019; MobileOne, Vasu et al. 2023).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuseSource } from '../../src/core/reparam/source-fusion.js';
import { fusionPairs } from '../../language-server/fusion-pairs.js';
import { build } from '../helpers/nas.js';
import { pageErrors, startHarness, type Harness } from './harness.js';

const SHOTS = path.resolve(__dirname, '../../test-artifacts');
let harness: Harness;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  harness = await startHarness();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const NET = `import "std/blocks"
network Four {
  input(3, 32, 32)
  conv(16, k=3) -> bn -> relu
  RepVGGBlock(16) -> ACBlock(16) -> relu -> DBBlock(16) -> relu -> MobileOneBlock(16, branches=2)
  gap -> fc(10)
}
`;

describe('fusion pairs in the graph webview', () => {
  it('draws each training-time block beside its deployment convolution', async () => {
    const train = (await build(NET)).def('Four');
    const deploy = (await build(fuseSource(train).text)).def('Four');
    const pairs = fusionPairs(train, deploy);
    expect(pairs.blocks.map((b) => `${b.title} → ${b.deployTitle}`)).toEqual([
      'RepVGGBlock(16) → RepVGGDeploy(16)',
      'ACBlock(16) → ACDeploy(16)',
      'DBBlock(16) → DBDeploy(16)',
      'MobileOneBlock(16, branches=2) → MobileOneDeploy(16, branches=2)',
    ]);
    const convs: Record<string, number> = {};
    for (const b of pairs.blocks) {
      const p = await harness.open('light');
      await p.send({
        type: 'fusion',
        title: `${b.title} → ${b.deployTitle}`,
        train: { graph: pairs.train, group: b.train, label: 'training form' },
        deploy: { graph: pairs.deploy, group: b.deploy, label: 'deployment form' },
      });
      await p.rendered(1);
      // Each side's boxes (ids `t:` and `d:`, fusion-view.ts) and the frames' titles.
      const boxes = await p.page.$$eval('.stage g.nas-node', (gs) =>
        gs.map((g) => [g.getAttribute('data-id') ?? '', g.querySelector('text.t')?.textContent ?? '']),
      );
      const side = (prefix: string) => boxes.filter(([id]) => id.startsWith(prefix)).map(([, title]) => title!);
      const texts = await p.page.$$eval('.stage text', (ts) => ts.map((t) => t.textContent));
      expect(texts).toEqual(expect.arrayContaining(['training form', 'deployment form']));
      const isConv = (t: string) => /^(conv|dwconv)/.test(t);
      const before = side('t:').filter(isConv).length;
      expect(side('d:').filter(isConv), b.title).toHaveLength(1);
      expect(
        side('d:').filter((t) => t === 'bn' || t === 'add'),
        b.title,
      ).toEqual([]);
      convs[b.title] = before;
      expect(pageErrors(p)).toEqual([]);
      await p.page.screenshot({ path: path.join(SHOTS, `fusion-${b.title.replace(/[^A-Za-z0-9]+/g, '-')}.png`) });
      await p.page.close();
    }
    // RepVGG: 3x3 and 1x1 (the identity is a BN); ACNet: k×k, 1×k, k×1; DBB: k×k, 1×1,
    // 1×1 → k×k, 1×1 → avg pool; MobileOne (2 branches): two k×k, a 1×1 scale branch.
    expect(convs).toEqual({ 'RepVGGBlock(16)': 2, 'ACBlock(16)': 3, 'DBBlock(16)': 5, 'MobileOneBlock(16, branches=2)': 3 });
  }, 120_000);
});
