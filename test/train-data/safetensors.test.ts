import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  type SafeTensor,
  SafetensorsError,
  decodeSafetensors,
  encodeSafetensors,
  loadModelWeights,
  readSafetensorsFile,
  saveModelWeights,
  toFloat32,
} from '../../src/core/train/safetensors';
import { createTinyCnn } from '../../src/core/train/tiny-cnn';
import { makeTempDir, useTrainingBackend } from './helpers';

// The independent implementation: Python's standard library only (struct + json), written
// from the format description, not from our TypeScript. python3 is part of the machine image
// (and CI installs Debian's python3); a missing interpreter fails this test, it never skips.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const PY_SAFETENSORS = String.raw`
import json, struct, sys
SIZES = {'F64': 8, 'F32': 4, 'I64': 8, 'I32': 4, 'I16': 2, 'I8': 1, 'U8': 1}
CODES = {'F64': 'd', 'F32': 'f', 'I64': 'q', 'I32': 'i', 'I16': 'h', 'I8': 'b', 'U8': 'B'}

def read(path):
    data = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    buf = data[8 + n:]
    meta = header.pop('__metadata__', {})
    tensors = {}
    for name, info in header.items():
        b, e = info['data_offsets']
        dt = info['dtype']
        count = (e - b) // SIZES[dt]
        numel = 1
        for d in info['shape']:
            numel *= d
        assert count == numel, name
        tensors[name] = {'dtype': dt, 'shape': info['shape'], 'values': list(struct.unpack('<%d%s' % (count, CODES[dt]), buf[b:e])),
                         'aligned': (8 + n + b) % SIZES[dt] == 0}
    print(json.dumps({'header_len': n, 'metadata': meta, 'tensors': tensors}))

def write(path, spec_json):
    # spec: {name: {dtype, shape, values}}; layout in insertion order, header unpadded
    # (the spec allows both), so the reader under test must not rely on our own padding.
    spec = json.loads(spec_json)
    header, blobs, offset = {'__metadata__': {'writer': 'python-struct'}}, [], 0
    for name, t in spec.items():
        blob = struct.pack('<%d%s' % (len(t['values']), CODES[t['dtype']]), *t['values'])
        header[name] = {'dtype': t['dtype'], 'shape': t['shape'], 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    h = json.dumps(header).encode('utf-8')
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))

if sys.argv[1] == 'read':
    read(sys.argv[2])
else:
    write(sys.argv[2], open(sys.argv[3]).read())
