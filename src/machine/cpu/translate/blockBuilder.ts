// What the block translator's emitters share: the source templates for registers, flags,
// shifts and conditions, and the state of the block being built (where it is, which registers
// it touches, where it jumps). Every string made here is a fixed template filled with numbers.
//
// Generated code works on JS locals, not on the core's state: x<n> is x<n>l, x<n>h (its 32-bit
// halves, held as signed int32: `| 0`, never `>>> 0`, so that V8 keeps them in integer
// registers and small integers instead of doubles and heap numbers), SP_EL2 is spl, sph, PSTATE.NZCV is $f (N 8, Z 4, C 2, V 1). The region that holds
// the block (translator.ts) loads them from r (CoreState.words) and c (CoreState) on entry and
// stores them back on every exit; that is the only way the core's state is touched, so each
// exit is one place where the state becomes architecturally visible again. Besides, generated
// code sees m (FastMemory) and H (Wide, 64-bit helpers).

/** One instruction's code, and whether it ends the block (it set the next pc itself). */
export interface Translation {
  readonly code: string;
  readonly ends: boolean;
}

export const TWO32 = 4294967296;
/** Branch targets must stay exact as JS numbers. */
const MAX_TARGET = 2 ** 48;

export const hex = (n: number): string => `0x${n.toString(16)}`;
/** A 32-bit constant as the int32 literal a half holds (bit 31 set: negative). */
export const int32 = (n: number): string => String(n | 0);
/** A 64-bit constant's halves as int32 literals. */
export const halves = (v: bigint): [string, string] => [int32(Number(v & 0xffff_ffffn)), int32(Number((v >> 32n) & 0xffff_ffffn))];
/** The unsigned 64-bit value of the halves l:h (int32 expressions) as a JS number: exact below 2^53. */
export const unsigned64 = (l: string, h: string): string => `(${h} >>> 0) * 4294967296 + (${l} >>> 0)`;

/** PSTATE.NZCV from the four flag expressions (each 0 or 1). */
const setFlags = (n: string, z: string, c: string, v: string): string => `$f = (${n} << 3) | (${z} << 2) | (${c} << 1) | ${v};`;

/** PSTATE.C as 0 or 1 (the carry in of ADC/SBC). */
export const CARRY = '(($f >>> 1) & 1)';

/** PSTATE.NZCV set to a constant (CCMP/CCMN when the condition fails). */
export const setNzcv = (nzcv: number): string => `$f = ${nzcv};`;

/** A64 condition codes over PSTATE.NZCV (the local $f: N 8, Z 4, C 2, V 1). */
export function conditionExpr(cond: number): string {
  const f = '$f';
  const base = [
    `(${f} & 4) !== 0`, // EQ
    `(${f} & 2) !== 0`, // CS
    `(${f} & 8) !== 0`, // MI
    `(${f} & 1) !== 0`, // VS
    `(${f} & 6) === 2`, // HI: C set and Z clear
    `((${f} >>> 3 ^ ${f}) & 1) === 0`, // GE: N == V
    `(${f} & 4) === 0 && ((${f} >>> 3 ^ ${f}) & 1) === 0`, // GT
    'true', // AL
  ][cond >> 1]!;
  return (cond & 1) === 1 && cond !== 15 ? `(!(${base}))` : `(${base})`;
}

/** Constant shift of the 64-bit value in locals l:h, as [lo, hi] expressions. */
export function shift64(type: number, n: number, l: string, h: string): [string, string] {
  if (n === 0) return [l, h];
  switch (type) {
    case 0:
      if (n < 32) return [`(${l} << ${n})`, `((${h} << ${n}) | (${l} >>> ${32 - n}))`];
      return ['0', n === 32 ? l : `(${l} << ${n - 32})`];
    case 1:
      // n > 0 here: `>>> n` fits int32.
      if (n < 32) return [`((${l} >>> ${n}) | (${h} << ${32 - n}))`, `(${h} >>> ${n})`];
      return [n === 32 ? h : `(${h} >>> ${n - 32})`, '0'];
    case 2:
      if (n < 32) return [`((${l} >>> ${n}) | (${h} << ${32 - n}))`, `(${h} >> ${n})`];
      return [n === 32 ? h : `(${h} >> ${n - 32})`, `(${h} >> 31)`];
    default: {
      if (n === 32) return [h, l];
      const [a, b, k] = n < 32 ? [l, h, n] : [h, l, n - 32];
      return [`((${a} >>> ${k}) | (${b} << ${32 - k}))`, `((${b} >>> ${k}) | (${a} << ${32 - k}))`];
    }
  }
}

/**
 * Shift of the 32-bit value in local l by a constant, or by an expression (0..31) evaluated at
 * run time; ROR's `32 - n` is right for n = 0 too, since JS shifts count modulo 32.
 */
export function shift32(type: number, n: number | string, l: string): string {
  if (n === 0) return l;
  // A run-time amount may be 0, where `>>>` gives an unsigned value: `| 0` makes it int32.
  return [`(${l} << ${n})`, `((${l} >>> ${n}) | 0)`, `(${l} >> ${n})`, `((${l} >>> ${n}) | (${l} << (32 - ${n})))`][type]!;
}

export const plain = (code: string): Translation => ({ code: `{ ${code} }`, ends: false });

/** Register 32 stands for SP_EL2 in the sets below (it is words 62 and 63 of the bank). */
export const SP_INDEX = 32;

/** A jump to a constant address, resolved when the region is assembled: chained or an exit. */
export interface Jump {
  readonly target: number;
  /** Instructions of the block retired when the jump is taken. */
  readonly retired: number;
}

