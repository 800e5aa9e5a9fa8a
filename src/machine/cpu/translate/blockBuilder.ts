// What the block translator's emitters share: the source templates for registers, flags,
// shifts and conditions, and the state of the block being built (where it is, which registers
// it touches, where it jumps). Every string made here is a fixed template filled with numbers.
//
// Generated code works on JS locals, not on the core's state: x<n> is x<n>l, x<n>h (its 32-bit
// halves, held as signed int32: `| 0`, never `>>> 0`, so that V8 keeps them in integer
// registers and small integers instead of doubles and heap numbers), SP_EL2 is spl, sph,
// PSTATE.NZCV is $f (N 8, Z 4, C 2, V 1) — or, lazily, the operands it comes from (see "Lazy
// flags" below). The region that holds the block (translator.ts) loads them from r
// (CoreState.words) and c (CoreState) on entry and stores them back on every exit; that is the
// only way the core's state is touched, so each exit is one place where the state becomes
// architecturally visible again. Besides, generated code sees m (FastMemory) and H (Wide,
// 64-bit helpers).

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

// ---- Lazy flags ----
//
// A flag-setting instruction whose flags are overwritten before anything reads them — the
// usual CMP or SUBS before a B.cond, ADDS in a loop — would compute four flags for nothing. So
// ADDS/SUBS/CMP/CMN and ANDS/TST/BICS only record where their flags come from, in locals the whole
// region shares: $fk, the kind below (0: $f holds NZCV), and the operands $fa, $fb, the result
// $fl (low half), $fh (high half) and $fc (the carry out of the low half). A reader in the
// same block knows the kind and tests its condition on those directly (a B.cond after a CMP:
// `$fl === 0` for NE); any other reader, and the region's exit — every exit goes through it,
// bails before a fault included — turn them into $f first. NZCV is therefore exact wherever it
// is visible: in CoreState after every exit, and for every instruction left to the interpreter.

/** What $fk says: $f is exact, or the flags are those of an AddWithCarry or logical result. */
const enum Kind {
  Exact = 0,
  /** 32-bit AddWithCarry with carry in 0 (ADDS, CMN) or 1 (SUBS, CMP): $fa, $fb (already inverted), $fl. */
  Add32 = 1,
  Sub32 = 2,
  /** 64-bit AddWithCarry: the high halves $fa, $fb, the result $fl:$fh, the low half's carry $fc. */
  Add64 = 3,
  /** ANDS/TST/BICS: N and Z of the result $fl (32-bit) or $fl:$fh, C and V clear. */
  Logical32 = 4,
  Logical64 = 5,
}
/** The block does not know $fk statically (at its start: any predecessor may have set it). */
const UNKNOWN = -1;

/**
 * The carry out of `a + b + carryIn` (int32 halves; carry in 0 or 1) from the wrapped sum: it
 * wrapped below a, or to a itself when the carry in was 1. Unsigned comparisons of int32s: an
 * exact sum of unsigned halves would pass int32, and V8, having seen small ones first, throws
 * the compiled region away when one does.
 */
const carryOut = (sum: string, a: string, carryIn: string): string =>
  carryIn === '0' ? `(${sum} >>> 0) < (${a} >>> 0)`
  : carryIn === '1' ? `(${sum} >>> 0) <= (${a} >>> 0)`
  : `(${carryIn} === 0 ? (${sum} >>> 0) < (${a} >>> 0) : (${sum} >>> 0) <= (${a} >>> 0))`;

/** N, Z, C, V of a kind as boolean expressions over the region's flag locals. */
function flagsOf(kind: Kind): [string, string, string, string] {
  switch (kind) {
    case Kind.Exact: return ['($f & 8) !== 0', '($f & 4) !== 0', '($f & 2) !== 0', '($f & 1) !== 0'];
    case Kind.Add32: return ['$fl < 0', '$fl === 0', carryOut('$fl', '$fa', '0'), '(($fa ^ $fl) & ($fb ^ $fl)) < 0'];
    case Kind.Sub32: return ['$fl < 0', '$fl === 0', carryOut('$fl', '$fa', '1'), '(($fa ^ $fl) & ($fb ^ $fl)) < 0'];
    case Kind.Add64: return ['$fh < 0', '($fl | $fh) === 0', carryOut('$fh', '$fa', '$fc'), '(($fa ^ $fh) & ($fb ^ $fh)) < 0'];
    case Kind.Logical32: return ['$fl < 0', '$fl === 0', 'false', 'false'];
    case Kind.Logical64: return ['$fh < 0', '($fl | $fh) === 0', 'false', 'false'];
  }
}

/** NZCV as a number (N 8, Z 4, C 2, V 1) from a kind's flags. */
function nzcvOf(kind: Kind): string {
  const [n, z, c, v] = flagsOf(kind);
  return `((${n}) ? 8 : 0) | ((${z}) ? 4 : 0) | ((${c}) ? 2 : 0) | ((${v}) ? 1 : 0)`;
}

