/**
 * ONNX's messages as protobuf (field numbers from onnx/onnx.proto3 of the ONNX project, IR
 * version 8): the model, its graph, nodes with attributes, initializers and typed inputs and
 * outputs. Only what an inference graph of float tensors needs.
 */
import { ProtoWriter } from './protobuf.js';

/** IR version 8 goes with opsets up to 17 (onnx/docs/Versioning.md). */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

export const TensorType = { FLOAT: 1, INT64: 7 } as const;

const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type AttributeValue = number | string | { readonly ints: readonly number[] } | { readonly floats: readonly number[] } | { readonly float: number };

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  /** An integer number is an INT attribute; `{ float }` a FLOAT one. */
  readonly attrs?: Readonly<Record<string, AttributeValue>>;
}

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

/** A dimension: a size, or a symbolic name (the batch). */
export type Dim = number | string;

export interface OnnxValue {
  readonly name: string;
  readonly dims: readonly Dim[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly doc?: string;
}

export interface OnnxModelInfo {
  readonly producer: string;
  readonly producerVersion: string;
  /** Written as metadata_props. */
  readonly metadata?: Readonly<Record<string, string>>;
}

function attribute(name: string, v: AttributeValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new RangeError(`attribute ${name}: ${v} is not an integer (use { float })`);
    return w.int(3, v).int(20, AttributeType.INT);
  }
  if (typeof v === 'string') return w.string(4, v).int(20, AttributeType.STRING);
  if ('float' in v) return w.float(2, v.float).int(20, AttributeType.FLOAT);
  if ('ints' in v) return w.packedInts(8, v.ints).int(20, AttributeType.INTS);
  return w.packedFloats(7, v.floats).int(20, AttributeType.FLOATS);
}

function node(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, attribute(k, v));
  return w;
}

function tensor(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter().packedInts(1, t.dims);
  w.int(2, t.data instanceof Float32Array ? TensorType.FLOAT : TensorType.INT64);
  w.string(8, t.name);
  // raw_data is little-endian, as typed arrays are on every platform Node supports.
  return w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function valueInfo(v: OnnxValue): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, TensorType.FLOAT).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function graph(g: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, node(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensor(t));
  if (g.doc) w.string(10, g.doc);
  for (const i of g.inputs) w.message(11, valueInfo(i));
  for (const o of g.outputs) w.message(12, valueInfo(o));
  return w;
}

/** The bytes of an ONNX ModelProto. */
export function encodeModel(g: OnnxGraph, info: OnnxModelInfo): Uint8Array {
  const w = new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, info.producer)
    .string(3, info.producerVersion)
    .message(7, graph(g))
    .message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET));
  for (const [k, v] of Object.entries(info.metadata ?? {})) w.message(14, new ProtoWriter().string(1, k).string(2, v));
  return w.finish();
}
