// DecodeBitMasks of the Arm ARM (shared/functions/bitmasks): the wmask/tmask pair behind the
// logical-immediate and bitfield instructions, from the N:imms:immr fields.

export interface BitMasks {
  readonly wmask: bigint;
  readonly tmask: bigint;
}

const ones = (n: number): bigint => (1n << BigInt(n)) - 1n;

function rotateRight(value: bigint, amount: number, width: number): bigint {
  if (amount === 0) return value;
  const mask = ones(width);
  return ((value >> BigInt(amount)) | (value << BigInt(width - amount))) & mask;
}

function replicate(element: bigint, esize: number, width: number): bigint {
  let out = 0n;
  for (let at = 0; at < width; at += esize) out |= element << BigInt(at);
  return out;
}

/** undefined where the Arm ARM says the encoding is reserved. */
export function decodeBitMasks(immN: number, imms: number, immr: number, immediate: boolean, width: number): BitMasks | undefined {
  const combined = (immN << 6) | (~imms & 0x3f);
  const len = combined === 0 ? -1 : 31 - Math.clz32(combined);
  if (len < 1) return undefined;
  const esize = 1 << len;
  if (esize > width) return undefined;
  const levels = esize - 1;
  if (immediate && (imms & levels) === levels) return undefined;
  const s = imms & levels;
  const r = immr & levels;
  const d = (s - r) & levels;
  const welem = ones(s + 1);
  const telem = ones(d + 1);
  return {
    wmask: replicate(rotateRight(welem, r, esize), esize, width),
    tmask: replicate(telem, esize, width),
  };
}
