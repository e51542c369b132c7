/**
 * A minimal WebAssembly binary emitter for the SIMD training kernels: enough of the format
 * (one memory import, functions of i32 parameters, i32/v128 locals, blocks, loops, loads,
 * stores and the few i32 / f32x4 instructions the kernels use) to generate small modules at
 * run time with no toolchain. The modules import tfjs-backend-wasm's own memory, so they
 * read and write tensors in place on its heap.
 *
 * Encoding: WebAssembly Core Specification 2.0, §5 (binary format), with the fixed-width
 * SIMD proposal's 0xFD-prefixed opcodes.
 */

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function str(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  return [...uleb(b.length), ...b];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export const I32 = 0x7f;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof V128;

/** Builds one function body; locals are numbered after the parameters. */
export class FuncBuilder {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];
  constructor(readonly params: number) {}

  local(type: ValType): number {
    this.locals.push(type);
    return this.params + this.locals.length - 1;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  private simd(opcode: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...imm);
  }

  get(i: number): this {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(0x22, ...uleb(i));
  }
  i32(v: number): this {
    return this.op(0x41, ...sleb(v));
  }
  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  /** local[i] += local[j] (both i32). */
  addTo(i: number, j: number): this {
    return this.get(i).get(j).add().set(i);
  }
  /** Decrements an i32 local and branches to `depth` while it is non-zero. */
  decBrIf(i: number, depth: number): this {
    return this.get(i)
      .i32(1)
      .sub()
      .tee(i)
      .op(0x0d, ...uleb(depth));
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  /** v128.load with a byte offset (alignment hint 4 bytes: tensors are 4-byte aligned). */
  v128Load(offset: number): this {
    return this.simd(0x00, 2, ...uleb(offset));
  }
  v128Store(offset: number): this {
    return this.simd(0x0b, 2, ...uleb(offset));
  }
  /** v128.load32_splat: one f32 broadcast to four lanes. */
  load32Splat(offset: number): this {
    return this.simd(0x09, 2, ...uleb(offset));
  }
  /** v128.const 0 */
  v128Zero(): this {
    return this.simd(0x0c, ...Array<number>(16).fill(0));
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  /** f64x2.promote_low_f32x4: lanes 0 and 1 as doubles. */
  f64x2PromoteLow(): this {
    return this.simd(0x5f);
  }
  /** i8x16.shuffle moving f32 lanes 2 and 3 of the top operand to lanes 0 and 1 (needs it twice on the stack). */
  f32x4HighToLow(): this {
    return this.simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
  }
  f64x2Add(): this {
    return this.simd(0xf0);
  }
  f32x4Gt(): this {
    return this.simd(0x44);
  }
  v128And(): this {
    return this.simd(0x4e);
  }

  encode(): number[] {
    // Run-length encode the local declarations.
    const groups: number[][] = [];
    for (let i = 0; i < this.locals.length; ) {
      let j = i;
      while (j < this.locals.length && this.locals[j] === this.locals[i]) j++;
      groups.push([...uleb(j - i), this.locals[i]]);
      i = j;
    }
    const body = [...vec(groups), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/**
 * A module importing `env.memory` (a non-shared memory of any size) and exporting the
 * given functions, each taking only i32 parameters and returning nothing.
 */
export function buildModule(funcs: { name: string; fn: FuncBuilder }[]): Uint8Array {
  const arities = [...new Set(funcs.map((f) => f.fn.params))];
  const types = arities.map((n) => [0x60, ...uleb(n), ...Array<number>(n).fill(I32), 0x00]);
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec(funcs.map((f) => uleb(arities.indexOf(f.fn.params))))),
    ...section(7, vec(funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(funcs.map((f) => f.fn.encode()))),
  ];
  return Uint8Array.from(bytes);
}

/**
 * The slice of the WebAssembly JS API used here. The project compiles against lib ES2022
 * without DOM types, which leave `WebAssembly` undeclared as a value.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Instantiates a module built by buildModule against `memory`; null if this engine rejects it (e.g. no SIMD). */
export function instantiate(bytes: Uint8Array, memory: WasmMemory): Record<string, unknown> | null {
  if (!wasmApi || !wasmApi.validate(bytes)) return null;
  return new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports;
}
