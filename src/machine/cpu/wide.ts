// 64-bit arithmetic on pairs of 32-bit halves, for translated code: variable shifts, the low
// 64 bits of a product, and the bitfield move. Results land in `lo`/`hi` (no allocation).
// Halves are int32, as translated code holds them (translate/blockBuilder.ts): arguments may
// have bit 31 set as negative numbers or as unsigned ones, results are always int32 (`| 0`).
// Each mirrors the BigInt semantics of the interpreter, which the differential tests compare.

export class Wide {
  lo = 0;
  hi = 0;

  /** LSL (0), LSR (1), ASR (2) or ROR (3) of hi:lo by `n` (0..63). */
  shift(type: number, lo: number, hi: number, n: number): void {
    if (n === 0) {
      this.lo = lo | 0;
      this.hi = hi | 0;
      return;
    }
    if (type === 3) {
      if (n >= 32) {
        const t = lo;
        lo = hi;
        hi = t;
        n -= 32;
        if (n === 0) {
          this.lo = lo | 0;
          this.hi = hi | 0;
          return;
        }
      }
      this.lo = ((lo >>> n) | (hi << (32 - n))) | 0;
      this.hi = ((hi >>> n) | (lo << (32 - n))) | 0;
      return;
    }
    if (n < 32) {
      if (type === 0) {
        this.hi = ((hi << n) | (lo >>> (32 - n))) | 0;
        this.lo = (lo << n) | 0;
      } else {
        this.lo = ((lo >>> n) | (hi << (32 - n))) | 0;
        this.hi = type === 1 ? hi >>> n : hi >> n;
      }
      return;
    }
    const m = n - 32; // 0..31
    if (type === 0) {
      this.hi = (lo << m) | 0;
      this.lo = 0;
    } else if (type === 1) {
      this.lo = (hi >>> m) | 0;
      this.hi = 0;
    } else {
      this.lo = (hi >> m) | 0;
      this.hi = (hi >> 31) | 0;
    }
  }

