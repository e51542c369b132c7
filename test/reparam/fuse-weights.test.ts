/**
 * Weight fusion in the core (src/core/reparam/deploy-match.ts, fuse-weights.ts, verify.ts):
 * which sums are fused and with what, and that the check names what is wrong — a block whose
 * fused kernel is off, and the classic mistake of folding batch statistics instead of the
 * running estimates. PyTorch's view of the same fusions is test/reparam/fuse-torch.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { build } from '../helpers/nas';
import { elaborate } from '../../src/core/semantics/evaluator';
import { selectBackend } from '../../src/core/train/backend';
import { buildModel, describeModel } from '../../src/core/train/model-builder';
import { reparamSums } from '../../src/core/reparam/check-graph';
import { fuseSource } from '../../src/core/reparam/source-fusion';
import { planFusion } from '../../src/core/reparam/fusion-plan';
import { DeployMismatchError, matchDeploy } from '../../src/core/reparam/deploy-match';
import { fuseWeights, oihwToHwio, type NamedTensor } from '../../src/core/reparam/fuse-weights';
import { assignTensors, checkFusion, randomImages, randomizeBatchNorms, readTensors } from '../../src/core/reparam/verify';
import { ROOT } from './fusion-helpers';

beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
});

const NET = `import "std/blocks"
network Net(classes: int = 10) {
  input(3, 16, 16)
  RepVGGBlock(8, stride=2) -> RepVGGBlock(8) -> ACBlock(8) -> relu -> DBBlock(8) -> relu -> MobileOneBlock(8, branches=2)
  gap -> fc(classes)
}
`;

async function planOf(text: string, name: string) {
  const b = await build(text);
  expect(b.errors).toEqual([]);
  const def = b.def(name);
  const d = await build(fuseSource(def).text);
  const ddef = d.def(name);
  return planFusion({ result: elaborate(def), def }, { result: elaborate(ddef), def: ddef });
}

/** Random weights and statistics, fused: both models and the fused blocks. */
async function fusedNet() {
  const plan = await planOf(NET, 'Net');
  const train = buildModel(plan.train, { seed: 3 });
  const x = randomImages(train, 4, 1);
  randomizeBatchNorms(train, x, 2);
  const weights = readTensors(train);
  const fused = fuseWeights(plan.train, plan.deploy, plan.match, weights);
  const deploy = buildModel(plan.deploy);
  assignTensors(deploy, fused.tensors);
  return { plan, train, deploy, x, weights, fused };
}

