/**
 * ONNX export against the `onnx` package and PyTorch (test/export/onnx_check.py): the file
 * passes ONNX's checker with full shape inference, and evaluating its graph by the operators'
 * definitions gives, on the same weights, what the network built from torch.nn gives
 * (test/train/torch_from_spec.py), in float64. Nets of every op the model builder has, and
 * `nas fuse --out-onnx` on a fused network with its fused weights.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/train/backend';
import type { ModelSpec } from '../../src/core/train/model-builder';
import { readSafetensorsFile } from '../../src/core/train/safetensors';
import { readTensors } from '../../src/core/reparam/verify';
import { exportOnnx, OnnxExportError, permute } from '../../src/core/export/onnx';
import { ProtoWriter } from '../../src/core/export/onnx/protobuf';
import type { FuseJson } from '../../src/cli/json-types';
import { opZoo } from '../helpers/op-zoo';
import { makeTempDir } from '../train-data/helpers';
import { nas, randomCheckpoint, specOf } from '../reparam/fusion-helpers';

const SCRIPT = path.join(__dirname, 'onnx_check.py');

interface OnnxCheck {
  irVersion: number;
  opset: Array<[string, number]>;
  inputDims: Array<number | string>;
  outputDims: Array<number | string>;
  gotShape: number[];
  ops: Record<string, number>;
  metadata: Record<string, string>;
  maxAbsDiff: number;
  maxRelDiff: number;
}

function check(onnxFile: string, spec: ModelSpec, weights: string, images = 3, seed = 7): OnnxCheck {
  const specFile = `${onnxFile}.spec.json`;
  fs.writeFileSync(specFile, JSON.stringify(spec));
  const r = spawnSync('/usr/bin/python3', [SCRIPT, onnxFile, specFile, weights, String(images), String(seed)], { encoding: 'utf8', timeout: 240_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as OnnxCheck;
}

let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
  tmp = makeTempDir('onnx');
  return () => tmp.cleanup();
});

/** Exports `spec` with random trained-like weights and checks it. */
function exportAndCheck(spec: ModelSpec, seed: number): OnnxCheck {
  const weights = path.join(tmp.dir, `${spec.name}.safetensors`);
  const model = randomCheckpoint(spec, weights, seed);
  try {
    const e = exportOnnx(spec, readTensors(model), { producerVersion: 'test' });
    const file = path.join(tmp.dir, `${spec.name}.onnx`);
    fs.writeFileSync(file, e.bytes);
    return check(file, spec, weights);
  } finally {
    model.dispose();
  }
}