  /** The low 64 bits of (ah:al) * (bh:bl). */
  mul(al: number, ah: number, bl: number, bh: number): void {
    // The high word of al * bl from 16-bit limbs: every partial product is below 2^32, and
    // their middle halves are summed apart so that no sum passes 2^32 (where >>> wraps). The
    // products are Math.imul's, made unsigned: a plain `*` of two limbs passes int32, and V8,
    // having first seen small ones, throws the compiled caller away when one overflows.
    const a0 = al & 0xffff;
    const a1 = al >>> 16;
    const b0 = bl & 0xffff;
    const b1 = bl >>> 16;
    const p01 = Math.imul(a0, b1) >>> 0;
    const p10 = Math.imul(a1, b0) >>> 0;
    const middle = (Math.imul(a0, b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const high = (Math.imul(a1, b1) >>> 0) + (p01 >>> 16) + (p10 >>> 16) + (middle >>> 16);
    this.lo = Math.imul(al, bl);
    // The cross terms only reach the high word; Math.imul keeps their low 32 bits.
    this.hi = (high + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
  }

  /** RBIT of one 32-bit word. */
  rbit(x: number): number {
    return reverseBits32(x);
  }

  /** The high 64 bits of the 128-bit product (UMULH, or SMULH when `signed`). */
  mulHigh(signed: boolean, al: number, ah: number, bl: number, bh: number): void {
    al >>>= 0;
    ah >>>= 0;
    bl >>>= 0;
    bh >>>= 0;
    const a = [al & 0xffff, al >>> 16, ah & 0xffff, ah >>> 16];
    const b = [bl & 0xffff, bl >>> 16, bh & 0xffff, bh >>> 16];
    // Column sums of 16-bit limb products, carried upwards: every value stays below 2^53.
    const p = [0, 0, 0, 0, 0, 0, 0, 0];
    let carry = 0;
    for (let k = 0; k < 8; k++) {
      let sum = carry;
      for (let i = Math.max(0, k - 3); i <= Math.min(3, k); i++) sum += a[i]! * b[k - i]!;
      p[k] = sum % 0x10000;
      carry = Math.floor(sum / 0x10000);
    }
    let lo = (p[4]! | (p[5]! << 16)) >>> 0;
    let hi = (p[6]! | (p[7]! << 16)) >>> 0;
    if (signed) {
      // Signed high half = unsigned high half - (a < 0 ? b : 0) - (b < 0 ? a : 0), mod 2^64.
      if (ah >>> 31) [lo, hi] = sub64(lo, hi, bl, bh);
      if (bh >>> 31) [lo, hi] = sub64(lo, hi, al, ah);
    }
    this.lo = lo | 0;
    this.hi = hi | 0;
  }

  /** 64-bit UDIV/SDIV: quotient rounded towards zero, 0 when dividing by 0 (INT64_MIN / -1 wraps). */
  divide(signed: boolean, al: number, ah: number, bl: number, bh: number): void {
    let a = (BigInt(ah >>> 0) << 32n) | BigInt(al >>> 0);
    let b = (BigInt(bh >>> 0) << 32n) | BigInt(bl >>> 0);
    if (signed) {
      a = BigInt.asIntN(64, a);
      b = BigInt.asIntN(64, b);
    }
    const q = b === 0n ? 0n : BigInt.asUintN(64, a / b);
    this.lo = Number(BigInt.asIntN(32, q));
    this.hi = Number(BigInt.asIntN(32, q >> 32n));
  }

  /**
   * SBFM (opc 0), BFM (1), UBFM (2) as the Arm ARM defines them: rotate the source right by
   * immr, merge under wmask into the destination (zero for UBFM), then fill the bits above
   * tmask with the destination (BFM), zeros (UBFM) or the source's bit imms (SBFM).
   */
  bitfield(
    opc: number, sf: boolean, srcLo: number, srcHi: number, dstLo: number, dstHi: number,
    immr: number, imms: number, wLo: number, wHi: number, tLo: number, tHi: number,
  ): void {
    let rotLo: number;
    let rotHi: number;
    if (sf) {
      this.shift(3, srcLo, srcHi, immr);
      rotLo = this.lo;
      rotHi = this.hi;
    } else {
      rotLo = immr === 0 ? srcLo : (srcLo >>> immr) | (srcLo << (32 - immr));
      rotHi = 0;
    }
    if (opc === 2) {
      dstLo = 0;
      dstHi = 0;
    }
    const botLo = (dstLo & ~wLo) | (rotLo & wLo);
    const botHi = (dstHi & ~wHi) | (rotHi & wHi);
    let topLo = dstLo;
    let topHi = dstHi;
    if (opc === 0) {
      const sign = imms >= 32 ? (srcHi >>> (imms - 32)) & 1 : (srcLo >>> imms) & 1;
      topLo = sign ? -1 : 0;
      topHi = sign && sf ? -1 : 0;
    }
    this.lo = ((topLo & ~tLo) | (botLo & tLo)) | 0;
    this.hi = sf ? (topHi & ~tHi) | (botHi & tHi) : 0;
  }
}

function sub64(al: number, ah: number, bl: number, bh: number): [number, number] {
  const lo = al - bl;
  return [lo >>> 0, (ah - bh - (lo < 0 ? 1 : 0)) >>> 0];
}

/** The 32 bits of `x` in reverse order (RBIT). */
export function reverseBits32(x: number): number {
  x = ((x >>> 1) & 0x5555_5555) | ((x & 0x5555_5555) << 1);
  x = ((x >>> 2) & 0x3333_3333) | ((x & 0x3333_3333) << 2);
  x = ((x >>> 4) & 0x0f0f_0f0f) | ((x & 0x0f0f_0f0f) << 4);
  x = ((x >>> 8) & 0x00ff_00ff) | ((x & 0x00ff_00ff) << 8);
  return ((x >>> 16) | (x << 16)) | 0;
}
