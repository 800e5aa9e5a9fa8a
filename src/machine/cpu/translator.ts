// The block translator: turns a run of A64 instructions into one JavaScript function that
// works on the registers' 32-bit halves (CoreState.words) and on RAM through FastMemory, so
// that hot code runs without a BigInt or a decode per instruction. It covers the integer
// instructions compiled code spends its time in; a block ends before any instruction it does
// not cover (the interpreter executes that one), after a branch, at a 4 KiB page boundary, or
// after MAX_BLOCK instructions. The interpreter (interpreter.ts) stays the reference: every
// form translated here decodes exactly as it does there, and a load or store that is not
// plain allowed RAM "bails": the block stops before it, with all earlier instructions retired,
// and the interpreter runs it, faults included. Encodings follow the Arm ARM (DDI0487).
//
// The generated source is made only of numbers decoded from instruction words and fixed
// templates: nothing a client sends reaches it as text.
//
// Generated code sees: r (the register words; x<n> = r[2n], r[2n+1], SP_EL2 = r[62], r[63]),
// c (CoreState, for PSTATE.NZCV in cpsr), m (FastMemory), H (Wide, 64-bit helpers).

import type { CoreState } from '../core.js';
import { decodeBitMasks } from './bitmasks.js';
import type { FastMemory } from './fastMemory.js';
import type { Wide } from './wide.js';

export type BlockFunction = (r: Uint32Array, c: CoreState, m: FastMemory, H: Wide) => number;

export interface Block {
  readonly start: number;
  /** Instructions translated; 0 when the first one is not covered. */
  readonly length: number;
  /** The block reads or writes SP as SP_EL2: valid only at EL2 with PSTATE.SP = 1. */
  readonly usesSp: boolean;
  readonly run: BlockFunction | undefined;
}

export const MAX_BLOCK = 64;
const TWO32 = 4294967296;
/** Branch targets must stay exact as JS numbers. */
const MAX_TARGET = 2 ** 48;

