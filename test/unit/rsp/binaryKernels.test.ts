// The codec's WebAssembly kernels (src/rsp/binaryKernels.ts) against plain byte loops written
// here and Node's hex encoder, on the inputs that break vector code: every length around the 16-byte vectors and the
// 255-vector batches of the escape count, every alignment, escapes at vector edges, `}}`
// pairs, a lone `}` at the end, and payloads that make the module's memory grow. Also checks
// that the module kept in the repository is what its text source assembles to.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simdChecksum, simdEscapes, simdHex, simdUnescapeInPlace } from '../../../src/rsp/binaryKernels.js';
import { BINARY_CODEC_WASM } from '../../../src/rsp/wasm/binaryCodecModule.js';
import { assembleBinaryCodec } from '../../../src/tools/compileWasm.js';

const ESCAPE = 0x7d;

function sum(data: Uint8Array): number {
  let s = 0;
  for (const b of data) s += b;
  return s & 0xff;
}

/** The `}` count, or -1 when two are adjacent: the kernel's contract. */
function escapes(data: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== ESCAPE) continue;
    if (data[i - 1] === ESCAPE) return -1;
    count++;
  }
  return count;
}

/** Unescaped bytes, or undefined for a lone `}` at the end. */
function unescape(data: Uint8Array): number[] | undefined {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== ESCAPE) out.push(data[i]!);
    else if (i + 1 >= data.length) return undefined;
    else out.push(data[++i]! ^ 0x20);
  }
  return out;
}

function check(data: Uint8Array): void {
  expect(simdChecksum(data, 0, data.length)).toBe(sum(data));
  const hex = Buffer.from(data).toString('hex');
  const out = Buffer.alloc(2 * data.length + 5, 0x2e);
  expect(simdHex(data, out, 3)).toBe(sum(Buffer.from(hex, 'latin1')));
  expect(out.toString('latin1')).toBe(`...${hex}..`);
  expect(simdEscapes(data)).toBe(escapes(data));
  const copy = Uint8Array.from(data);
  const length = simdUnescapeInPlace(copy);
  const expected = unescape(data);
  if (expected === undefined) {
    expect(length).toBe(-1);
    expect(copy).toEqual(data);
  } else expect(Array.from(copy.subarray(0, length))).toEqual(expected);
}

/** Bytes with `}` (and `]`, what an escaped `}` becomes) far more often than at random. */
const payload = (maxLength: number) =>
  fc.uint8Array({ maxLength }).map((a) => a.map((b) => (b < 40 ? ESCAPE : b < 60 ? 0x5d : b)));

describe('WebAssembly codec kernels', () => {
  it('agree with byte loops on any bytes, at any offset in the caller\'s buffer', () => {
    fc.assert(
      fc.property(payload(700), fc.nat(15), (data, offset) => {
        const shifted = new Uint8Array(data.length + offset);
        shifted.set(data, offset);
        const view = shifted.subarray(offset);
        check(view);
        expect(simdChecksum(shifted, offset, shifted.length)).toBe(sum(data));
      }),
      { numRuns: 500 },
    );
  });

  it('handle every length around a vector, with an escape at each edge', () => {
    for (let length = 0; length <= 66; length++) {
      for (const at of [0, 1, 14, 15, 16, 17, length - 2, length - 1]) {
        if (at < 0 || at >= length) continue;
        const data = Uint8Array.from({ length }, (_, i) => (i * 11 + 1) & 0x7f);
        data[at] = ESCAPE;
        check(data);
        if (at + 1 < length) {
          data[at + 1] = ESCAPE; // `}}`: one escape taking `}` as its byte
          check(data);
        }
      }
    }
  });

  it('count escapes exactly where the 8-bit lanes would wrap (a `}` in the same lane of every vector)', () => {
    for (const period of [2, 16]) {
      for (const length of [255 * 16, 255 * 16 + 1, 255 * 16 * 3 + 7, 100_000]) {
        const data = Uint8Array.from({ length }, (_, i) => (i % period === 0 ? ESCAPE : 0x41));
        check(data);
        expect(simdEscapes(data)).toBe(Math.ceil(length / period));
      }
    }
  });

  it('grow their memory for a payload larger than any before, and keep working for small ones', () => {
    const large = Uint8Array.from({ length: 600_000 }, (_, i) => (i * 7 + (i >> 12)) & 0xff);
    for (let i = 1; i < large.length; i++) if (large[i] === ESCAPE && large[i - 1] === ESCAPE) large[i] = 0;
    check(large);
    check(Uint8Array.of(1, ESCAPE, 3));
    check(large.subarray(12345, 400_000));
  });

  it('come from the text source: the module in the repository is what binaryCodec.wat assembles to (run `npm run wasm`)', async () => {
    const assembled = await assembleBinaryCodec();
    expect(Buffer.from(BINARY_CODEC_WASM, 'base64').equals(Buffer.from(assembled))).toBe(true);
  });
});