describe('protobuf encoding', () => {
  it('writes varints as the protobuf encoding guide shows them', () => {
    // protobuf.dev "Encoding": field 1 = 150 is 08 96 01; an int64 of −1 takes ten bytes.
    expect([...new ProtoWriter().int(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
    expect([...new ProtoWriter().int(2, -1).finish()]).toEqual([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect([...new ProtoWriter().string(2, 'testing').finish()]).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    expect([...new ProtoWriter().int(1, 2 ** 40).finish()]).toEqual([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
  });

  it('permutes a tensor as numpy.transpose does', () => {
    // [2, 3] → [3, 2]
    expect([...permute(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0])]).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('ONNX export agrees with PyTorch (onnx checker, float64 evaluation)', () => {
  it('a net of every op: groups, dilation, GN, hard/swish, shuffle, split, upsample, zero, SE, flatten-fc', async () => {
    const spec = await specOf(opZoo('dropout(0.2) -> flatten -> fc(classes)'), 'Zoo');
    const r = exportAndCheck(spec, 3);
    expect(r.irVersion).toBe(8);
    expect(r.opset).toEqual([['', 17]]);
    expect(r.inputDims).toEqual(['N', 3, 12, 12]);
    expect(r.outputDims).toEqual(['N', 10]);
    expect(r.gotShape).toEqual([3, 10]);
    for (const op of [
      'Conv',
      'BatchNormalization',
      'InstanceNormalization',
      'HardSwish',
      'HardSigmoid',
      'Resize',
      'Transpose',
      'Slice',
      'Sum',
      'MaxPool',
      'AveragePool',
      'Gemm',
    ]) {
      expect(r.ops, op).toHaveProperty(op);
    }
    // float32 weights on both sides; what remains is HardSigmoid's alpha rounded to float32.
    expect(r.maxRelDiff).toBeLessThan(1e-6);
  });

  it("Diverse Branch Blocks and MobileOne: DBB's BN-and-pad, average pooling with and without padding", async () => {
    const spec = await specOf(
      `import "std/blocks"
network DBBNet(classes: int = 10) {
  input(3, 12, 12)
  conv(8, k=3) -> bn -> relu
  DBBlock(8) -> relu -> DBBlock(16, stride=2) -> relu -> DBBlock(16, groups=16) -> relu -> DBBlock(16, k=5, internal=8) -> relu
  MobileOneBlock(16, branches=3)
  avgpool(k=3, stride=2, pad=1, count_include_pad=false) -> gap -> fc(classes)
}`,
      'DBBNet',
    );
    expect(spec.nodes.some((n) => n.op === 'bn' && (n.attrs.pad as number) > 0)).toBe(true);
    const r = exportAndCheck(spec, 5);
    expect(r.ops).toHaveProperty('Pad');
    // The border of BN-and-pad is a constant computed once and stored in float32.
    expect(r.maxRelDiff).toBeLessThan(1e-6);
  });

  it('refuses an op it has no form for, naming it', () => {
    const spec: ModelSpec = {
      format: 'nas-studio/model-spec@1',
      name: 'Odd',
      input: [1, 2, 2],
      output: 1,
      nodes: [
        { id: 0, op: 'input', name: 'input', inputs: [], shape: [1, 2, 2], attrs: {}, params: [], scope: '' },
        { id: 1, op: 'softmax', name: 'softmax', inputs: [0], shape: [1, 2, 2], attrs: {}, params: [], scope: 'Odd/softmax' },
      ],
    };
    expect(() => exportOnnx(spec, new Map(), { producerVersion: 'test' })).toThrow(new OnnxExportError("op 'softmax' (Odd/softmax) has no ONNX form here"));
  });
});

describe('nas fuse --out-onnx', () => {
  it('writes the deployment network with its fused weights; ONNX and PyTorch agree on it', () => {
    const file = path.join(tmp.dir, 'small.nas');
    fs.writeFileSync(
      file,
      `import "std/blocks"
network Small(classes: int = 10) {
  input(3, 16, 16)
  RepVGGBlock(8, stride=2) -> RepVGGBlock(8) -> ACBlock(8) -> relu -> DBBlock(8) -> relu
  gap -> fc(classes)
}
`,
    );
    const [out, outWeights, outOnnx] = ['small.deploy.nas', 'small.deploy.safetensors', 'small.onnx'].map((f) => path.join(tmp.dir, f));
    const r = nas(['fuse', file, '--out', out!, '--out-weights', outWeights!, '--out-onnx', outOnnx!, '--verify', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as FuseJson;
    expect(j.outOnnx).toEqual({ file: outOnnx, nodes: expect.any(Number) as number, bytes: fs.statSync(outOnnx!).size });
    const deploySpec = JSON.parse(readSafetensorsFile(outWeights!).metadata['model_spec']!) as ModelSpec;
    const c = check(outOnnx!, deploySpec, outWeights!);
    // The deployment form: plain convolutions, no batch norm left.
    expect(Object.keys(c.ops).sort()).toEqual(['Conv', 'Flatten', 'Gemm', 'GlobalAveragePool', 'Relu', 'Unsqueeze']);
    expect(c.ops['Conv']).toBe(4);
    expect(c.metadata).toMatchObject({ network: 'Small', fused_from: 'random weights and batch-norm statistics (self-check)' });
    expect(c.maxRelDiff).toBeLessThan(1e-9);
  });

  it('refuses an --out-onnx that exists, before any work', () => {
    const file = path.join(tmp.dir, 'small.nas');
    const taken = path.join(tmp.dir, 'taken.onnx');
    fs.writeFileSync(taken, 'keep');
    const r = nas(['fuse', file, '--out', path.join(tmp.dir, 'x.deploy.nas'), '--out-onnx', taken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out-onnx');
    expect(fs.readFileSync(taken, 'utf8')).toBe('keep');
    expect(fs.existsSync(path.join(tmp.dir, 'x.deploy.nas'))).toBe(false);
  });
});
