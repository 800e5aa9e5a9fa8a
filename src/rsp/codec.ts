// Byte-level encodings of the Remote Serial Protocol: checksums, hex, the `}` escape used by
// binary packets and replies, and `*` run-length decoding. Pure functions, no I/O, so that the
// framer, the handlers and the tests all agree on one implementation. Large payloads (an X
// packet's 128 KiB) go through the WebAssembly kernels of binaryKernels.ts.

import { simdChecksum, simdEscapes, simdHex, simdUnescapeInPlace } from './binaryKernels.js';

/**
 * From this many bytes on, the WebAssembly kernels are used: below it, copying the bytes into
 * their memory and calling them costs more than the JavaScript loops here.
 */
const SIMD_FROM = 512;

const HEX_DIGITS = '0123456789abcdef';

/**
 * Sum of bytes[from, to) modulo 256: the two hex digits after `#`. Every byte of a 128 KiB X
 * packet goes through here, in the WebAssembly kernel. Below SIMD_FROM it sums four bytes per
 * step: the aligned middle is read as 32-bit words, split into two pairs of 16-bit lanes
 * (bytes 0 and 2, 1 and 3) that cannot carry into each other within 128 words; about 0.33 ns
 * a byte against 2.7 for a loop over bytes and 15 for `for...of`.
 */
export function checksum(bytes: Uint8Array, from = 0, to = bytes.length): number {
  if (to - from >= SIMD_FROM) return simdChecksum(bytes, from, to);
  let sum = 0;
  let i = from;
  if (to - i >= 64) {
    while ((bytes.byteOffset + i) & 3) sum += bytes[i++]!;
    // Int32 words and blocks of 128 keep every sum a small integer (128 * 0x00ff00ff < 2^31).
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (to - i) >>> 2);
    const n = words.length;
    for (let w = 0; w < n; ) {
      const stop = Math.min(n, w + 128);
      let even = 0;
      let odd = 0;
      for (; w < stop; w++) {
        const v = words[w]!;
        even = (even + (v & 0x00ff00ff)) | 0;
        odd = (odd + ((v >>> 8) & 0x00ff00ff)) | 0;
      }
      sum += (even & 0xffff) + (even >>> 16) + (odd & 0xffff) + (odd >>> 16);
    }
    i += n * 4;
  }
  for (; i < to; i++) sum += bytes[i]!;
  return sum & 0xff;
}

export function hexByte(value: number): string {
  return HEX_DIGITS[(value >> 4) & 0xf]! + HEX_DIGITS[value & 0xf]!;
}

/** Lowercase hex of `bytes` (Node's native encoder: a per-byte string loop is ~10x slower). */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX_HIGH = Uint8Array.from({ length: 256 }, (_, b) => HEX_DIGITS.charCodeAt(b >> 4));
const HEX_LOW = Uint8Array.from({ length: 256 }, (_, b) => HEX_DIGITS.charCodeAt(b & 0xf));
/** A byte's two hex digits as one little-endian 16-bit word, and their sum (its share of a checksum). */
const HEX_PAIR = Uint16Array.from({ length: 256 }, (_, b) => HEX_HIGH[b]! | (HEX_LOW[b]! << 8));
const HEX_PAIR_SUM = Uint16Array.from({ length: 256 }, (_, b) => HEX_HIGH[b]! + HEX_LOW[b]!);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Writes the lowercase hex of `bytes` into `out` at `at` and returns the checksum of what it
 * wrote, in one pass and with no intermediate string. Up to SIMD_FROM bytes (registers, `g`,
 * small `m`) a byte at a time, two digits per store where `at` is even: a 788-byte block in
 * about 3.3 µs against 4.2 for Node's native encoder and a checksum pass. Larger blocks (`m`
 * replies of up to 64 KiB, a `dump` is made of them) in the WebAssembly kernel.
 */
export function writeHexSummed(bytes: Uint8Array, out: Buffer, at: number): number {
  const n = bytes.length;
  if (n >= SIMD_FROM) return simdHex(bytes, out, at);
  let sum = 0;
  if (LITTLE_ENDIAN && n >= 16 && ((out.byteOffset + at) & 1) === 0) {
    const pairs = new Uint16Array(out.buffer, out.byteOffset + at, n);
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      pairs[i] = HEX_PAIR[b]!;
      sum += HEX_PAIR_SUM[b]!;
    }
    return sum & 0xff;
  }
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    out[at++] = HEX_HIGH[b]!;
    out[at++] = HEX_LOW[b]!;
    sum += HEX_PAIR_SUM[b]!;
  }
  return sum & 0xff;
}