/** One instruction's code, and whether it ends the block (it set the next pc itself). */
interface Translation {
  readonly code: string;
  readonly ends: boolean;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const halves = (v: bigint): [string, string] => [hex(Number(v & 0xffff_ffffn)), hex(Number((v >> 32n) & 0xffff_ffffn))];
const signExtend = (value: number, bits: number): number => (value << (32 - bits)) >> (32 - bits);

/** PSTATE.NZCV from the four flag expressions (each 0 or 1). */
const setFlags = (n: string, z: string, c: string, v: string): string =>
  `c.cpsr = ((c.cpsr & 0x0fffffff) | (${n} << 31) | (${z} << 30) | (${c} << 29) | (${v} << 28)) >>> 0;`;

/** A64 condition codes over PSTATE.NZCV (f = cpsr >>> 28: N 8, Z 4, C 2, V 1). */
function conditionExpr(cond: number): string {
  const f = '(c.cpsr >>> 28)';
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
function shift64(type: number, n: number, l: string, h: string): [string, string] {
  if (n === 0) return [l, h];
  switch (type) {
    case 0:
      if (n < 32) return [`(${l} << ${n}) >>> 0`, `((${h} << ${n}) | (${l} >>> ${32 - n})) >>> 0`];
      return ['0', n === 32 ? l : `(${l} << ${n - 32}) >>> 0`];
    case 1:
      if (n < 32) return [`((${l} >>> ${n}) | (${h} << ${32 - n})) >>> 0`, `${h} >>> ${n}`];
      return [n === 32 ? h : `${h} >>> ${n - 32}`, '0'];
    case 2:
      if (n < 32) return [`((${l} >>> ${n}) | (${h} << ${32 - n})) >>> 0`, `(${h} >> ${n}) >>> 0`];
      return [n === 32 ? h : `(${h} >> ${n - 32}) >>> 0`, `(${h} >> 31) >>> 0`];
    default: {
      if (n === 32) return [h, l];
      const [a, b, k] = n < 32 ? [l, h, n] : [h, l, n - 32];
      return [`((${a} >>> ${k}) | (${b} << ${32 - k})) >>> 0`, `((${b} >>> ${k}) | (${a} << ${32 - k})) >>> 0`];
    }
  }
}

/**
 * Shift of the 32-bit value in local l by a constant, or by an expression (0..31) evaluated at
 * run time; ROR's `32 - n` is right for n = 0 too, since JS shifts count modulo 32.
 */
function shift32(type: number, n: number | string, l: string): string {
  if (n === 0) return l;
  return [`(${l} << ${n}) >>> 0`, `${l} >>> ${n}`, `(${l} >> ${n}) >>> 0`, `((${l} >>> ${n}) | (${l} << (32 - ${n}))) >>> 0`][type]!;
}

class BlockBuilder {
  usesSp = false;
  /** Index in the block and address of the instruction being translated. */
  k = 0;
  pc = 0;

  lo(n: number): string {
    return n === 31 ? '0' : `r[${2 * n}]`;
  }

  hi(n: number): string {
    return n === 31 ? '0' : `r[${2 * n + 1}]`;
  }

  /** Register n where 31 means SP (the base of loads and stores, ADD/SUB immediate). */
  loSp(n: number): string {
    if (n !== 31) return this.lo(n);
    this.usesSp = true;
    return 'r[62]';
  }

  hiSp(n: number): string {
    if (n !== 31) return this.hi(n);
    this.usesSp = true;
    return 'r[63]';
  }

  /** Writes l:h (or l with a zero top half for 32-bit results) to Xn; XZR discards. */
  set(n: number, l: string, h: string, sf: boolean): string {
    if (n === 31) return '';
    return `r[${2 * n}] = ${l}; r[${2 * n + 1}] = ${sf ? h : '0'};`;
  }

  setSp(n: number, l: string, h: string, sf: boolean): string {
    if (n !== 31) return this.set(n, l, h, sf);
    this.usesSp = true;
    return `r[62] = ${l}; r[63] = ${sf ? h : '0'};`;
  }

  /** Stop before this instruction; the interpreter runs it. */
  bail(): string {
    return `{ m.retired = ${this.k}; m.bail = true; return ${this.pc}; }`;
  }

  /** Leave the block with this instruction retired, going to `target` (an expression). */
  leave(target: string): string {
    return `m.retired = ${this.k + 1}; return ${target};`;
  }

  /**
   * AddWithCarry of a and b (locals al, ah, bl, bh; b already inverted for a subtraction)
   * into locals xl, xh, setting NZCV when asked.
   */
  addWithCarry(carryIn: number | string, sf: boolean, flags: boolean): string {
    if (!sf) {
      let code = `let s = al + bl + ${carryIn}; let xl = s >>> 0; const xh = 0;`;
      if (flags) code += setFlags('(xl >>> 31)', '(xl === 0 ? 1 : 0)', '(s > 4294967295 ? 1 : 0)', '(((al ^ xl) & (bl ^ xl)) >>> 31)');
      return code;
    }
    let code = `let xl = al + bl + ${carryIn}; const c0 = xl > 4294967295 ? 1 : 0; xl = xl >>> 0; let xh = ah + bh + c0;`;
    if (flags) {
      code += 'const cf = xh > 4294967295 ? 1 : 0; xh = xh >>> 0;';
      code += setFlags('(xh >>> 31)', '((xl | xh) === 0 ? 1 : 0)', 'cf', '(((ah ^ xh) & (bh ^ xh)) >>> 31)');
    } else code += 'xh = xh >>> 0;';
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

  // ---- the instruction groups, decoded as interpreter.ts decodes them ----

  translate(i: number): Translation | undefined {
    const op0 = (i >>> 25) & 0xf;
    if ((op0 & 0xe) === 0x8) return this.dataProcessingImmediate(i);
    if ((op0 & 0xe) === 0xa) return this.branchSystem(i);
    if ((op0 & 0x5) === 0x4) return this.loadStore(i);
    if ((op0 & 0x7) === 0x5) return this.dataProcessingRegister(i);
    return undefined;
  }

  private plain(code: string): Translation {
    return { code: `{ ${code} }`, ends: false };
  }

  private dataProcessingImmediate(i: number): Translation | undefined {
    const op = (i >>> 23) & 0x7;
    const sf = i >>> 31 === 1;
    const rd = i & 31;
    const rn = (i >>> 5) & 31;
    switch (op) {
      case 0:
      case 1: {
        const imm = BigInt(signExtend((((i >>> 5) & 0x7ffff) << 2) | ((i >>> 29) & 3), 21));
        const pc = BigInt(this.pc);
        const value = BigInt.asUintN(64, i >>> 31 === 1 ? (pc & ~0xfffn) + (imm << 12n) : pc + imm);
        const [l, h] = halves(value);
        return this.plain(this.set(rd, l, h, true));
      }
      case 2: {
        const subtract = ((i >>> 30) & 1) === 1;
        const flags = ((i >>> 29) & 1) === 1;
        let imm = (i >>> 10) & 0xfff;
        if ((i >>> 22) & 1) imm *= 4096;
        const b = subtract ? (~imm >>> 0) : imm;
        const bh = subtract ? '0xffffffff' : '0';
        let code = `const al = ${this.loSp(rn)}, ah = ${sf ? this.hiSp(rn) : '0'}, bl = ${hex(b)}, bh = ${sf ? bh : '0'};`;
        code += this.addWithCarry(subtract ? 1 : 0, sf, flags);
        code += flags ? this.set(rd, 'xl', 'xh', sf) : this.setSp(rd, 'xl', 'xh', sf);
        return this.plain(code);
      }
      case 4: {
        const opc = (i >>> 29) & 3;
        const n = (i >>> 22) & 1;
        if (!sf && n) return undefined;
        const masks = decodeBitMasks(n, (i >>> 10) & 63, (i >>> 16) & 63, true, sf ? 64 : 32);
        if (masks === undefined) return undefined;
        const [ml, mh] = halves(masks.wmask);
        const operator = opc === 0 || opc === 3 ? '&' : opc === 1 ? '|' : '^';
        let code = `const xl = (${this.lo(rn)} ${operator} ${ml}) >>> 0, xh = ${sf ? `(${this.hi(rn)} ${operator} ${mh}) >>> 0` : '0'};`;
        if (opc === 3) code += this.logicalFlags(sf) + this.set(rd, 'xl', 'xh', sf);
        else code += this.setSp(rd, 'xl', 'xh', sf);
        return this.plain(code);
      }
      case 5: {
        const opc = (i >>> 29) & 3;
        const hw = (i >>> 21) & 3;
        if ((!sf && hw > 1) || opc === 1) return undefined;
        const imm16 = (i >>> 5) & 0xffff;
        const value = BigInt(imm16) << BigInt(hw * 16);
        if (opc === 0 || opc === 2) {
          const v = opc === 0 ? BigInt.asUintN(sf ? 64 : 32, ~value) : value;
          const [l, h] = halves(v);
          return this.plain(this.set(rd, l, h, sf));
        }
        if (rd === 31) return this.plain('');
        // MOVK: replace one halfword, keep the rest.
        const word = hw >> 1;
        const keep = hw & 1 ? 0xffff : 0xffff_0000;
        const insert = hw & 1 ? imm16 * 0x10000 : imm16;
        const at = 2 * rd + word;
        let code = `r[${at}] = ((r[${at}] & ${hex(keep)}) | ${hex(insert)}) >>> 0;`;
        if (!sf) code += `r[${2 * rd + 1}] = 0;`;
        return this.plain(code);
      }
      case 6: {
        const opc = (i >>> 29) & 3;
        const n = (i >>> 22) & 1;
        if (opc === 3 || n !== (sf ? 1 : 0)) return undefined;
        const immr = (i >>> 16) & 63;
        const imms = (i >>> 10) & 63;
        if (!sf && (immr > 31 || imms > 31)) return undefined;
        const masks = decodeBitMasks(n, imms, immr, false, sf ? 64 : 32);
        if (masks === undefined) return undefined;
        const top = sf ? 63 : 31;
        if (opc === 2 && imms === top) {
          // LSR #immr
          const code = sf
            ? `const l = ${this.lo(rn)}, h = ${this.hi(rn)}; ${this.assign(shift64(1, immr, 'l', 'h'))}`
            : `const l = ${this.lo(rn)}; const xl = ${shift32(1, immr, 'l')}, xh = 0;`;
          return this.plain(code + this.set(rd, 'xl', 'xh', sf));
        }
        if (opc === 2 && imms + 1 === immr) {
          // LSL #(top - imms)
          const amount = top - imms;
          const code = sf
            ? `const l = ${this.lo(rn)}, h = ${this.hi(rn)}; ${this.assign(shift64(0, amount, 'l', 'h'))}`
            : `const l = ${this.lo(rn)}; const xl = ${shift32(0, amount, 'l')}, xh = 0;`;
          return this.plain(code + this.set(rd, 'xl', 'xh', sf));
        }
        const [wl, wh] = halves(masks.wmask);
        const [tl, th] = halves(masks.tmask);
        const dst = opc === 1 ? `${this.lo(rd)}, ${sf ? this.hi(rd) : '0'}` : '0, 0';
        const code = `H.bitfield(${opc}, ${sf}, ${this.lo(rn)}, ${sf ? this.hi(rn) : '0'}, ${dst}, ${immr}, ${imms}, ${wl}, ${wh}, ${tl}, ${th});`;
        return this.plain(code + this.set(rd, 'H.lo', 'H.hi', sf));
      }
      case 7: {
        const n = (i >>> 22) & 1;
        if (((i >>> 29) & 3) !== 0 || n !== (sf ? 1 : 0)) return undefined;
        const lsb = (i >>> 10) & 63;
        const rm = (i >>> 16) & 31;
        if (!sf) {
          if (lsb > 31) return undefined;
          const code = `const a = ${this.lo(rn)}, b = ${this.lo(rm)}; const xl = ${lsb === 0 ? 'b' : `((b >>> ${lsb}) | (a << ${32 - lsb})) >>> 0`}, xh = 0;`;
          return this.plain(code + this.set(rd, 'xl', 'xh', false));
        }
        // (Xn:Xm) >> lsb, low 64 bits: Xm >> lsb merged with Xn << (64 - lsb).
        const [ml, mh] = shift64(1, lsb, 'bl', 'bh');
        const [nl, nh] = lsb === 0 ? ['0', '0'] : shift64(0, 64 - lsb, 'al', 'ah');
        const code = `const al = ${this.lo(rn)}, ah = ${this.hi(rn)}, bl = ${this.lo(rm)}, bh = ${this.hi(rm)}; const xl = ((${ml}) | (${nl})) >>> 0, xh = ((${mh}) | (${nh})) >>> 0;`;
        return this.plain(code + this.set(rd, 'xl', 'xh', true));
      }
      default:
        return undefined;
    }
  }

  private assign([l, h]: [string, string]): string {
    return `const xl = ${l}, xh = ${h};`;
  }

  private branchSystem(i: number): Translation | undefined {
    const top = i >>> 26;
    if ((top & 0x1f) === 0x05) {
      const target = this.target(signExtend(i & 0x3ff_ffff, 26) * 4);
      if (target === undefined) return undefined;
      let code = '';
      if (top & 0x20) code += this.set(30, hex((this.pc + 4) % TWO32), hex(Math.floor((this.pc + 4) / TWO32)), true);
      return { code: code + this.leave(String(target)), ends: true };
    }
    if ((i & 0xff00_0010) === 0x5400_0000) {
      const target = this.target(signExtend((i >>> 5) & 0x7ffff, 19) * 4);
      if (target === undefined) return undefined;
      return { code: this.leave(`${conditionExpr(i & 15)} ? ${target} : ${this.pc + 4}`), ends: true };
    }
    if ((i & 0x7e00_0000) === 0x3400_0000) {
      const sf = i >>> 31 === 1;
      const target = this.target(signExtend((i >>> 5) & 0x7ffff, 19) * 4);
      if (target === undefined) return undefined;
      const rt = i & 31;
      const zero = sf ? `(${this.lo(rt)} | ${this.hi(rt)}) === 0` : `${this.lo(rt)} === 0`;
      const nonzero = ((i >>> 24) & 1) === 1;
      return { code: this.leave(`${nonzero ? `!(${zero})` : zero} ? ${target} : ${this.pc + 4}`), ends: true };
    }
    if ((i & 0x7e00_0000) === 0x3600_0000) {
      const bit = ((i >>> 31) << 5) | ((i >>> 19) & 31);
      const target = this.target(signExtend((i >>> 5) & 0x3fff, 14) * 4);
      if (target === undefined) return undefined;
      const rt = i & 31;
      const set = bit < 32 ? `((${this.lo(rt)} >>> ${bit}) & 1) === 1` : `((${this.hi(rt)} >>> ${bit - 32}) & 1) === 1`;
      const nonzero = ((i >>> 24) & 1) === 1;
      return { code: this.leave(`${nonzero ? set : `!(${set})`} ? ${target} : ${this.pc + 4}`), ends: true };
    }
    if ((i & 0xffff_f01f) >>> 0 === 0xd503_201f) {
      // Hints: NOP, YIELD, SEV, SEVL... do nothing here; WFE (2) and WFI (3) stop the core.
      const hint = (i >>> 5) & 0x7f;
      if (hint === 2 || hint === 3) return undefined;
      return this.plain('');
    }
    if ((i & 0xfe00_0000) >>> 0 === 0xd600_0000) {
      const opc = (i >>> 21) & 15;
      const rn = (i >>> 5) & 31;
      if ((i & 0x001f_fc1f) !== 0x001f_0000 || opc > 2) return undefined; // ERET and the rest: the interpreter
      // A target that is not a small exact number is left to the interpreter (it faults on fetch).
      let code = `const tl = ${this.lo(rn)}, th = ${this.hi(rn)}; if (th >= 0x10000) ${this.bail()}`;
      if (opc === 1) code += this.set(30, hex((this.pc + 4) % TWO32), hex(Math.floor((this.pc + 4) / TWO32)), true);
      return { code: code + this.leave('th * 4294967296 + tl'), ends: true };
    }
    return undefined;
  }

  // ---- loads and stores ----

  private loadStore(i: number): Translation | undefined {
    const op0 = i >>> 28;
    if ((i >>> 26) & 1) return undefined; // SIMD&FP
    const op2 = (i >>> 23) & 3;
    const op3 = (i >>> 16) & 0x3f;
    const op4 = (i >>> 10) & 3;
    if ((op0 & 0x3) === 1 && op2 < 2) return this.loadLiteral(i);
    if ((op0 & 0x3) === 2) return this.loadStorePair(i, op2);
    if ((op0 & 0x3) === 3) {
      const rn = (i >>> 5) & 31;
      if (op2 >= 2) {
        const offset = ((i >>> 10) & 0xfff) << (i >>> 30);
        return this.transfer(i, `const a = ${this.hiSp(rn)} * 4294967296 + ${this.loSp(rn)} + ${offset};`, '');
      }
      if ((op3 & 0x20) === 0) {
        const imm = signExtend((i >>> 12) & 0x1ff, 9);
        const base = `const bl = ${this.loSp(rn)}, bh = ${this.hiSp(rn)};`;
        if (op4 === 0 || op4 === 2) return this.transfer(i, `${base} const a = bh * 4294967296 + bl + ${imm};`, '');
        const address = op4 === 3 ? `bh * 4294967296 + bl + ${imm}` : 'bh * 4294967296 + bl';
        return this.transfer(i, `${base} const a = ${address};`, this.writeback(rn, imm));
      }
      if (op4 === 2) {
        const option = (i >>> 13) & 7;
        if ((option & 2) === 0) return undefined;
        const shift = (i >>> 12) & 1 ? i >>> 30 : 0;
        const rm = (i >>> 16) & 31;
        const index = [
          '',
          '',
          `${this.lo(rm)}`, // UXTW
          `(${this.hi(rm)} * 4294967296 + ${this.lo(rm)})`, // LSL (UXTX)
          '',
          '',
          `(${this.lo(rm)} | 0)`, // SXTW
          `((${this.hi(rm)} | 0) * 4294967296 + ${this.lo(rm)})`, // SXTX
        ][option]!;
        // A base beyond 48 bits could lose precision against a huge index: the interpreter takes it.
        const code = `const bh = ${this.hiSp(rn)}; const a = bh >= 0x10000 ? -1 : bh * 4294967296 + ${this.loSp(rn)} + ${index} * ${2 ** shift};`;
        return this.transfer(i, code, '');
      }
    }
    return undefined;
  }

  /** Writes base (locals bl, bh) + imm back to Xn/SP. */
  private writeback(rn: number, imm: number): string {
    return `{ const nl = bl + ${imm}; const nh = nl > 4294967295 ? bh + 1 : nl < 0 ? bh - 1 : bh; ${this.setSp(rn, 'nl >>> 0', 'nh >>> 0', true)} }`;
  }

  /** A single-register load or store at address `a` (set by `addressCode`), then `after`. */
  private transfer(i: number, addressCode: string, after: string): Translation | undefined {
    const size = 1 << (i >>> 30);
    const opc = (i >>> 22) & 3;
    const rt = i & 31;
    if (opc === 0) {
      const value = `${this.lo(rt)}, ${this.hi(rt)}`;
      return this.plain(`${addressCode} if (!m.store(a, ${size}, ${value})) ${this.bail()} ${after}`);
    }
    if (opc === 1) {
      return this.plain(`${addressCode} if (!m.load(a, ${size})) ${this.bail()} ${this.set(rt, 'm.lo', 'm.hi', size === 8)} ${after}`);
    }
    if (size === 8 || (size === 4 && opc === 3)) return undefined; // PRFM and the unallocated forms: the interpreter
    const bits = size * 8;
    const toSf = opc === 2;
    const lo = bits === 32 ? 'm.lo' : `(m.lo << ${32 - bits} >> ${32 - bits}) >>> 0`;
    const hi = `(m.lo << ${32 - bits} >> 31) >>> 0`;
    return this.plain(`${addressCode} if (!m.load(a, ${size})) ${this.bail()} ${this.set(rt, lo, hi, toSf)} ${after}`);
  }

  private loadLiteral(i: number): Translation | undefined {
    const opc = i >>> 30;
    const address = this.target(signExtend((i >>> 5) & 0x7ffff, 19) * 4);
    const rt = i & 31;
    if (address === undefined || opc === 3) return undefined;
    const load = `if (!m.load(${address}, ${opc === 1 ? 8 : 4})) ${this.bail()}`;
    if (opc === 0) return this.plain(`${load} ${this.set(rt, 'm.lo', '0', false)}`);
    if (opc === 1) return this.plain(`${load} ${this.set(rt, 'm.lo', 'm.hi', true)}`);
    return this.plain(`${load} ${this.set(rt, 'm.lo', '(m.lo >> 31) >>> 0', true)}`);
  }

  private loadStorePair(i: number, mode: number): Translation | undefined {
    const opc = i >>> 30;
    const load = ((i >>> 22) & 1) === 1;
    if (opc === 3 || (opc === 1 && !load)) return undefined;
    const size = opc === 2 ? 8 : 4;
    const rt = i & 31;
    const rt2 = (i >>> 10) & 31;
    const rn = (i >>> 5) & 31;
    const imm = signExtend((i >>> 15) & 0x7f, 7) * size;
    let code = `const bl = ${this.loSp(rn)}, bh = ${this.hiSp(rn)}; const a = bh * 4294967296 + bl${mode === 1 ? '' : ` + ${imm}`};`;
    if (load) {
      code += `if (!m.load(a, ${size})) ${this.bail()} const l1 = m.lo, h1 = m.hi;`;
      code += `if (!m.load(a + ${size}, ${size})) ${this.bail()}`;
      if (opc === 1) code += this.set(rt, 'l1', '(l1 >> 31) >>> 0', true) + this.set(rt2, 'm.lo', '(m.lo >> 31) >>> 0', true);
      else code += this.set(rt, 'l1', 'h1', size === 8) + this.set(rt2, 'm.lo', 'm.hi', size === 8);
    } else {
      code += `if (!m.store(a, ${size}, ${this.lo(rt)}, ${this.hi(rt)})) ${this.bail()}`;
      code += `if (!m.store(a + ${size}, ${size}, ${this.lo(rt2)}, ${this.hi(rt2)})) ${this.bail()}`;
    }
    if (mode === 1 || mode === 3) code += this.writeback(rn, imm);
    return this.plain(code);
  }

  // ---- data processing (register) ----

  private dataProcessingRegister(i: number): Translation | undefined {
    const sf = i >>> 31 === 1;
    const op1 = (i >>> 28) & 1;
    const op2 = (i >>> 21) & 15;
    const rd = i & 31;
    const rn = (i >>> 5) & 31;
    const rm = (i >>> 16) & 31;
    if (op1 === 0) {
      if ((op2 & 8) === 0) return this.logicalShifted(i, sf, rd, rn, rm);
      return this.addSubRegister(i, sf, rd, rn, rm);
    }
    switch (op2) {
      case 0: {
        // ADC/SBC(S): the carry in is PSTATE.C, read before the flags are set.
        const subtract = ((i >>> 30) & 1) === 1;
        let code = `let al = ${this.lo(rn)}, ah = ${sf ? this.hi(rn) : '0'}, bl = ${this.lo(rm)}, bh = ${sf ? this.hi(rm) : '0'};`;
        if (subtract) code += `bl = ~bl >>> 0; bh = ${sf ? '~bh >>> 0' : '0'};`;
        code += this.addWithCarry('((c.cpsr >>> 29) & 1)', sf, ((i >>> 29) & 1) === 1);
        return this.plain(code + this.set(rd, 'xl', 'xh', sf));
      }
      case 2:
        return this.conditionalCompare(i, sf, rn, rm);
      case 4:
        return this.conditionalSelect(i, sf, rd, rn, rm);
      case 6:
        return ((i >>> 30) & 1) === 1 ? this.oneSource(i, sf, rd, rn) : this.twoSource(i, sf, rd, rn, rm);
      default:
        if (op2 >= 8) return this.threeSource(i, sf, rd, rn, rm);
        return undefined;
    }
  }

  /** The second operand, Xm shifted by a constant, into locals bl, bh. */
  private shiftedOperand(rm: number, type: number, amount: number, sf: boolean, invert: boolean): string {
    const [l, h] = sf ? shift64(type, amount, 'ml', 'mh') : [shift32(type, amount, 'ml'), '0'];
    const inv = (e: string): string => (invert ? `(~(${e})) >>> 0` : e);
    return `const ml = ${this.lo(rm)}, mh = ${sf ? this.hi(rm) : '0'}; const bl = ${inv(l)}, bh = ${sf ? inv(h) : '0'};`;
  }

  private logicalShifted(i: number, sf: boolean, rd: number, rn: number, rm: number): Translation | undefined {
    const shift = (i >>> 22) & 3;
    const amount = (i >>> 10) & 63;
    if (!sf && amount > 31) return undefined;
    const opc = (i >>> 29) & 3;
    const operator = opc === 0 || opc === 3 ? '&' : opc === 1 ? '|' : '^';
    let code = this.shiftedOperand(rm, shift, amount, sf, ((i >>> 21) & 1) === 1);
    code += `const xl = (${this.lo(rn)} ${operator} bl) >>> 0, xh = ${sf ? `(${this.hi(rn)} ${operator} bh) >>> 0` : '0'};`;
    if (opc === 3) code += this.logicalFlags(sf);
    return this.plain(code + this.set(rd, 'xl', 'xh', sf));
  }

  private addSubRegister(i: number, sf: boolean, rd: number, rn: number, rm: number): Translation | undefined {
    const subtract = ((i >>> 30) & 1) === 1;
    const flags = ((i >>> 29) & 1) === 1;
    const extended = ((i >>> 21) & 1) === 1;
    let code: string;
    if (extended) {
      const imm3 = (i >>> 10) & 7;
      if (imm3 > 4) return undefined;
      const option = (i >>> 13) & 7;
      const [el, eh] = [
        ['ml & 0xff', '0'],
        ['ml & 0xffff', '0'],
        ['ml', '0'],
        ['ml', 'mh'],
        ['(ml << 24 >> 24) >>> 0', '(ml << 24 >> 31) >>> 0'],
        ['(ml << 16 >> 16) >>> 0', '(ml << 16 >> 31) >>> 0'],
        ['ml', '(ml >> 31) >>> 0'],
        ['ml', 'mh'],
      ][option]!;
      const [sl, sh] = shift64(0, imm3, 'el', 'eh');
      code = `const ml = ${this.lo(rm)}, mh = ${this.hi(rm)}; const el = ${el}, eh = ${eh}; let bl = ${sl}, bh = ${sf ? sh : '0'};`;
      code += `const al = ${this.loSp(rn)}, ah = ${sf ? this.hiSp(rn) : '0'};`;
    } else {
      const shift = (i >>> 22) & 3;
      const amount = (i >>> 10) & 63;
      if (shift === 3 || (!sf && amount > 31)) return undefined;
      const [l, h] = sf ? shift64(shift, amount, 'ml', 'mh') : [shift32(shift, amount, 'ml'), '0'];
      code = `const ml = ${this.lo(rm)}, mh = ${sf ? this.hi(rm) : '0'}; let bl = ${l}, bh = ${h};`;
      code += `const al = ${this.lo(rn)}, ah = ${sf ? this.hi(rn) : '0'};`;
    }
    if (subtract) code += `bl = ~bl >>> 0; bh = ${sf ? '~bh >>> 0' : '0'};`;
    code += this.addWithCarry(subtract ? 1 : 0, sf, flags);
    code += extended && !flags ? this.setSp(rd, 'xl', 'xh', sf) : this.set(rd, 'xl', 'xh', sf);
    return this.plain(code);
  }

  private conditionalCompare(i: number, sf: boolean, rn: number, rm: number): Translation | undefined {
    if (((i >>> 29) & 1) === 0) return undefined;
    const subtract = ((i >>> 30) & 1) === 1;
    const immediate = ((i >>> 11) & 1) === 1;
    const b = immediate ? `${rm}` : this.lo(rm);
    const bh = immediate ? '0' : sf ? this.hi(rm) : '0';
    let compare = `let al = ${this.lo(rn)}, ah = ${sf ? this.hi(rn) : '0'}, bl = ${b}, bh = ${bh};`;
    if (subtract) compare += `bl = ~bl >>> 0; bh = ${sf ? '~bh >>> 0' : '0'};`;
    compare += this.addWithCarry(subtract ? 1 : 0, sf, true);
    const nzcv = i & 15;
    return this.plain(`if ${conditionExpr((i >>> 12) & 15)} { ${compare} } else { c.cpsr = ((c.cpsr & 0x0fffffff) | ${nzcv << 28}) >>> 0; }`);
  }

  private conditionalSelect(i: number, sf: boolean, rd: number, rn: number, rm: number): Translation | undefined {
    const op = (i >>> 30) & 1;
    const o2 = (i >>> 10) & 3;
    if (o2 > 1) return undefined;
    let other: string;
    if (op === 0 && o2 === 0) other = 'xl = bl; xh = bh;';
    else if (op === 0 && o2 === 1) other = sf ? 'xl = bl + 1; xh = xl > 4294967295 ? bh + 1 : bh; xl >>>= 0; xh >>>= 0;' : 'xl = (bl + 1) >>> 0;';
    else if (op === 1 && o2 === 0) other = sf ? 'xl = ~bl >>> 0; xh = ~bh >>> 0;' : 'xl = ~bl >>> 0;';
    else other = sf ? 'xl = (~bl >>> 0) + 1; xh = (~bh >>> 0) + (xl > 4294967295 ? 1 : 0); xl >>>= 0; xh >>>= 0;' : 'xl = ((~bl >>> 0) + 1) >>> 0;';
    let code = `let xl = 0, xh = 0; if ${conditionExpr((i >>> 12) & 15)} { xl = ${this.lo(rn)}; xh = ${sf ? this.hi(rn) : '0'}; }`;
    code += ` else { const bl = ${this.lo(rm)}, bh = ${sf ? this.hi(rm) : '0'}; ${other} }`;
    return this.plain(code + this.set(rd, 'xl', 'xh', sf));
  }

  private oneSource(i: number, sf: boolean, rd: number, rn: number): Translation | undefined {
    const opcode = (i >>> 10) & 0x3f;
    const swap = (e: string): string => `(((${e} & 0xff) << 24) | ((${e} & 0xff00) << 8) | ((${e} >>> 8) & 0xff00) | (${e} >>> 24)) >>> 0`;
    const l = this.lo(rn);
    const h = this.hi(rn);
    const halfSwap = (e: string): string => `(((${e} & 0x00ff00ff) << 8) | ((${e} >>> 8) & 0x00ff00ff)) >>> 0`;
    let code: string;
    if (opcode === 0) {
      code = sf ? `const a = ${l}, b = ${h}; const xl = H.rbit(b), xh = H.rbit(a);` : `const xl = H.rbit(${l}), xh = 0;`;
    } else if (opcode === 1) {
      code = sf ? `const a = ${l}, b = ${h}; const xl = ${halfSwap('a')}, xh = ${halfSwap('b')};` : `const a = ${l}; const xl = ${halfSwap('a')}, xh = 0;`;
    } else if (opcode === 5) {
      // CLS: leading bits equal to the sign bit, not counting it = CLZ(x ^ (x >> 1, arithmetic)) - 1.
      code = sf
        ? `const a = ${l}, b = ${h}; const yh = (b ^ (b >> 1)) >>> 0, yl = (a ^ ((a >>> 1) | (b << 31))) >>> 0; const xl = (yh !== 0 ? Math.clz32(yh) : 32 + Math.clz32(yl)) - 1, xh = 0;`
        : `const a = ${l}; const xl = Math.clz32((a ^ (a >> 1)) >>> 0) - 1, xh = 0;`;
    } else if (opcode === 4) {
      code = sf ? `const a = ${h}, b = ${l}; const xl = a !== 0 ? Math.clz32(a) : 32 + Math.clz32(b), xh = 0;` : `const xl = Math.clz32(${l}), xh = 0;`;
    } else if (opcode === 2) {
      code = sf ? `const a = ${l}, b = ${h}; const xl = ${swap('a')}, xh = ${swap('b')};` : `const a = ${l}; const xl = ${swap('a')}, xh = 0;`;
    } else if (opcode === 3 && sf) {
      code = `const a = ${l}, b = ${h}; const xl = ${swap('b')}, xh = ${swap('a')};`;
    } else return undefined;
    return this.plain(code + this.set(rd, 'xl', 'xh', sf));
  }

  private twoSource(i: number, sf: boolean, rd: number, rn: number, rm: number): Translation | undefined {
    const opcode = (i >>> 10) & 0x3f;
    let code: string;
    if (opcode >= 8 && opcode <= 11) {
      const type = opcode - 8;
      if (sf) code = `H.shift(${type}, ${this.lo(rn)}, ${this.hi(rn)}, ${this.lo(rm)} & 63); const xl = H.lo, xh = H.hi;`;
      else code = `const a = ${this.lo(rn)}, n = ${this.lo(rm)} & 31; const xl = ${shift32(type, 'n', 'a')}, xh = 0;`;
    } else if ((opcode === 2 || opcode === 3) && sf) {
      code = `H.divide(${opcode === 3}, ${this.lo(rn)}, ${this.hi(rn)}, ${this.lo(rm)}, ${this.hi(rm)}); const xl = H.lo, xh = H.hi;`;
    } else if ((opcode === 2 || opcode === 3) && !sf) {
      // 32-bit division is exact in doubles; by zero gives 0; INT_MIN / -1 wraps to INT_MIN.
      code =
        opcode === 2
          ? `const a = ${this.lo(rn)}, b = ${this.lo(rm)}; const xl = b === 0 ? 0 : Math.floor(a / b) >>> 0, xh = 0;`
          : `const a = ${this.lo(rn)} | 0, b = ${this.lo(rm)} | 0; const xl = b === 0 ? 0 : Math.trunc(a / b) >>> 0, xh = 0;`;
    } else return undefined;
    return this.plain(code + this.set(rd, 'xl', 'xh', sf));
  }

  private threeSource(i: number, sf: boolean, rd: number, rn: number, rm: number): Translation | undefined {
    const op31 = (i >>> 21) & 7;
    const subtract = ((i >>> 15) & 1) === 1;
    const ra = (i >>> 10) & 31;
    let code: string;
    if (op31 === 0) {
      if (!sf) {
        const product = `Math.imul(${this.lo(rn)}, ${this.lo(rm)})`;
        code = `const xl = (${this.lo(ra)} ${subtract ? '-' : '+'} ${product}) >>> 0, xh = 0;`;
        return this.plain(code + this.set(rd, 'xl', 'xh', false));
      }
      code = `H.mul(${this.lo(rn)}, ${this.hi(rn)}, ${this.lo(rm)}, ${this.hi(rm)});`;
    } else if (sf && (op31 === 2 || op31 === 6)) {
      // SMULH (2) / UMULH (6): the high half of the 128-bit product; Ra is not used.
      code = `H.mulHigh(${op31 === 2}, ${this.lo(rn)}, ${this.hi(rn)}, ${this.lo(rm)}, ${this.hi(rm)});`;
      return this.plain(code + this.set(rd, 'H.lo', 'H.hi', true));
    } else if (sf && (op31 === 1 || op31 === 5)) {
      // SMADDL/SMSUBL (1), UMADDL/UMSUBL (5): 32 x 32 -> 64, extended by sign or zero.
      const ext = (e: string): string => (op31 === 1 ? `(${e} >> 31) >>> 0` : '0');
      code = `const p = ${this.lo(rn)}, q = ${this.lo(rm)}; H.mul(p, ${ext('p')}, q, ${ext('q')});`;
    } else return undefined;
    // Xa +/- product, as AddWithCarry without flags.
    code += `const al = ${this.lo(ra)}, ah = ${this.hi(ra)}; let bl = H.lo, bh = H.hi;`;
    if (subtract) code += 'bl = ~bl >>> 0; bh = ~bh >>> 0;';
    code += this.addWithCarry(subtract ? 1 : 0, true, false);
    return this.plain(code + this.set(rd, 'xl', 'xh', true));
  }
}

/**
 * Translates the block starting at `start`. `fetch` returns the instruction word at an
 * address of the same 4 KiB page (the caller has checked that the page is RAM).
 */
export function translateBlock(fetch: (pc: number) => number, start: number): Block {
  const builder = new BlockBuilder();
  const parts: string[] = [];
  const pageEnd = start - (start % 0x1000) + 0x1000;
  let pc = start;
  let ended = false;
  while (parts.length < MAX_BLOCK && pc < pageEnd) {
    builder.k = parts.length;
    builder.pc = pc;
    const translation = builder.translate(fetch(pc));
    if (!translation) break;
    parts.push(translation.code);
    pc += 4;
    if (translation.ends) {
      ended = true;
      break;
    }
  }
  const count = parts.length;
  if (count === 0) return { start, length: 0, usesSp: false, run: undefined };
  if (!ended) parts.push(`m.retired = ${count}; return ${pc};`);
  const run = new Function('r', 'c', 'm', 'H', `'use strict';\n${parts.join('\n')}`) as BlockFunction;
  return { start, length: count, usesSp: builder.usesSp, run };
}
