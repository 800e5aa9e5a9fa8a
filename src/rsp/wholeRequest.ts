// Recognises the packets GDB sends between stops (`g`, `p N`, `m ADDR,LEN`) when one of them
// is the whole of a TCP chunk, straight from the chunk's bytes: no string, no table lookup,
// no event object. Between two such packets GDB works for tens of microseconds and the
// stub's code and data go cold, so the path from a chunk's arrival to the reply's write
// (src/rsp/session.ts) is kept to a few small functions. Anything it does not recognise
// exactly (another packet, several in one chunk, a bad checksum, numbers too long for a
// double, a zero length) is left to the framer and the packet table, which answer it as
// before, errors included: this only ever says "not mine" or hands on numbers it is sure of.

import { hexDigit } from './codec.js';

/** What wholeRequest found: small integers, so that the session's dispatch stays one switch. */
export const WholeKind = { None: 0, RegisterBlock: 1, Register: 2, Memory: 3 } as const;
export type WholeKind = (typeof WholeKind)[keyof typeof WholeKind];

/** The parsed numbers of the last recognised packet (kept, not allocated per packet). */
export interface WholeRequest {
  /** `m`: the address (below 2^52); `p`: the register number. */
  first: number;
  /** `m`: the length (1 to 0x7fffffff). */
  second: number;
}

const DOLLAR = 0x24;
const HASH = 0x23;
const PLUS = 0x2b;
const COMMA = 0x2c;
const CH_g = 0x67;
const CH_m = 0x6d;
const CH_p = 0x70;
/** `$m` + 13 + `,` + 8 digits + `#cc`, with a few acks in front: longer chunks are not ours. */
const LONGEST = 32;
/** Thirteen hex digits are exact in a double; parseHexNumber takes longer addresses. */
const MAX_ADDRESS_DIGITS = 13;
/** parseHexSmall's limit for lengths and register numbers. */
const MAX_SMALL = 0x7fff_ffff;

/**
 * The kind of the one whole, well-formed `g`, `p` or `m` packet that `chunk` holds (after any
 * '+' acks, which mean nothing to the session), with its numbers in `out`; None otherwise.
 */
export function wholeRequest(chunk: Uint8Array, out: WholeRequest): WholeKind {
  const n = chunk.length;
  if (n > LONGEST) return WholeKind.None;
  let start = 0;
  while (start < n && chunk[start] === PLUS) start++;
  // `$`, one payload byte at least, `#`, two digits.
  if (n - start < 5 || chunk[start] !== DOLLAR || chunk[n - 3] !== HASH) return WholeKind.None;
  const high = hexDigit(chunk[n - 2]!);
  const low = hexDigit(chunk[n - 1]!);
  if (high < 0 || low < 0) return WholeKind.None;
  const end = n - 3;
  let sum = 0;
  for (let i = start + 1; i < end; i++) sum += chunk[i]!;
  if ((sum & 0xff) !== high * 16 + low) return WholeKind.None;
  const first = chunk[start + 1];
  if (first === CH_g) return end === start + 2 ? WholeKind.RegisterBlock : WholeKind.None;
  if (first === CH_p) {
    const regnum = hexRun(chunk, start + 2, end, 8);
    if (regnum < 0 || hexEnd !== end || regnum > MAX_SMALL) return WholeKind.None;
    out.first = regnum;
    return WholeKind.Register;
  }
  if (first === CH_m) {
    const address = hexRun(chunk, start + 2, end, MAX_ADDRESS_DIGITS);
    if (address < 0 || hexEnd >= end || chunk[hexEnd] !== COMMA) return WholeKind.None;
    const length = hexRun(chunk, hexEnd + 1, end, 8);
    if (length <= 0 || hexEnd !== end || length > MAX_SMALL) return WholeKind.None;
    out.first = address;
    out.second = length;
    return WholeKind.Memory;
  }
  return WholeKind.None;
}

/** Where the last hexRun stopped (a module variable: no result object per number). */
let hexEnd = 0;

/**
 * The value of the hex digits from `from` up to the first other byte or `end`, at most
 * `maxDigits` of them; -1 when there are none or too many.
 */
function hexRun(chunk: Uint8Array, from: number, end: number, maxDigits: number): number {
  let value = 0;
  let i = from;
  for (; i < end; i++) {
    const digit = hexDigit(chunk[i]!);
    if (digit < 0) break;
    value = value * 16 + digit;
  }
  hexEnd = i;
  const digits = i - from;
  return digits === 0 || digits > maxDigits ? -1 : value;
}
