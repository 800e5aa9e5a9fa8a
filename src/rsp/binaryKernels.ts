// The codec's byte kernels for large payloads, in WebAssembly SIMD (src/rsp/wasm/binaryCodec.wat):
// checksum, `}` count and unescape of a 128 KiB X packet take about 15, 18 and 35 µs, copies
// included, where the JavaScript they replace took 45–85, 40–65 and 95–150; the hex of a
// 64 KiB `m` reply takes about 30 µs against 275–285 for the word table it replaced
// (docs/performance.md).
// They work on a copy of the caller's bytes in the module's own memory (copying 128 KiB costs
// about 4 µs), so callers keep plain Uint8Arrays and nothing outside this file knows of the
// module. The module is compiled once, on first use, synchronously (1 093 bytes).

import { BINARY_CODEC_WASM } from './wasm/binaryCodecModule.js';

// The project compiles against ES2022 and Node's types, neither of which declares the
// WebAssembly JavaScript API (the DOM library does): the little used here is declared here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  readonly memory: WasmMemory;
  checksum(at: number, length: number): number;
  escapes(at: number, length: number): number;
  unescape(at: number, length: number, out: number): number;
  hex(at: number, length: number, out: number): number;
}

const PAGE = 65536;
/** Room `unescape` may write past its output's end (one vector, less a byte). */
const VECTOR_SLACK = 16;

let kernels: KernelExports | undefined;
let memoryBytes = new Uint8Array(0);

function instance(): KernelExports {
  if (!kernels) {
    const module = new wasm.Module(Buffer.from(BINARY_CODEC_WASM, 'base64'));
    kernels = new wasm.Instance(module).exports as KernelExports;
    memoryBytes = new Uint8Array(kernels.memory.buffer);
  }
  return kernels;
}

/** The module with at least `bytes` of memory. Memory only grows: to three times the largest block given (input and hex output), which the packet size bounds. */
function withMemory(bytes: number): KernelExports {
  const k = instance();
  if (memoryBytes.length < bytes) {
    k.memory.grow(Math.ceil((bytes - memoryBytes.length) / PAGE));
    memoryBytes = new Uint8Array(k.memory.buffer);
  }
  return k;
}

/** Sum of bytes[from, to) modulo 256. */
export function simdChecksum(bytes: Uint8Array, from: number, to: number): number {
  const k = withMemory(to - from);
  memoryBytes.set(bytes.subarray(from, to), 0);
  return k.checksum(0, to - from);
}

/** The number of `}` bytes in `data`, or -1 when two are adjacent (the caller counts exactly). */
export function simdEscapes(data: Uint8Array): number {
  const k = withMemory(data.length);
  memoryBytes.set(data, 0);
  return k.escapes(0, data.length);
}

/**
 * Undoes `}` escapes in place; returns the unescaped length, or -1 (and `data` untouched) when
 * it ends in a lone `}`.
 */
export function simdUnescapeInPlace(data: Uint8Array): number {
  const n = data.length;
  const out = n;
  const k = withMemory(2 * n + VECTOR_SLACK);
  memoryBytes.set(data, 0);
  const length = k.unescape(0, n, out);
  if (length >= 0) data.set(memoryBytes.subarray(out, out + length), 0);
  return length;
}

/** Writes the lowercase hex of `bytes` into `out` from `at`; returns the checksum of the digits. */
export function simdHex(bytes: Uint8Array, out: Uint8Array, at: number): number {
  const n = bytes.length;
  const k = withMemory(3 * n);
  memoryBytes.set(bytes, 0);
  const sum = k.hex(0, n, n);
  out.set(memoryBytes.subarray(n, 3 * n), at);
  return sum;
}
