/**
 * `nas fuse` with weights, as users run it (bin/nas.cjs in a child process): the self-check
 * with random weights (--verify, its JSON and report), a check that fails (exit 1, naming the
 * block, nothing written), and the guards on --weights and --out-weights (exit 2, checked
 * before any work, nothing overwritten).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BenchFuseJson, FuseJson } from '../../src/cli/json-types.js';
import { readSafetensorsFile } from '../../src/core/train/safetensors.js';
import { ROOT, nas } from '../reparam/fusion-helpers.js';

const NET = `import "std/blocks"
network Small(classes: int = 10) {
  input(3, 16, 16)
  RepVGGBlock(8, stride=2) -> RepVGGBlock(8) -> ACBlock(8) -> relu
  gap -> fc(classes)
}
`;

let dir: string;
let file: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-fuse-weights-'));
  file = path.join(dir, 'small.nas');
  fs.writeFileSync(file, NET);
});

describe('nas fuse with weights', () => {
  it('--verify without --weights: random weights and BN statistics, every block and the outputs within the tolerance', () => {
    const out = path.join(dir, 'v.deploy.nas');
    const outWeights = path.join(dir, 'v.safetensors');
    const r = nas(['fuse', file, '--out', out, '--out-weights', outWeights, '--verify', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as FuseJson;
    expect(j.weights).toBe('random');
    expect(j.outWeights).toBe(outWeights);
    expect(j.blocks!.map((b) => [b.name, b.deploy])).toEqual([
      ['RepVGGBlock', 'RepVGGDeploy.conv'],
      ['RepVGGBlock_1', 'RepVGGDeploy_1.conv'],
      ['ACBlock', 'ACDeploy.conv'],
    ]);
    for (const b of j.blocks!) {
      expect(b.maxAbsDiff).toBeGreaterThanOrEqual(0);
      expect(b.maxRelDiff).toBeLessThan(1e-5);
    }
    expect(j.network!.maxRelDiff).toBeLessThan(1e-5);
    expect(j.verify).toMatchObject({ images: 2, seed: 0, tolerance: 1e-4, ok: true });
    // The deployment weights: the deployment network's names, its spec in the metadata.
    const saved = readSafetensorsFile(outWeights);
    expect([...saved.tensors.keys()].sort()).toEqual(
      [
        'ACDeploy.conv.bias',
        'ACDeploy.conv.weight',
        'RepVGGDeploy.conv.bias',
        'RepVGGDeploy.conv.weight',
        'RepVGGDeploy_1.conv.bias',
        'RepVGGDeploy_1.conv.weight',
        'fc.bias',
        'fc.weight',
      ].sort(),
    );
    expect(JSON.parse(saved.metadata['model_spec']!).name).toBe('Small');
    expect(saved.metadata['fused_from']).toContain('random');
    const human = nas(['fuse', file, '--out', out, '--force', '--verify']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('verified on 2 random images');
    expect(human.stdout).toMatch(/worst block \S+ → \S+: max abs \S+, rel \S+/);
    expect(human.stdout).toMatch(/network outputs: max abs \S+, rel \S+/);
  });

  it('a check over the tolerance fails with exit 1, names the block, and writes nothing', () => {
    const out = path.join(dir, 'strict.deploy.nas');
    const outWeights = path.join(dir, 'strict.safetensors');
    // float32 rounding alone is above 1e-12: the check must fail, and say where.
    const r = nas(['fuse', file, '--out', out, '--out-weights', outWeights, '--verify', '--tolerance', '1e-12', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fusion check failed: block RepVGGBlock differs by \S+ relative \(\S+ absolute\), over the tolerance 1e-12; nothing written/);
    expect((JSON.parse(r.stdout) as FuseJson).verify!.ok).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(outWeights)).toBe(false);
  });

  it('refuses weights of another network (exit 2) and output paths that would overwrite an input, before any work', () => {
    const weights = path.join(dir, 'other.safetensors');
    const other = path.join(dir, 'other.nas');
    fs.writeFileSync(other, NET.replace('RepVGGBlock(8) -> ACBlock(8)', 'ACBlock(8)'));
    expect(nas(['fuse', other, '--out', path.join(dir, 'o.nas'), '--out-weights', weights]).code).toBe(0);
    const before = fs.readFileSync(weights);
    const wrong = nas(['fuse', file, '--weights', weights, '--out', path.join(dir, 'w.nas')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`cannot load ${weights}`);
    expect(wrong.stderr).toContain('it is not a checkpoint of Small as this file defines it: 47 of its 49 tensors are missing (RepVGGBlock.a.conv.weight,');
    expect(wrong.stderr).toContain('It holds deployment weights written by nas fuse; pass the training-time weights (nas train --save).');
    expect(fs.existsSync(path.join(dir, 'w.nas'))).toBe(false);
    const same = nas(['fuse', other, '--weights', weights, '--out', path.join(dir, 'o2.nas'), '--out-weights', weights]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain(`--out-weights ${weights} is also ${weights}: refusing to overwrite it`);
    expect(fs.readFileSync(weights).equals(before)).toBe(true);
    const missing = nas(['fuse', file, '--weights', path.join(dir, 'nowhere.safetensors'), '--out', path.join(dir, 'm.nas')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--weights');
    expect(missing.stderr).toContain('no such file');
    const exists = nas(['fuse', other, '--out', path.join(dir, 'o3.nas'), '--out-weights', weights]);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toContain('--out-weights');
    expect(exists.stderr).toContain('exists: refusing to overwrite it (pass --force to replace it)');
  });
});

describe('nas bench fuse', () => {
  it('times both forms in alternating pairs and prints the medians', () => {
    const r = nas(['bench', 'fuse', file, '--batch', '2', '--pairs', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as BenchFuseJson;
    expect(j).toMatchObject({ network: 'Small', backend: 'wasm', batch: 2 });
    expect(j.pairs.map((p) => p.unfusedFirst)).toEqual([true, false, true]);
    for (const p of j.pairs) {
      expect(p.unfusedMs).toBeGreaterThan(0);
      expect(p.fusedMs).toBeGreaterThan(0);
      expect(p.speedup).toBeCloseTo(p.unfusedMs / p.fusedMs, 10);
    }
    const ratios = j.pairs.map((p) => p.speedup).sort((a, b) => a - b);
    expect(j.speedup).toBe(ratios[1]);
    expect(j.unfusedMs).toBe(j.pairs.map((p) => p.unfusedMs).sort((a, b) => a - b)[1]);
    expect(nas(['bench', 'fuse', file, '--pairs', '2']).code).toBe(2);
    const none = nas(['bench', 'fuse', path.join(ROOT, 'examples/resnet50.nas')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('nothing to fuse');
  });
});