const LAZY_KINDS = [Kind.Add32, Kind.Sub32, Kind.Add64, Kind.Logical32, Kind.Logical64] as const;

/** Makes $f exact whatever $fk holds: the region's exit, and readers that do not know the kind. */
export const MATERIALIZE_FLAGS = `if ($fk !== 0) { switch ($fk) { ${LAZY_KINDS.map((k) => `case ${k}: $f = ${nzcvOf(k)}; break;`).join(' ')} } $fk = 0; }`;
/** The region's flag locals, declared after $f. */
export const FLAG_LOCALS = 'let $fk = 0, $fa = 0, $fb = 0, $fl = 0, $fh = 0, $fc = 0;';

/** A64 condition codes over a kind's flags, as a parenthesised boolean expression. */
function conditionOf(kind: Kind, cond: number): string {
  const [n, z, c, v] = flagsOf(kind).map((e) => `(${e})`) as [string, string, string, string];
  const base = [
    z, // EQ
    c, // CS
    n, // MI
    v, // VS
    `${c} && !${z}`, // HI
    `${n} === ${v}`, // GE
    `!${z} && ${n} === ${v}`, // GT
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
  /** The flags' kind ($fk) at this point of the block, when known (translateOne resets it per block). */
  flags: Kind | typeof UNKNOWN = UNKNOWN;

  /** A new block: any predecessor may have left any kind. */
  startBlock(): void {
    this.flags = UNKNOWN;
  }

  /** Code that makes $f exact here (nothing when it is known to be). */
  exactFlags(): string {
    const kind = this.flags;
    this.flags = Kind.Exact;
    if (kind === Kind.Exact) return '';
    if (kind === UNKNOWN) return MATERIALIZE_FLAGS;
    return `$f = ${nzcvOf(kind)}; $fk = 0;`;
  }

  /** Condition `cond` tested here: [code to run first, the parenthesised test]. */
  condition(cond: number): [string, string] {
    if (cond >> 1 === 7) return ['', '(true)'];
    const before = this.flags === UNKNOWN ? this.exactFlags() : '';
    return [before, conditionOf(this.flags as Kind, cond)];
  }

  /** PSTATE.C as 0 or 1 (the carry in of ADC/SBC): [code to run first, the expression]. */
  carry(): [string, string] {
    const before = this.exactFlags();
    return [before, '(($f >>> 1) & 1)'];
  }

  /** Sets NZCV now from four 0/1 expressions. */
  private eager(n: string, z: string, c: string, v: string): string {
    this.flags = Kind.Exact;
    return `$f = (${n} << 3) | (${z} << 2) | (${c} << 1) | ${v}; $fk = 0;`;
  }

  /** NZCV set to a constant (CCMP/CCMN when the condition fails). */
  setNzcv(nzcv: number): string {
    this.flags = Kind.Exact;
    return `$f = ${nzcv}; $fk = 0;`;
  }

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
  addWithCarry(carryIn: number | string, sf: boolean, flags: boolean | 'eager'): string {
    const sum = `const xl = (al + bl + ${carryIn}) | 0;`;
    const carry = carryOut('xl', 'al', String(carryIn));
    // Flags from a constant carry in are recorded lazily, unless asked for now (CCMP sets them
    // in one branch only: the block could not know the kind after it).
    const lazy = flags === true && typeof carryIn === 'number';
    if (!sf) {
      let code = `${sum} const xh = 0;`;
      if (lazy) code += this.lazy(carryIn === 0 ? Kind.Add32 : Kind.Sub32, '$fa = al; $fb = bl; $fl = xl;');
      else if (flags) code += this.eager('(xl >>> 31)', '(xl === 0 ? 1 : 0)', `(${carry} ? 1 : 0)`, '(((al ^ xl) & (bl ^ xl)) >>> 31)');
      return code;
    }
    let code = `${sum} const c0 = ${carry} ? 1 : 0; const xh = (ah + bh + c0) | 0;`;
    if (lazy) code += this.lazy(Kind.Add64, '$fa = ah; $fb = bh; $fl = xl; $fh = xh; $fc = c0;');
    else if (flags) {
      code += this.eager('(xh >>> 31)', '((xl | xh) === 0 ? 1 : 0)', `(${carryOut('xh', 'ah', 'c0')} ? 1 : 0)`, '(((ah ^ xh) & (bh ^ xh)) >>> 31)');
    }
    return code;
  }

  /** ANDS/TST/BICS: flags of the result in locals xl, xh, recorded lazily. */
  logicalFlags(sf: boolean): string {
    return sf ? this.lazy(Kind.Logical64, '$fl = xl; $fh = xh;') : this.lazy(Kind.Logical32, '$fl = xl;');
  }

  private lazy(kind: Kind, record: string): string {
    this.flags = kind;
    return `$fk = ${kind}; ${record}`;
  }

  /** Direct branch target, or undefined when it is not an exact small number. */
  target(offset: number): number | undefined {
    const t = this.pc + offset;
    return t >= 0 && t < MAX_TARGET ? t : undefined;
  }
}