`;

let tmp: { dir: string; cleanup: () => void };
let script: string;
beforeAll(async () => {
  await useTrainingBackend();
  tmp = makeTempDir('st');
  script = join(tmp.dir, 'safetensors_ref.py');
  writeFileSync(script, PY_SAFETENSORS);
});
afterAll(() => tmp.cleanup());

const python = (...args: string[]): string => execFileSync(PYTHON, [script, ...args], { encoding: 'utf8' });

function sampleTensors(): Map<string, SafeTensor> {
  const f = new Float32Array(24);
  for (let i = 0; i < f.length; i++) f[i] = Math.fround(Math.sin(i * 1.3) * 10 ** ((i % 7) - 3));
  f[5] = -0;
  return new Map<string, SafeTensor>([
    ['conv.weight', { dtype: 'F32', shape: [2, 3, 4], data: f }],
    ['steps', { dtype: 'I32', shape: [3], data: Int32Array.from([0, -7, 2 ** 31 - 1]) }],
    ['big', { dtype: 'I64', shape: [2], data: BigInt64Array.from([-(2n ** 40n), 5n]) }],
    ['mask', { dtype: 'U8', shape: [5], data: Uint8Array.from([0, 1, 255, 3, 4]) }],
    ['scalar', { dtype: 'F64', shape: [], data: Float64Array.from([Math.PI]) }],
    ['empty', { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) }],
  ]);
}

describe('safetensors encoding', () => {
  it('round-trips every dtype, aligns the buffer to 8 and each tensor to its element size', () => {
    const tensors = sampleTensors();
    const bytes = encodeSafetensors(tensors, { epoch: '3', note: 'ünïcode ✓' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    expect(bytes[8]).toBe(0x7b);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ epoch: '3', note: 'ünïcode ✓' });
    for (const [name, t] of tensors) {
      const r = back.tensors.get(name)!;
      expect(r.dtype).toBe(t.dtype);
      expect(r.shape).toEqual(t.shape);
      expect(Array.from(r.data as ArrayLike<number>)).toEqual(Array.from(t.data as ArrayLike<number>));
    }
    expect(Object.is(back.tensors.get('conv.weight')!.data[5], -0)).toBe(true);
  });

  it('is read correctly by an independent Python reader', () => {
    const file = join(tmp.dir, 'ts-written.safetensors');
    writeFileSync(file, encodeSafetensors(sampleTensors(), { written_by: 'typescript' }));
    const py = JSON.parse(python('read', file)) as {
      header_len: number;
      metadata: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; values: number[]; aligned: boolean }>;
    };
    expect(py.metadata).toEqual({ written_by: 'typescript' });
    expect(py.header_len % 8).toBe(0);
    for (const [name, t] of sampleTensors()) {
      const p = py.tensors[name];
      expect(p.dtype).toBe(t.dtype);
      expect(p.shape).toEqual(t.shape);
      expect(p.aligned).toBe(true);
      expect(p.values).toEqual(Array.from(t.data as ArrayLike<number | bigint>, Number));
    }
  });

  it('reads a file written by the independent Python writer, into a model', () => {
    const model = createTinyCnn({ inputChannels: 3, numClasses: 10, widths: [4, 8], seed: 1 });
    try {
      const spec: Record<string, { dtype: string; shape: number[]; values: number[] }> = {};
      const want = new Map<string, number[]>();
      let k = 0;
      for (const [name, v] of [...model.trainable, ...model.state].reverse()) {
        const values = Array.from({ length: v.size }, (_, i) => (((i * 7 + k) % 13) - 6) / 8); // exact in float32
        spec[name] = { dtype: 'F32', shape: [...v.shape], values };
        want.set(name, values);
        k++;
      }
      const specFile = join(tmp.dir, 'spec.json');
      const file = join(tmp.dir, 'py-written.safetensors');
      writeFileSync(specFile, JSON.stringify(spec));
      python('write', file, specFile);
      const meta = loadModelWeights(model, file);
      expect(meta).toEqual({ writer: 'python-struct' });
      for (const [name, v] of [...model.trainable, ...model.state]) expect(Array.from(v.dataSync())).toEqual(want.get(name));
    } finally {
      model.dispose();
    }
  });

  it('decodes F16 and BF16 bit patterns', () => {
    expect(Array.from(toFloat32({ dtype: 'F16', shape: [4], data: Uint16Array.from([0x3c00, 0xc000, 0x0001, 0x7c00]) }))).toEqual([1, -2, 2 ** -24, Infinity]);
    expect(Array.from(toFloat32({ dtype: 'BF16', shape: [2], data: Uint16Array.from([0x3f80, 0xc040]) }))).toEqual([1, -3]);
  });
});

describe('safetensors validation', () => {
  const build = (header: object, buffer: number): Uint8Array => {
    const h = Buffer.from(JSON.stringify(header));
    const out = Buffer.alloc(8 + h.length + buffer);
    out.writeBigUInt64LE(BigInt(h.length), 0);
    h.copy(out, 8);
    return out;
  };
  it('rejects holes, overlaps, wrong sizes, bad headers and truncation', () => {
    const t = (o: number[]) => ({ dtype: 'F32', shape: [2], data_offsets: o });
    expect(() => decodeSafetensors(build({ a: t([0, 8]), b: t([12, 20]) }, 20), 'x.st')).toThrow(/x\.st: .*hole/);
    expect(() => decodeSafetensors(build({ a: t([0, 8]), b: t([4, 12]) }, 12))).toThrow(/overlap/);
    expect(() => decodeSafetensors(build({ a: t([0, 12]) }, 12))).toThrow(/needs 8/);
    expect(() => decodeSafetensors(build({ a: t([0, 8]) }, 16))).toThrow(/cover 8 bytes of a 16-byte buffer/);
    expect(() => decodeSafetensors(build({ a: { dtype: 'X9', shape: [1], data_offsets: [0, 1] } }, 1))).toThrow(/unsupported dtype/);
    expect(() => decodeSafetensors(build({ __metadata__: { n: 3 } }, 0))).toThrow(/not a string/);
    const good = build({ a: t([0, 8]) }, 8);
    expect(() => decodeSafetensors(good.subarray(0, 20))).toThrow(/runs past the end/);
    expect(() => decodeSafetensors(good.subarray(0, 5))).toThrow(SafetensorsError);
    const huge = Buffer.from(good);
    huge.writeBigUInt64LE(2n ** 40n, 0);
    expect(() => decodeSafetensors(huge)).toThrow(/exceeds/);
  });
});

describe('model checkpoints', () => {
  it('save and load restore every trainable and state tensor and the outputs', () => {
    const a = createTinyCnn({ inputChannels: 3, numClasses: 5, widths: [4, 8], seed: 1 });
    const b = createTinyCnn({ inputChannels: 3, numClasses: 5, widths: [4, 8], seed: 2 });
    try {
      // Give the running statistics non-default values by one training-mode forward.
      const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      tf.dispose(a.forward(x, true));
      const file = join(tmp.dir, 'model.safetensors');
      saveModelWeights(a, file, { epoch: '1' });
      const names = [...readSafetensorsFile(file).tensors.keys()].sort();
      expect(names).toEqual([...a.trainable.keys(), ...a.state.keys()].sort());
      expect(names).toContain('bn1.running_mean');
      const meta = loadModelWeights(b, file);
      expect(meta.model).toBe(a.name);
      expect(meta.epoch).toBe('1');
      for (const [name, v] of [...a.trainable, ...a.state]) {
        const w = b.trainable.get(name) ?? b.state.get(name)!;
        expect(Array.from(w.dataSync())).toEqual(Array.from(v.dataSync()));
      }
      const ya = a.forward(x, false);
      const yb = b.forward(x, false);
      expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
      tf.dispose([x, ya, yb]);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('refuses a checkpoint of another architecture, naming the tensors', () => {
    const a = createTinyCnn({ inputChannels: 3, numClasses: 5, widths: [4, 8], seed: 1 });
    const b = createTinyCnn({ inputChannels: 3, numClasses: 5, widths: [4, 16], seed: 1 });
    try {
      const file = join(tmp.dir, 'small.safetensors');
      saveModelWeights(a, file);
      expect(() => loadModelWeights(b, file)).toThrow(/'conv2.weight' has shape \[3,3,4,8\], the model expects \[3,3,4,16\]/);
      const only = decodeSafetensors(readFileSync(file));
      only.tensors.delete('fc.bias');
      writeFileSync(file, encodeSafetensors(only.tensors));
      expect(() => loadModelWeights(a, file)).toThrow(/missing tensors .*fc\.bias/);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