/** Where the placeholder of jump `id` stands in the code, until the region resolves it. */
export const jumpMark = (id: number): string => `/*@jump ${id}@*/`;
export const JUMP_MARK = /\/\*@jump (\d+)@\*\//g;

export class BlockBuilder {
  usesSp = false;
  /** Registers read or written (0..30, SP_INDEX), and those written: the region loads and stores them. */
  readonly used = new Set<number>();
  readonly written = new Set<number>();
  /** Constant jumps, by id (shared by every block of a region, hence passed in). */
  constructor(readonly jumps: Jump[] = []) {}
  /** Index in the block and address of the instruction being translated. */
  k = 0;
  pc = 0;

  private local(n: number, half: 'l' | 'h'): string {
    this.used.add(n);
    return n === SP_INDEX ? `sp${half}` : `x${n}${half}`;
  }

  lo(n: number): string {
    return n === 31 ? '0' : this.local(n, 'l');
  }

  hi(n: number): string {
    return n === 31 ? '0' : this.local(n, 'h');
  }

  /** Register n where 31 means SP (the base of loads and stores, ADD/SUB immediate). */
  loSp(n: number): string {
    if (n !== 31) return this.lo(n);
    this.usesSp = true;
    return this.local(SP_INDEX, 'l');
  }

  hiSp(n: number): string {
    if (n !== 31) return this.hi(n);
    this.usesSp = true;
    return this.local(SP_INDEX, 'h');
  }

  /** Writes l:h (or l with a zero top half for 32-bit results) to Xn; XZR discards. */
  set(n: number, l: string, h: string, sf: boolean): string {
    if (n === 31) return '';
    this.written.add(n);
    return `${this.local(n, 'l')} = ${l}; ${this.local(n, 'h')} = ${sf ? h : '0'};`;
  }

  setSp(n: number, l: string, h: string, sf: boolean): string {
    if (n !== 31) return this.set(n, l, h, sf);
    this.usesSp = true;
    this.written.add(SP_INDEX);
    return `${this.local(SP_INDEX, 'l')} = ${l}; ${this.local(SP_INDEX, 'h')} = ${sf ? h : '0'};`;
  }

  /** Writes one half of Xn alone (MOVK); the caller keeps the other half right. */
  setHalf(n: number, half: 'l' | 'h', value: string): string {
    if (n === 31) return '';
    this.written.add(n);
    return `${this.local(n, half)} = ${value};`;
  }

  /** X30 = the address after this instruction (BL, BLR). */
  link(): string {
    return this.set(30, int32((this.pc + 4) % TWO32), int32(Math.floor((this.pc + 4) / TWO32)), true);
  }

  /** Stop before this instruction; the interpreter runs it. */
  bail(): string {
    return `{ $done += ${this.k}; $bail = 1; $pc = ${this.pc}; break run; }`;
  }

  /** Leave the region with this instruction retired, going to `target` (an expression). */
  leave(target: string): string {
    return `$done += ${this.k + 1}; $pc = ${target}; break run;`;
  }

  /** Go on at the constant address `target` with this instruction retired: chained when the region holds it. */
  jump(target: number): string {
    return this.jumpAfter(target, this.k + 1);
  }

  /** Go on at `target` with `retired` instructions of the block retired (also the fall-through at a block's end). */
  jumpAfter(target: number, retired: number): string {
    this.jumps.push({ target, retired });
    return `{ ${jumpMark(this.jumps.length - 1)} }`;
  }

  /**
   * AddWithCarry of a and b (locals al, ah, bl, bh; b already inverted for a subtraction)
   * into locals xl, xh, setting NZCV when asked.
   */
  addWithCarry(carryIn: number | string, sf: boolean, flags: boolean): string {
    const sum = `const xl = (al + bl + ${carryIn}) | 0;`;
    // The carry out of the low word. With a constant carry in it is an unsigned comparison of
    // int32s (the sum wrapped below a, or to a itself when adding ~0 + 1), which V8 keeps in
    // integer registers; a carry in from PSTATE.C takes the exact sum in doubles.
    const carry =
      carryIn === 0 ? '(xl >>> 0) < (al >>> 0)'
      : carryIn === 1 ? '(xl >>> 0) <= (al >>> 0)'
      : `(al >>> 0) + (bl >>> 0) + ${carryIn} > 4294967295`;
    if (!sf) {
      let code = `${sum} const xh = 0;`;
      if (flags) code += setFlags('(xl >>> 31)', '(xl === 0 ? 1 : 0)', `(${carry} ? 1 : 0)`, '(((al ^ xl) & (bl ^ xl)) >>> 31)');
      return code;
    }
    let code = `${sum} const c0 = ${carry} ? 1 : 0; const xh = (ah + bh + c0) | 0;`;
    if (flags) {
      code += setFlags('(xh >>> 31)', '((xl | xh) === 0 ? 1 : 0)', '((ah >>> 0) + (bh >>> 0) + c0 > 4294967295 ? 1 : 0)', '(((ah ^ xh) & (bh ^ xh)) >>> 31)');
    }
    return code;
  }

  logicalFlags(sf: boolean): string {
    return sf ? setFlags('(xh >>> 31)', '((xl | xh) === 0 ? 1 : 0)', '0', '0') : setFlags('(xl >>> 31)', '(xl === 0 ? 1 : 0)', '0', '0');
  }

  /** Direct branch target, or undefined when it is not an exact small number. */
  target(offset: number): number | undefined {
    const t = this.pc + offset;
    return t >= 0 && t < MAX_TARGET ? t : undefined;
  }
}