describe('fusing the weights of a network', () => {
  it('pairs every block with its deployment conv and every other layer with itself; the outputs agree', async () => {
    const { plan, train, deploy, x, fused } = await fusedNet();
    try {
      expect(plan.match.fused.map((f) => [f.name, plan.deploy.nodes[f.conv]!.name])).toEqual([
        ['RepVGGBlock', 'RepVGGDeploy.conv'],
        ['RepVGGBlock_1', 'RepVGGDeploy_1.conv'],
        ['ACBlock', 'ACDeploy.conv'],
        ['DBBlock', 'DBDeploy.conv'],
        ['MobileOneBlock', 'MobileOneDeploy.conv'],
      ]);
      // The deployment network's tensors: a weight and a bias per fused conv, and the head.
      expect([...fused.tensors.keys()].sort()).toEqual(plan.deploy.nodes.flatMap((n) => n.params.map((p) => p.name)).sort());
      const check = checkFusion(train, deploy, fused.blocks, x);
      for (const b of check.blocks) expect(b.maxRelDiff, b.name).toBeLessThan(1e-5);
      expect(check.network.maxRelDiff).toBeLessThan(1e-5);
    } finally {
      tf.dispose([x]);
      train.dispose();
      deploy.dispose();
    }
  });

  it('names the block whose fused kernel is off, and only it', async () => {
    const { train, deploy, x, fused } = await fusedNet();
    try {
      // One tap of the DBBlock's fused kernel, in the deployment weights and in the fused conv the check applies.
      const target = fused.blocks[3]!;
      expect(target.block.name).toBe('DBBlock');
      (target.conv.weight as Float32Array)[4] += 0.05; // OIHW [0, 0, 1, 1]: the centre tap of output 0, input 0
      const name = `${deploy.spec.nodes[target.block.conv]!.name}.weight`;
      fused.tensors.set(name, { shape: fused.tensors.get(name)!.shape, data: oihwToHwio(target.conv) });
      assignTensors(deploy, fused.tensors);
      const check = checkFusion(train, deploy, fused.blocks, x);
      const over = check.blocks.filter((b) => b.maxRelDiff > 1e-4).map((b) => b.name);
      expect(over).toEqual(['DBBlock']);
      expect(check.network.maxRelDiff).toBeGreaterThan(1e-4);
    } finally {
      tf.dispose([x]);
      train.dispose();
      deploy.dispose();
    }
  });

  it('catches folding batch statistics instead of the running estimates (BN left in training mode)', async () => {
    const { plan, train, deploy, x, weights } = await fusedNet();
    try {
      // The mistake: each BN's statistics taken from a batch, as a train-mode forward pass normalizes.
      const batchStats = new Map<string, NamedTensor>(weights);
      const byInput = new Map(plan.train.nodes.filter((n) => n.op === 'bn').map((n) => [n.inputs[0]!, n]));
      const out = train.forward(x, false, (id, v) => {
        const bn = byInput.get(id);
        if (!bn || !v) return;
        tf.tidy(() => {
          const m = tf.moments(v, [0, 1, 2]);
          batchStats.set(`${bn.name}.running_mean`, { shape: [m.mean.size], data: Float32Array.from(m.mean.dataSync()) });
          batchStats.set(`${bn.name}.running_var`, { shape: [m.variance.size], data: Float32Array.from(m.variance.dataSync()) });
        });
      });
      out.dispose();
      const wrong = fuseWeights(plan.train, plan.deploy, plan.match, batchStats);
      assignTensors(deploy, wrong.tensors);
      const check = checkFusion(train, deploy, wrong.blocks, x);
      expect(check.blocks.every((b) => b.maxRelDiff > 1e-3)).toBe(true);
      expect(check.network.maxRelDiff).toBeGreaterThan(1e-3);
    } finally {
      tf.dispose([x]);
      train.dispose();
      deploy.dispose();
    }
  });

  it('finds the ACBlocks inside residual blocks (a sum of branches read by the residual add)', async () => {
    const b = await build(fs.readFileSync(path.join(ROOT, 'examples/acnet_resnet18.nas'), 'utf8'));
    const sums = reparamSums(elaborate(b.def('ACNetResNet18')).graph);
    expect(sums).toHaveLength(16);
    expect(sums.every((s) => s.branches.length === 3 && !s.error)).toBe(true);
  });

  it('refuses a deployment network that is not the fusion, naming where they part', async () => {
    const b = await build(NET);
    const def = b.def('Net');
    const sums = reparamSums(elaborate(def).graph).filter((s) => !s.error);
    const train = describeModel(elaborate(def), def);
    const deployOf = async (text: string) => {
      const d = await build(text);
      return describeModel(elaborate(d.def('Net')), d.def('Net'));
    };
    // A layer more: the structures differ.
    const extra = await deployOf(fuseSource(def).text.replace('DBDeploy(8)', 'DBDeploy(8) -> conv(8, k=1)'));
    expect(() => matchDeploy(train, sums, extra)).toThrow(DeployMismatchError);
    expect(() => matchDeploy(train, sums, extra)).toThrow(/relu relu \(8x8x8\) corresponds to conv DBDeploy\.conv/);
    // Same structure, another kernel: the branches do not fuse into it.
    const k5 = await deployOf(fuseSource(def).text.replace('ACDeploy(8)', 'ACDeploy(8, k=5)'));
    const model = buildModel(train, { seed: 1 });
    try {
      expect(() => fuseWeights(train, k5, matchDeploy(train, sums, k5), readTensors(model))).toThrow(
        /ACBlock: the branches fuse into a 3x3 conv .* ACDeploy\.conv: 5x5/,
      );
    } finally {
      model.dispose();
    }
  });
});
