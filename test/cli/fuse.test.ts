/**
 * `nas fuse` as users run it (the bundle npm test builds, its `runCli`): the deployment
 * form of RepVGG-A0 with the paper's parameter and MAC figures, everything else in the file
 * kept, and the output path's guards (never the input, never an existing file without
 * --force, checked before any work).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FuseJson } from '../../src/cli/json-types.js';
import { ROOT, nasInProcess, tempFolder } from '../helpers/cli.js';

const A0 = path.join(ROOT, 'examples/repvgg_a0.nas');
const tmpDir = (): string => tempFolder('nas-fuse-');

describe('nas fuse', () => {
  it('RepVGG-A0: 9,108,968 → 8,309,384 parameters and 1.5126 → 1.3615 G MACs; only the block names change', async () => {
    const out = path.join(tmpDir(), 'a0.deploy.nas');
    const r = await nasInProcess(['fuse', A0, '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as FuseJson;
    expect(j.name).toBe('RepVGGA0');
    expect(j.before).toEqual({ params: 9_108_968, macs: 1_512_581_120 });
    expect(j.after).toEqual({ params: 8_309_384, macs: 1_361_451_008 });
    expect(j.renamed).toEqual([{ from: 'RepVGGBlock', to: 'RepVGGDeploy', uses: 8 }]);
    const source = fs.readFileSync(A0, 'utf8');
    const deploy = fs.readFileSync(out, 'utf8');
    // Comments and formatting kept: the uses in the network body are renamed, nothing else.
    const body = (t: string) => t.slice(t.indexOf('network RepVGGA0'));
    expect(body(deploy)).toBe(body(source).replaceAll('RepVGGBlock', 'RepVGGDeploy'));
    expect(deploy.slice(0, deploy.indexOf('network RepVGGA0'))).toBe(source.slice(0, source.indexOf('network RepVGGA0')));
    // The deployment file stands on its own.
    const cost = await nasInProcess(['cost', out, '--json']);
    expect(cost.code).toBe(0);
    expect(JSON.parse(cost.stdout)[0]).toMatchObject({ params: 8_309_384, macs: 1_361_451_008, output: [1000, 1, 1] });
  });

  it('prints params and MACs before and after', async () => {
    const out = path.join(tmpDir(), 'a0.deploy.nas');
    const r = await nasInProcess(['fuse', A0, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('params 9,108,968 → 8,309,384');
    expect(r.stdout).toContain('(1.5126G → 1.3615G)');
  });

  it('fuses the chosen network and the local blocks it uses, leaving the other network and the rest of the file', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'mixed.nas');
    const text = `import "std/blocks"

# A stage of a MobileOne-style network: depthwise then pointwise.
block Stage(C: int, stride: int) {
  input x
  x -> MobileOneBlock(x.c, stride=stride, groups=x.c, branches=2) -> MobileOneBlock(C, k=1, branches=2)
}

block Unused(C: int) {
  RepVGGBlock(C)
}

network Mixed {
  input(3, 32, 32)
  RepVGGBlock(16, stride=2) -> ACBlock(16) -> relu
  DBBlock(32, stride=2) -> relu
  Stage(64, 2)
  gap -> fc(10)
}

network Other {
  input(3, 32, 32)
  RepVGGBlock(8)
  gap -> fc(10)
}
`;
    fs.writeFileSync(file, text);
    const several = await nasInProcess(['fuse', file, '--out', path.join(dir, 'x.nas')]);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain('several networks use training-time blocks (Mixed, Other): choose one with --network');
    const out = path.join(dir, 'mixed.deploy.nas');
    const r = await nasInProcess(['fuse', file, '--network', 'Mixed', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as FuseJson;
    expect(j.renamed).toEqual([
      { from: 'RepVGGBlock', to: 'RepVGGDeploy', uses: 1 },
      { from: 'ACBlock', to: 'ACDeploy', uses: 1 },
      { from: 'DBBlock', to: 'DBDeploy', uses: 1 },
      { from: 'MobileOneBlock', to: 'MobileOneDeploy', uses: 2 },
    ]);
    const expected = text
      .replace(
        'MobileOneBlock(x.c, stride=stride, groups=x.c, branches=2) -> MobileOneBlock(C',
        'MobileOneDeploy(x.c, stride=stride, groups=x.c, branches=2) -> MobileOneDeploy(C',
      )
      .replace('RepVGGBlock(16, stride=2) -> ACBlock(16)', 'RepVGGDeploy(16, stride=2) -> ACDeploy(16)')
      .replace('DBBlock(32', 'DBDeploy(32');
    expect(fs.readFileSync(out, 'utf8')).toBe(expected);
    // The same network written by hand in deployment form: convs with bias (ReLU where the
    // training-time block has one).
    const hand = path.join(dir, 'hand.nas');
    fs.writeFileSync(
      hand,
      `network Mixed {
  input(3, 32, 32)
  conv(16, k=3, stride=2, bias=true) -> relu -> conv(16, k=3, bias=true) -> relu
  conv(32, k=3, stride=2, bias=true) -> relu
  conv(32, k=3, stride=2, groups=32, bias=true) -> relu -> conv(64, k=1, bias=true) -> relu
  gap -> fc(10)
}
`,
    );
    const handCost = JSON.parse((await nasInProcess(['cost', hand, '--json'])).stdout)[0];
    expect(j.after).toEqual({ params: handCost.params, macs: handCost.macs });
    expect(j.before.params).toBeGreaterThan(j.after.params);
  });

  it('rebases relative imports when writing elsewhere, and names imported blocks it cannot rename', async () => {
    const src = tmpDir();
    fs.mkdirSync(path.join(src, 'lib'));
    fs.writeFileSync(path.join(src, 'lib/stage.nas'), 'import "std/blocks"\nblock Stage(C: int) {\n  RepVGGBlock(C) -> RepVGGBlock(C)\n}\n');
    const file = path.join(src, 'net.nas');
    fs.writeFileSync(
      file,
      'import "std/blocks"\nimport "./lib/stage"\nnetwork Net {\n  input(3, 16, 16)\n  RepVGGBlock(8, stride=2) -> Stage(8)\n  gap -> fc(10)\n}\n',
    );
    const outDir = tmpDir();
    const out = path.join(outDir, 'net.deploy.nas');
    const r = await nasInProcess(['fuse', file, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Stage');
    expect(r.stderr).toContain('uses training-time blocks and is left as it is');
    const written = fs.readFileSync(out, 'utf8');
    expect(written).toContain(`import ${JSON.stringify(path.relative(outDir, path.join(src, 'lib/stage.nas')))}`);
    expect((await nasInProcess(['check', out])).code).toBe(0);
  });

  it('refuses to overwrite the input, and checks the output path before reading the input', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'bad.nas');
    fs.writeFileSync(file, 'network A {\n  input(3, 8, 8)\n  rleu\n}\n');
    const r = await nasInProcess(['fuse', file, '--out', file]);
    expect(r.code).toBe(2); // a usage error, not the input's errors (exit 1): nothing was loaded
    expect(r.stderr).toContain('is the input file: refusing to overwrite it');
    expect(fs.readFileSync(file, 'utf8')).toBe('network A {\n  input(3, 8, 8)\n  rleu\n}\n');
  });

  it('refuses an existing output without --force, replaces it with --force', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'keep.nas');
    fs.writeFileSync(out, '# mine\n');
    const r = await nasInProcess(['fuse', A0, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('exists: refusing to overwrite it (pass --force to replace it)');
    expect(fs.readFileSync(out, 'utf8')).toBe('# mine\n');
    expect((await nasInProcess(['fuse', A0, '--out', out, '--force'])).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain('RepVGGDeploy');
    expect(fs.readdirSync(dir)).toEqual(['keep.nas']); // no temporary file left
  });

  it('a network without training-time blocks: nothing to fuse (exit 1); a space: usage error', async () => {
    const out = path.join(tmpDir(), 'o.nas');
    const none = await nasInProcess(['fuse', 'examples/resnet50.nas', '--out', out]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('nothing to fuse');
    expect(fs.existsSync(out)).toBe(false);
    const space = await nasInProcess(['fuse', 'examples/nb201.nas', '--network', 'NB201', '--out', out]);
    expect(space.code).toBe(2);
    expect(space.stderr).toContain('is a space');
  });
});
