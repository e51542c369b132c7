/**
 * safetensors checkpoints: the format of Hugging Face's `safetensors` library
 * (github.com/huggingface/safetensors, README "Format"), implemented here from the spec:
 *
 *   8 bytes    N, the header length, unsigned 64-bit little-endian
 *   N bytes    a UTF-8 JSON object: { "<name>": { "dtype": "F32", "shape": [..],
 *              "data_offsets": [begin, end] }, ..., "__metadata__": { "<k>": "<v>" } };
 *              it starts with '{' and may be padded at the end with spaces (0x20)
 *   rest       the byte buffer; offsets are relative to its start, each tensor is
 *              little-endian, row-major ('C' order), and the tensors cover the buffer
 *              exactly (no holes, no overlaps)
 *
 * Writing follows the reference serializer: the header is space-padded so the buffer starts
 * at a multiple of 8, and tensors are laid out by decreasing element alignment, then name,
 * so every tensor's data is aligned to its element size. Reading checks every rule above
 * (header size at most 100 MB, as the reference reader) and reports the file.
 *
 * Model checkpoints hold `model.trainable` and `model.state` under their names (see
 * docs/training.md), float variables as F32 and int32 ones as I32, plus metadata strings.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from './model';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export type TensorArray = Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** One tensor. F16/BF16 data are the raw 16-bit patterns (use `toFloat32`). */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: TensorArray;
}

export interface SafetensorsContent {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'SafetensorsError';
  }
}

const MAX_HEADER_BYTES = 100_000_000;

if (endianness() !== 'LE') {
  // Typed arrays use the host's byte order; the format is little-endian.
  throw new Error('safetensors.ts assumes a little-endian host');
}

function arrayFor(dtype: SafetensorsDtype, bytes: Uint8Array): TensorArray {
  // Copy into a fresh ArrayBuffer: aligned for the typed array, and independent of the
  // file buffer (a Node Buffer's `slice` would share memory and its pool's ArrayBuffer).
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const buf = copy.buffer;
  switch (dtype) {
    case 'F64':
      return new Float64Array(buf);
    case 'F32':
      return new Float32Array(buf);
    case 'F16':
    case 'BF16':
      return new Uint16Array(buf);
    case 'I64':
      return new BigInt64Array(buf);
    case 'I32':
      return new Int32Array(buf);
    case 'I16':
      return new Int16Array(buf);
    case 'I8':
      return new Int8Array(buf);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buf);
  }
}