/**
 * The lowercase hex of bytes[0, length) as two-digit pairs into `pairs` from index `at` (a
 * view the caller keeps over its own output, so that a short reply costs no view per call);
 * returns the checksum of the digits. Stores each pair as one 16-bit word on little-endian
 * hosts, where `pairs` puts the first digit first.
 */
export function writeHexPairs(bytes: Uint8Array, length: number, pairs: Uint16Array, at: number): number {
  let sum = 0;
  if (LITTLE_ENDIAN) {
    for (let i = 0; i < length; i++) {
      const b = bytes[i]!;
      pairs[at + i] = HEX_PAIR[b]!;
      sum += HEX_PAIR_SUM[b]!;
    }
    return sum & 0xff;
  }
  const out = new Uint8Array(pairs.buffer, pairs.byteOffset + 2 * at, 2 * length);
  for (let i = 0; i < length; i++) {
    const b = bytes[i]!;
    out[2 * i] = HEX_HIGH[b]!;
    out[2 * i + 1] = HEX_LOW[b]!;
    sum += HEX_PAIR_SUM[b]!;
  }
  return sum & 0xff;
}

/** Malformed hex or numbers in a packet: the session answers with an error reply. */
export class MalformedPacketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPacketError';
  }
}

/** The value of one hex digit's character code, or -1. */
export function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

const HEX_ONLY = /^[0-9a-fA-F]*$/;

