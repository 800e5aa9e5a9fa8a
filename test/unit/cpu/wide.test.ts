// The 64-bit helpers of translated code (wide.ts) against BigInt arithmetic: shifts of every
// kind and amount, products (low and high halves), quotients, and the bitfield move.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Wide } from '../../../src/machine/cpu/wide.js';
import { decodeBitMasks } from '../../../src/machine/cpu/bitmasks.js';

const M64 = (1n << 64n) - 1n;
// Results are int32 halves, as translated code holds them; inputs are given as int32 too.
const join = (w: Wide): bigint => {
  expect(w.lo).toBe(w.lo | 0);
  expect(w.hi).toBe(w.hi | 0);
  return (BigInt(w.hi >>> 0) << 32n) | BigInt(w.lo >>> 0);
};
const lo = (v: bigint): number => Number(BigInt.asIntN(32, v));
const hi = (v: bigint): number => Number(BigInt.asIntN(32, v >> 32n));
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: M64 }), fc.constantFrom(0n, 1n, M64, 1n << 63n, 0xffff_ffffn, 1n << 32n));

function shiftReference(type: number, v: bigint, n: bigint): bigint {
  switch (type) {
    case 0: return (v << n) & M64;
    case 1: return v >> n;
    case 2: return BigInt.asUintN(64, BigInt.asIntN(64, v) >> n);
    default: return ((v >> n) | (v << (64n - n))) & M64;
  }
}

describe('64-bit helpers over 32-bit halves', () => {
  it('shift like BigInt for every kind and amount', () => {
    const w = new Wide();
    fc.assert(
      fc.property(u64, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 63 }), (v, type, n) => {
        w.shift(type, lo(v), hi(v), n);
        expect(join(w)).toBe(shiftReference(type, v, BigInt(n)));
      }),
      { numRuns: 5000 },
    );
  });

  it('multiply to the low 64 bits of the product', () => {
    const w = new Wide();
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        w.mul(lo(a), hi(a), lo(b), hi(b));
        expect(join(w)).toBe((a * b) & M64);
      }),
      { numRuns: 5000 },
    );
  });

  it('give the high half of signed and unsigned 128-bit products, and 64-bit quotients', () => {
    const w = new Wide();
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        w.mulHigh(false, lo(a), hi(a), lo(b), hi(b));
        expect(join(w)).toBe((a * b) >> 64n);
        w.mulHigh(true, lo(a), hi(a), lo(b), hi(b));
        expect(join(w)).toBe(BigInt.asUintN(64, (BigInt.asIntN(64, a) * BigInt.asIntN(64, b)) >> 64n));
        w.divide(false, lo(a), hi(a), lo(b), hi(b));
        expect(join(w)).toBe(b === 0n ? 0n : a / b);
        w.divide(true, lo(a), hi(a), lo(b), hi(b));
        const sb = BigInt.asIntN(64, b);
        expect(join(w)).toBe(sb === 0n ? 0n : BigInt.asUintN(64, BigInt.asIntN(64, a) / sb));
      }),
      { numRuns: 5000 },
    );
    expect(w.rbit(1)).toBe(0x8000_0000 | 0);
  });

  it('move bitfields as SBFM/BFM/UBFM do', () => {
    const w = new Wide();
    fc.assert(
      fc.property(u64, u64, fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 63 }), (src, dst, opc, sf, immr, imms) => {
        const width = sf ? 64 : 32;
        if (!sf && (immr > 31 || imms > 31)) return;
        const masks = decodeBitMasks(sf ? 1 : 0, imms, immr, false, width);
        if (!masks) return;
        const mask = sf ? M64 : 0xffff_ffffn;
        const s = src & mask;
        const d = opc === 1 ? dst & mask : 0n;
        const r = BigInt(immr);
        const rotated = immr === 0 ? s : ((s >> r) | (s << (BigInt(width) - r))) & mask;
        const bot = (d & ~masks.wmask) | (rotated & masks.wmask);
        const top = opc === 0 ? ((s >> BigInt(imms)) & 1n ? mask : 0n) : d;
        const expected = ((top & ~masks.tmask) | (bot & masks.tmask)) & mask;
        w.bitfield(opc, sf, lo(s), hi(s), lo(d), hi(d), immr, imms, lo(masks.wmask), hi(masks.wmask), lo(masks.tmask), hi(masks.tmask));
        expect(join(w)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });
});