const ARRAY_TYPES: Record<SafetensorsDtype, { name: string; prototype: unknown }> = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Serialises tensors and metadata to safetensors bytes. */
export function encodeSafetensors(tensors: ReadonlyMap<string, SafeTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const entries = [...tensors.entries()];
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new SafetensorsError(`'__metadata__' is reserved and cannot name a tensor`);
    if (!(t.dtype in DTYPE_BYTES)) throw new SafetensorsError(`tensor '${name}': unknown dtype ${t.dtype}`);
    const want = ARRAY_TYPES[t.dtype];
    if (!(t.data instanceof (want as unknown as new () => TensorArray)))
      throw new SafetensorsError(`tensor '${name}': ${t.dtype} needs a ${want.name}, got ${t.data.constructor.name}`);
    if (t.data.length !== numel(t.shape))
      throw new SafetensorsError(`tensor '${name}': shape [${t.shape}] needs ${numel(t.shape)} values, got ${t.data.length}`);
  }
  entries.sort(([na, a], [nb, b]) => DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype] || (na < nb ? -1 : na > nb ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new SafetensorsError(`metadata '${k}' must be a string`);
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/** Parses and validates safetensors bytes; `file` only names the source in errors. */
export function decodeSafetensors(bytes: Uint8Array, file?: string): SafetensorsContent {
  const fail = (msg: string): never => {
    throw new SafetensorsError(msg, file);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes: too short for the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length) fail(`header length ${headerLen} runs past the end of the file (${bytes.length} bytes)`);
  const headerBytes = bytes.subarray(8, 8 + headerLen);
  if (headerBytes[0] !== 0x7b) fail(`header does not start with '{'`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const buffer = bytes.subarray(8 + headerLen);
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number; dtype: SafetensorsDtype; shape: number[] }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== 'object' || info === null) fail(`tensor '${name}': entry is not an object`);
    const dtype = info.dtype as SafetensorsDtype;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) fail(`tensor '${name}': unsupported dtype ${JSON.stringify(info.dtype)}`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor '${name}': bad shape ${JSON.stringify(shape)}`);
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(`tensor '${name}': bad data_offsets ${JSON.stringify(offs)}`);
    const [begin, end] = offs as [number, number];
    const want = numel(shape as number[]) * DTYPE_BYTES[dtype];
    if (end < begin || end - begin !== want)
      fail(`tensor '${name}': data_offsets [${begin}, ${end}] span ${end - begin} bytes, ${dtype}[${shape}] needs ${want}`);
    spans.push({ name, begin, end, dtype, shape: shape as number[] });
  }
  // The tensors must tile the buffer exactly: sorted by offset, each starts where the last ended.
  const sorted = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const s of sorted) {
    if (s.begin !== cursor) fail(`tensor '${s.name}' starts at ${s.begin}, expected ${cursor} (${s.begin > cursor ? 'hole' : 'overlap'} in the byte buffer)`);
    cursor = s.end;
  }
  if (cursor !== buffer.length) fail(`tensors cover ${cursor} bytes of a ${buffer.length}-byte buffer`);
  const tensors = new Map<string, SafeTensor>();
  for (const s of spans) tensors.set(s.name, { dtype: s.dtype, shape: s.shape, data: arrayFor(s.dtype, buffer.subarray(s.begin, s.end)) });
  return { tensors, metadata };
}

/** Converts any float/int tensor's values to float32 (F16/BF16 decoded from their bits). */
export function toFloat32(t: SafeTensor): Float32Array {
  if (t.dtype === 'F32') return t.data as Float32Array;
  const out = new Float32Array(t.data.length);
  if (t.dtype === 'BF16') {
    const u = new Uint32Array(out.buffer);
    const src = t.data as Uint16Array;
    for (let i = 0; i < src.length; i++) u[i] = src[i] << 16;
  } else if (t.dtype === 'F16') {
    const src = t.data as Uint16Array;
    for (let i = 0; i < src.length; i++) {
      const h = src[i];
      const sign = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 0x1f;
      const m = h & 0x3ff;
      out[i] = e === 0 ? sign * 2 ** -14 * (m / 1024) : e === 31 ? (m ? NaN : sign * Infinity) : sign * 2 ** (e - 15) * (1 + m / 1024);
    }
  } else {
    const src = t.data;
    for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  }
  return out;
}

export function readSafetensorsFile(file: string): SafetensorsContent {
  // A directory failed with a raw EISDIR, and a FIFO or a device would block or never end.
  const st = statSync(file);
  if (!st.isFile()) throw new SafetensorsError(`${st.isDirectory() ? 'is a directory' : 'is not a regular file'}, expected a .safetensors file`, file);
  return decodeSafetensors(readFileSync(file), file);
}

/** Writes atomically (temporary file + rename), so an interrupted save never leaves half a checkpoint. */
export function writeSafetensorsFile(file: string, tensors: ReadonlyMap<string, SafeTensor>, metadata: Record<string, string> = {}): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, encodeSafetensors(tensors, metadata));
    renameSync(tmp, file);
  } catch (e) {
    // A target that cannot be replaced (a folder, a full disk): leave nothing behind.
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** All of a model's variables (trainable, then state) by checkpoint name. */
export function collectModelTensors(model: TrainableModel): Map<string, SafeTensor> {
  const out = new Map<string, SafeTensor>();
  for (const group of [model.trainable, model.state]) {
    for (const [name, v] of group) {
      if (out.has(name)) throw new SafetensorsError(`model ${model.name}: '${name}' names both a trainable and a state tensor`);
      if (v.dtype === 'float32') out.set(name, { dtype: 'F32', shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) });
      else if (v.dtype === 'int32') out.set(name, { dtype: 'I32', shape: [...v.shape], data: Int32Array.from(v.dataSync() as Int32Array) });
      else throw new SafetensorsError(`model ${model.name}: '${name}' has dtype ${v.dtype}, only float32 and int32 are saved`);
    }
  }
  return out;
}

export function saveModelWeights(model: TrainableModel, file: string, metadata: Record<string, string> = {}): void {
  writeSafetensorsFile(file, collectModelTensors(model), {
    format: 'nas-studio',
    model: model.name,
    layout: 'NHWC activations; conv HWIO, depthwise HWCM, linear [in, out]',
    ...metadata,
  });
}

export interface LoadWeightsOptions {
  /** Fail on tensors in the file that the model does not have (default true). */
  strict?: boolean;
}

/**
 * Loads a checkpoint into a model's variables by name. Every model variable must be in the
 * file with the same shape; nothing is assigned unless all of them check out.
 */
export function loadModelWeights(model: TrainableModel, file: string, opts: LoadWeightsOptions = {}): Record<string, string> {
  const { tensors, metadata } = readSafetensorsFile(file);
  const vars = new Map<string, tf.Variable>([...model.trainable, ...model.state]);
  const missing = [...vars.keys()].filter((n) => !tensors.has(n));
  if (missing.length > 0) throw new SafetensorsError(`missing tensors for model ${model.name}: ${missing.join(', ')}`, file);
  if (opts.strict ?? true) {
    const extra = [...tensors.keys()].filter((n) => !vars.has(n));
    if (extra.length > 0) throw new SafetensorsError(`tensors not in model ${model.name}: ${extra.join(', ')}`, file);
  }
  const values: [tf.Variable, tf.Tensor][] = [];
  for (const [name, v] of vars) {
    const t = tensors.get(name)!;
    if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
      throw new SafetensorsError(`tensor '${name}' has shape [${t.shape}], the model expects [${v.shape}]`, file);
    }
    if (v.dtype === 'int32') {
      if (t.dtype !== 'I32' && t.dtype !== 'I64') throw new SafetensorsError(`tensor '${name}' is ${t.dtype}, the model expects an integer tensor`, file);
      values.push([v, tf.tensor(Int32Array.from(t.data as ArrayLike<number>, Number), t.shape, 'int32')]);
    } else {
      if (!['F32', 'F64', 'F16', 'BF16'].includes(t.dtype))
        throw new SafetensorsError(`tensor '${name}' is ${t.dtype}, the model expects a float tensor`, file);
      values.push([v, tf.tensor(toFloat32(t), t.shape, 'float32')]);
    }
  }
  for (const [v, t] of values) {
    v.assign(t);
    t.dispose();
  }
  return metadata;
}