/** Decodes an even-length hex string; throws MalformedPacketError on anything else. */
export function hexToBytes(hex: string, what = 'hex data'): Uint8Array {
  if (hex.length % 2 !== 0) throw new MalformedPacketError(`${what} has an odd number of hex digits`);
  if (!HEX_ONLY.test(hex)) {
    // Validation first: Buffer.from(..., 'hex') silently stops at the first bad digit.
    let at = 0;
    while (hexDigit(hex.charCodeAt(at)) >= 0) at++;
    throw new MalformedPacketError(`${what} is not hexadecimal at offset ${at - (at % 2)}`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

const HEX_NUMBER = /^[0-9a-fA-F]{1,16}$/;

/**
 * The value of 1 to 13 hex digits (exact in a double), or -1 for anything else. Every m, p, X
 * and Z carries such numbers: a loop over char codes, with no regular expression and no BigInt
 * parsed from a string, costs a fraction of the general path below.
 */
function smallHex(text: string): number {
  const n = text.length;
  if (n === 0 || n > 13) return -1;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const digit = hexDigit(text.charCodeAt(i));
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** A hex number of up to 64 bits (addresses, lengths, register numbers). */
export function parseHexNumber(text: string, what: string): bigint {
  const small = smallHex(text);
  if (small >= 0) return BigInt(small);
  if (!HEX_NUMBER.test(text)) throw new MalformedPacketError(`${what} "${text}" is not a hex number of at most 64 bits`);
  return BigInt(`0x${text}`);
}

/** A hex number that must also fit comfortably in a JS number (lengths, offsets, counts). */
export function parseHexSmall(text: string, what: string, max = 0x7fff_ffff): number {
  const small = smallHex(text);
  const value = small >= 0 ? small : parseHexNumber(text, what);
  if (value > max) throw new MalformedPacketError(`${what} 0x${value.toString(16)} is larger than 0x${max.toString(16)}`);
  return Number(value);
}

export function textToHex(text: string): string {
  return bytesToHex(new TextEncoder().encode(text));
}

export function hexToText(hex: string, what = 'hex text'): string {
  return new TextDecoder().decode(hexToBytes(hex, what));
}

const ESCAPE = 0x7d; // '}'
const MUST_ESCAPE = new Set([0x23, 0x24, 0x7d, 0x2a]); // '#', '$', '}', '*'

/** Escapes binary data for a reply: `#`, `$`, `}` and `*` become `}` + (byte ^ 0x20). */
export function escapeBinary(data: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of data) if (MUST_ESCAPE.has(b)) extra++;
  if (extra === 0) return data;
  const out = new Uint8Array(data.length + extra);
  let at = 0;
  for (const b of data) {
    if (MUST_ESCAPE.has(b)) {
      out[at++] = ESCAPE;
      out[at++] = b ^ 0x20;
    } else out[at++] = b;
  }
  return out;
}

/** Undoes `}` escapes into a new array (`data` is left as it is). A trailing lone `}` is malformed. */
export function unescapeBinary(data: Uint8Array): Uint8Array {
  return asBuffer(data).indexOf(ESCAPE) < 0 ? data : unescapeBinaryInPlace(copyOf(data));
}

/**
 * The length `data` will have once its `}` escapes are undone, without undoing them; throws
 * as unescapeBinaryInPlace does on a trailing lone `}`. An escape takes the byte after it
 * whatever that byte is (`}}` is one escaped byte). On an X packet's data the kernel counts
 * the `}`s; only data with two adjacent ones, which GDB never sends, takes the byte loop.
 */
export function unescapedLength(data: Uint8Array): number {
  const n = data.length;
  if (n >= SIMD_FROM) {
    const escapes = simdEscapes(data);
    if (escapes >= 0) {
      // No two `}` adjacent: each is an escape, and one in the last byte has nothing to take.
      if (data[n - 1] === ESCAPE) throw new MalformedPacketError(LONE_ESCAPE);
      return n - escapes;
    }
  }
  let escapes = 0;
  for (let i = 0; i < n; i++) {
    if (data[i] !== ESCAPE) continue;
    if (++i >= n) throw new MalformedPacketError(LONE_ESCAPE);
    escapes++;
  }
  return n - escapes;
}

const LONE_ESCAPE = 'binary data ends with a lone "}" escape';

/**
 * Undoes `}` escapes in place and returns the unescaped prefix of `data`; a trailing lone `}`
 * is malformed (and then `data` may be partly rewritten). An X packet's data goes through the
 * kernel; shorter data through the byte loop.
 */
export function unescapeBinaryInPlace(data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n >= SIMD_FROM) {
    const length = simdUnescapeInPlace(data);
    if (length < 0) throw new MalformedPacketError(LONE_ESCAPE);
    return data.subarray(0, length);
  }
  let at = 0;
  for (let i = 0; i < n; i++) {
    let b = data[i]!;
    if (b === ESCAPE) {
      if (++i >= n) throw new MalformedPacketError(LONE_ESCAPE);
      b = data[i]! ^ 0x20;
    }
    data[at++] = b;
  }
  return data.subarray(0, at);
}

const RUN = 0x2a; // '*'

/**
 * A copy in a Buffer: allocUnsafe takes small ones from Node's shared pool, where a new
 * Uint8Array gets a zeroed backing store of its own (about a microsecond, and work for the GC).
 */
export function copyOf(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  out.set(bytes);
  return out;
}

/** A Buffer view of `bytes`, for Buffer's native search (memchr) where a Uint8Array has none. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Expands `X*n` runs (X repeated n - 29 more times) in a raw payload. The byte before `*` is
 * the raw byte as sent, which is what the sender counted. `limit` bounds the expanded size.
 * Without runs (GDB sends none; it escapes `*` in binary data) `raw` itself is returned, or a
 * copy of it when `copy` is set.
 */
export function expandRuns(raw: Uint8Array, limit: number, copy = false): Uint8Array {
  if (asBuffer(raw).indexOf(RUN) < 0) return copy ? copyOf(raw) : raw;
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === RUN && raw[i - 1] !== ESCAPE) {
      if (out.length === 0) throw new MalformedPacketError('run-length "*" with no byte to repeat');
      const count = raw[i + 1];
      if (count === undefined) throw new MalformedPacketError('run-length "*" without a count');
      const repeat = count - 29;
      if (repeat < 0) throw new MalformedPacketError(`run-length count byte 0x${count.toString(16)} is below 29`);
      if (out.length + repeat > limit) throw new MalformedPacketError('run-length expansion exceeds the packet size');
      const last = out[out.length - 1]!;
      for (let k = 0; k < repeat; k++) out.push(last);
      i++;
    } else out.push(b);
  }
  return Uint8Array.from(out);
}

/** Frames a payload: `$payload#cc`. */
export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 4);
  out[0] = 0x24;
  out.set(payload, 1);
  closeFrame(out, 1, payload.length + 1);
  return out;
}

/**
 * Writes `#cc` at `end`: the checksum of out[start, end), a payload already in place after
 * its `$`, or `sum` when the caller computed it while writing the payload.
 */
export function closeFrame(out: Uint8Array, start: number, end: number, sum = checksum(out, start, end)): void {
  out[end] = 0x23;
  out[end + 1] = HEX_HIGH[sum]!;
  out[end + 2] = HEX_LOW[sum]!;
}

/** Printable rendering of protocol bytes for traces and logs: non-printables as \xNN. */
export function printable(bytes: Uint8Array, max = 512): string {
  let out = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${hexByte(b)}`;
  }
  if (bytes.length > max) out += `... (${bytes.length} bytes)`;
  return out;
}
