// The block translator's code for the data-processing instructions, immediate and register:
// 64-bit values as pairs of 32-bit locals (lo, hi; each a signed int32), flags computed as the interpreter's
// AddWithCarry defines them, the harder 64-bit operations through Wide (H) helpers.

import type { InstructionOf, LogicalOp } from '../decode.js';
import { halves, int32, plain, shift32, shift64, type BlockBuilder, type Translation } from './blockBuilder.js';

/**
 * A Wide result, read as int32: V8 does not know a field's range, and an addition of it it
 * cannot prove int32 gets an overflow check (and a deoptimization when it overflows).
 */
const H_LO = '(H.lo | 0)';
const H_HI = '(H.hi | 0)';
const OPERATORS: Record<LogicalOp, string> = { and: '&', ands: '&', orr: '|', eor: '^' };
const assign = ([l, h]: [string, string]): string => `const xl = ${l}, xh = ${h};`;
/** b = ~b for a subtraction (locals bl, bh), the top half staying 0 in 32-bit forms. */
const invertB = (sf: boolean): string => `bl = ~bl; bh = ${sf ? '~bh' : '0'};`;

// ---- immediate ----

export function emitAdr(b: BlockBuilder, insn: InstructionOf<'adr'>): Translation {
  const pc = BigInt(b.pc);
  const value = BigInt.asUintN(64, (insn.page ? pc & ~0xfffn : pc) + BigInt(insn.offset));
  const [l, h] = halves(value);
  return plain(b.set(insn.rd, l, h, true));
}

export function emitAddImm(b: BlockBuilder, insn: InstructionOf<'add-imm'>): Translation {
  const { sf, rd, rn, sub } = insn;
  const bl = sub ? ~insn.imm : insn.imm;
  const bh = sub ? '-1' : '0';
  let code = `const al = ${b.loSp(rn)}, ah = ${sf ? b.hiSp(rn) : '0'}, bl = ${int32(bl)}, bh = ${sf ? bh : '0'};`;
  code += b.addWithCarry(sub ? 1 : 0, sf, insn.setFlags);
  code += insn.setFlags ? b.set(rd, 'xl', 'xh', sf) : b.setSp(rd, 'xl', 'xh', sf);
  return plain(code);
}

export function emitLogicalImm(b: BlockBuilder, insn: InstructionOf<'logical-imm'>): Translation {
  const { sf, rd, rn } = insn;
  const [ml, mh] = halves(insn.mask);
  const operator = OPERATORS[insn.op];
  let code = `const xl = ${b.lo(rn)} ${operator} ${ml}, xh = ${sf ? `${b.hi(rn)} ${operator} ${mh}` : '0'};`;
  if (insn.op === 'ands') code += b.logicalFlags(sf) + b.set(rd, 'xl', 'xh', sf);
  else code += b.setSp(rd, 'xl', 'xh', sf);
  return plain(code);
}

export function emitMoveWide(b: BlockBuilder, insn: InstructionOf<'move-wide'>): Translation {
  const { sf, rd, imm16 } = insn;
  const value = BigInt(imm16) << BigInt(insn.shift);
  if (insn.op !== 'movk') {
    const [l, h] = halves(insn.op === 'movn' ? BigInt.asUintN(sf ? 64 : 32, ~value) : value);
    return plain(b.set(rd, l, h, sf));
  }
  if (rd === 31) return plain('');
  // MOVK: replace one halfword, keep the rest.
  const hw = insn.shift / 16;
  const keep = hw & 1 ? 0xffff : 0xffff_0000;
  const insert = hw & 1 ? imm16 << 16 : imm16;
  const half = hw >> 1 ? 'h' : 'l';
  const old = half === 'h' ? b.hi(rd) : b.lo(rd);
  let code = b.setHalf(rd, half, `(${old} & ${int32(keep)}) | ${int32(insert)}`);
  if (!sf) code += b.setHalf(rd, 'h', '0');
  return plain(code);
}

export function emitBitfield(b: BlockBuilder, insn: InstructionOf<'bitfield'>): Translation {
  const { sf, rd, rn, immr, imms } = insn;
  const top = sf ? 63 : 31;
  if (insn.op === 'ubfm' && (imms === top || imms + 1 === immr)) {
    // LSR #immr, or LSL #(top - imms): plain shifts.
    const [type, amount] = imms === top ? [1, immr] : [0, top - imms];
    const code = sf
      ? `const l = ${b.lo(rn)}, h = ${b.hi(rn)}; ${assign(shift64(type, amount, 'l', 'h'))}`
      : `const l = ${b.lo(rn)}; const xl = ${shift32(type, amount, 'l')}, xh = 0;`;
    return plain(code + b.set(rd, 'xl', 'xh', sf));
  }
  const [wl, wh] = halves(insn.wmask);
  const [tl, th] = halves(insn.tmask);
  const opc = insn.op === 'sbfm' ? 0 : insn.op === 'bfm' ? 1 : 2;
  const dst = opc === 1 ? `${b.lo(rd)}, ${sf ? b.hi(rd) : '0'}` : '0, 0';
  const code = `H.bitfield(${opc}, ${sf}, ${b.lo(rn)}, ${sf ? b.hi(rn) : '0'}, ${dst}, ${immr}, ${imms}, ${wl}, ${wh}, ${tl}, ${th});`;
  return plain(code + b.set(rd, H_LO, H_HI, sf));
}

export function emitExtract(b: BlockBuilder, insn: InstructionOf<'extract'>): Translation {
  const { rd, rn, rm, lsb } = insn;
  if (!insn.sf) {
    const code = `const a = ${b.lo(rn)}, b = ${b.lo(rm)}; const xl = ${lsb === 0 ? 'b' : `((b >>> ${lsb}) | (a << ${32 - lsb}))`}, xh = 0;`;
    return plain(code + b.set(rd, 'xl', 'xh', false));
  }
  // (Xn:Xm) >> lsb, low 64 bits: Xm >> lsb merged with Xn << (64 - lsb).
  const [ml, mh] = shift64(1, lsb, 'bl', 'bh');
  const [nl, nh] = lsb === 0 ? ['0', '0'] : shift64(0, 64 - lsb, 'al', 'ah');
  const code = `const al = ${b.lo(rn)}, ah = ${b.hi(rn)}, bl = ${b.lo(rm)}, bh = ${b.hi(rm)}; const xl = (${ml}) | (${nl}), xh = (${mh}) | (${nh});`;
  return plain(code + b.set(rd, 'xl', 'xh', true));
}

// ---- register ----

export function emitLogicalShifted(b: BlockBuilder, insn: InstructionOf<'logical-shifted'>): Translation {
  const { sf, rd, rn, rm } = insn;
  const operator = OPERATORS[insn.op];
  // The second operand, Xm shifted by a constant (and inverted for BIC/ORN/EON/BICS), into bl, bh.
  const [l, h] = sf ? shift64(insn.shift, insn.amount, 'ml', 'mh') : [shift32(insn.shift, insn.amount, 'ml'), '0'];
  const inv = (e: string): string => (insn.invert ? `(~(${e}))` : e);
  let code = `const ml = ${b.lo(rm)}, mh = ${sf ? b.hi(rm) : '0'}; const bl = ${inv(l)}, bh = ${sf ? inv(h) : '0'};`;
  code += `const xl = ${b.lo(rn)} ${operator} bl, xh = ${sf ? `${b.hi(rn)} ${operator} bh` : '0'};`;
  if (insn.op === 'ands') code += b.logicalFlags(sf);
  return plain(code + b.set(rd, 'xl', 'xh', sf));
}

export function emitAddShifted(b: BlockBuilder, insn: InstructionOf<'add-shifted'>): Translation {
  const { sf, rn, rm } = insn;
  const [l, h] = sf ? shift64(insn.shift, insn.amount, 'ml', 'mh') : [shift32(insn.shift, insn.amount, 'ml'), '0'];
  let code = `const ml = ${b.lo(rm)}, mh = ${sf ? b.hi(rm) : '0'}; let bl = ${l}, bh = ${h};`;
  code += `const al = ${b.lo(rn)}, ah = ${sf ? b.hi(rn) : '0'};`;
  if (insn.sub) code += invertB(sf);
  code += b.addWithCarry(insn.sub ? 1 : 0, sf, insn.setFlags);
  return plain(code + b.set(insn.rd, 'xl', 'xh', sf));
}

/** ExtendReg's eight options over Xm's halves (locals ml, mh), as [lo, hi]. */
const EXTENDED: ReadonlyArray<readonly [string, string]> = [
  ['ml & 0xff', '0'],
  ['ml & 0xffff', '0'],
  ['ml', '0'],
  ['ml', 'mh'],
  ['(ml << 24 >> 24)', '(ml << 24 >> 31)'],
  ['(ml << 16 >> 16)', '(ml << 16 >> 31)'],
  ['ml', '(ml >> 31)'],
  ['ml', 'mh'],
];

export function emitAddExtended(b: BlockBuilder, insn: InstructionOf<'add-extended'>): Translation {
  const { sf, rd, rn, rm, setFlags } = insn;
  const [el, eh] = EXTENDED[insn.extend]!;
  const [sl, sh] = shift64(0, insn.amount, 'el', 'eh');
  let code = `const ml = ${b.lo(rm)}, mh = ${b.hi(rm)}; const el = ${el}, eh = ${eh}; let bl = ${sl}, bh = ${sf ? sh : '0'};`;
  code += `const al = ${b.loSp(rn)}, ah = ${sf ? b.hiSp(rn) : '0'};`;
  if (insn.sub) code += invertB(sf);
  code += b.addWithCarry(insn.sub ? 1 : 0, sf, setFlags);
  code += setFlags ? b.set(rd, 'xl', 'xh', sf) : b.setSp(rd, 'xl', 'xh', sf);
  return plain(code);
}

export function emitAddCarry(b: BlockBuilder, insn: InstructionOf<'add-carry'>): Translation {
  // The carry in is PSTATE.C, read before the flags are set.
  const { sf, rn, rm } = insn;
  const [before, carry] = b.carry();
  let code = `${before} let al = ${b.lo(rn)}, ah = ${sf ? b.hi(rn) : '0'}, bl = ${b.lo(rm)}, bh = ${sf ? b.hi(rm) : '0'};`;
  if (insn.sub) code += invertB(sf);
  code += b.addWithCarry(carry, sf, insn.setFlags);
  return plain(code + b.set(insn.rd, 'xl', 'xh', sf));
}

export function emitCondCompare(b: BlockBuilder, insn: InstructionOf<'cond-compare'>): Translation {
  const { sf, rn, operand, immediate, sub } = insn;
  const bl = immediate ? `${operand}` : b.lo(operand);
  const bh = immediate ? '0' : sf ? b.hi(operand) : '0';
  let compare = `let al = ${b.lo(rn)}, ah = ${sf ? b.hi(rn) : '0'}, bl = ${bl}, bh = ${bh};`;
  if (sub) compare += invertB(sf);
  const [before, test] = b.condition(insn.cond);
  compare += b.addWithCarry(sub ? 1 : 0, sf, 'eager');
  return plain(`${before} if ${test} { ${compare} } else { ${b.setNzcv(insn.nzcv)} }`);
}

/** CSEL/CSINC/CSINV/CSNEG's value when the condition fails, from Xm (locals bl, bh) into xl, xh. */
const OTHERWISE = {
  csel: { x: 'xl = bl; xh = bh;', w: 'xl = bl; xh = bh;' },
  // +1 carries into the top half exactly when the low half wraps to 0.
  csinc: { x: 'xl = (bl + 1) | 0; xh = xl === 0 ? (bh + 1) | 0 : bh;', w: 'xl = (bl + 1) | 0;' },
  csinv: { x: 'xl = ~bl; xh = ~bh;', w: 'xl = ~bl;' },
  csneg: { x: 'xl = (~bl + 1) | 0; xh = xl === 0 ? (~bh + 1) | 0 : ~bh;', w: 'xl = (~bl + 1) | 0;' },
} as const;

export function emitCondSelect(b: BlockBuilder, insn: InstructionOf<'cond-select'>): Translation {
  const { sf, rn, rm } = insn;
  const otherwise = OTHERWISE[insn.op][sf ? 'x' : 'w'];
  const [before, test] = b.condition(insn.cond);
  let code = `${before} let xl = 0, xh = 0; if ${test} { xl = ${b.lo(rn)}; xh = ${sf ? b.hi(rn) : '0'}; }`;
  code += ` else { const bl = ${b.lo(rm)}, bh = ${sf ? b.hi(rm) : '0'}; ${otherwise} }`;
  return plain(code + b.set(insn.rd, 'xl', 'xh', sf));
}

const byteSwap = (e: string): string => `(((${e} & 0xff) << 24) | ((${e} & 0xff00) << 8) | ((${e} >>> 8) & 0xff00) | (${e} >>> 24))`;
const halfSwap = (e: string): string => `(((${e} & 0x00ff00ff) << 8) | ((${e} >>> 8) & 0x00ff00ff))`;

export function emitOneSource(b: BlockBuilder, insn: InstructionOf<'one-source'>): Translation {
  const { sf, rn } = insn;
  const l = b.lo(rn);
  const h = b.hi(rn);
  let code: string;
  switch (insn.op) {
    case 'rbit':
      code = sf ? `const a = ${l}, b = ${h}; const xl = H.rbit(b), xh = H.rbit(a);` : `const xl = H.rbit(${l}), xh = 0;`;
      break;
    case 'rev16':
      code = sf ? `const a = ${l}, b = ${h}; const xl = ${halfSwap('a')}, xh = ${halfSwap('b')};` : `const a = ${l}; const xl = ${halfSwap('a')}, xh = 0;`;
      break;
    case 'cls':
      // CLS: leading bits equal to the sign bit, not counting it = CLZ(x ^ (x >> 1, arithmetic)) - 1.
      code = sf
        ? `const a = ${l}, b = ${h}; const yh = b ^ (b >> 1), yl = a ^ ((a >>> 1) | (b << 31)); const xl = (yh !== 0 ? Math.clz32(yh) : 32 + Math.clz32(yl)) - 1, xh = 0;`
        : `const a = ${l}; const xl = Math.clz32(a ^ (a >> 1)) - 1, xh = 0;`;
      break;
    case 'clz':
      code = sf ? `const a = ${h}, b = ${l}; const xl = a !== 0 ? Math.clz32(a) : 32 + Math.clz32(b), xh = 0;` : `const xl = Math.clz32(${l}), xh = 0;`;
      break;
    case 'rev32':
      code = sf ? `const a = ${l}, b = ${h}; const xl = ${byteSwap('a')}, xh = ${byteSwap('b')};` : `const a = ${l}; const xl = ${byteSwap('a')}, xh = 0;`;
      break;
    case 'rev64':
      code = `const a = ${l}, b = ${h}; const xl = ${byteSwap('b')}, xh = ${byteSwap('a')};`;
      break;
  }
  return plain(code + b.set(insn.rd, 'xl', 'xh', sf));
}

export function emitDivide(b: BlockBuilder, insn: InstructionOf<'divide'>): Translation {
  const { rn, rm, signed } = insn;
  let code: string;
  if (insn.sf) code = `H.divide(${signed}, ${b.lo(rn)}, ${b.hi(rn)}, ${b.lo(rm)}, ${b.hi(rm)}); const xl = ${H_LO}, xh = ${H_HI};`;
  else {
    // 32-bit division is exact in doubles; by zero gives 0; INT_MIN / -1 wraps to INT_MIN.
    code = signed
      ? `const a = ${b.lo(rn)}, b = ${b.lo(rm)}; const xl = b === 0 ? 0 : Math.trunc(a / b) | 0, xh = 0;`
      : `const a = ${b.lo(rn)} >>> 0, b = ${b.lo(rm)} >>> 0; const xl = b === 0 ? 0 : Math.floor(a / b) | 0, xh = 0;`;
  }
  return plain(code + b.set(insn.rd, 'xl', 'xh', insn.sf));
}

/**
 * LSL (0), LSR (1) or ASR (2) of the locals l:h by the local n (0..63, known only at run time)
 * into new locals xl, xh, inline: as Wide.shift computes it, without the call and the round
 * trip through its fields.
 */
function shiftByRegister64(type: 0 | 1 | 2): string {
  const below32 =
    type === 0
      ? 'xl = l << n; xh = (h << n) | (l >>> (32 - n));'
      : `xl = (l >>> n) | (h << (32 - n)); xh = h ${type === 1 ? '>>>' : '>>'} n | 0;`;
  const from32 = type === 0 ? 'xl = 0; xh = l << (n - 32);' : type === 1 ? 'xl = h >>> (n - 32) | 0; xh = 0;' : 'xl = h >> (n - 32); xh = h >> 31;';
  return `let xl = l, xh = h; if (n !== 0) { if (n < 32) { ${below32} } else { ${from32} } }`;
}

export function emitShiftVariable(b: BlockBuilder, insn: InstructionOf<'shift-variable'>): Translation {
  const { rn, rm, shift } = insn;
  let code: string;
  if (!insn.sf) code = `const a = ${b.lo(rn)}, n = ${b.lo(rm)} & 31; const xl = ${shift32(shift, 'n', 'a')}, xh = 0;`;
  else if (shift === 3) code = `H.shift(3, ${b.lo(rn)}, ${b.hi(rn)}, ${b.lo(rm)} & 63); const xl = ${H_LO}, xh = ${H_HI};`;
  else code = `const l = ${b.lo(rn)}, h = ${b.hi(rn)}, n = ${b.lo(rm)} & 63; ${shiftByRegister64(shift as 0 | 1 | 2)}`;
  return plain(code + b.set(insn.rd, 'xl', 'xh', insn.sf));
}

/** Xa +/- the product in H.lo, H.hi, as AddWithCarry without flags, into Xd. */
function accumulate(b: BlockBuilder, ra: number, rd: number, sub: boolean): string {
  let code = `const al = ${b.lo(ra)}, ah = ${b.hi(ra)}; let bl = ${H_LO}, bh = ${H_HI};`;
  if (sub) code += 'bl = ~bl; bh = ~bh;';
  code += b.addWithCarry(sub ? 1 : 0, true, false);
  return code + b.set(rd, 'xl', 'xh', true);
}

export function emitMultiplyAdd(b: BlockBuilder, insn: InstructionOf<'multiply-add'>): Translation {
  const { rd, rn, rm, ra, sub } = insn;
  if (!insn.sf) {
    const product = `Math.imul(${b.lo(rn)}, ${b.lo(rm)})`;
    return plain(`const xl = (${b.lo(ra)} ${sub ? '-' : '+'} ${product}) | 0, xh = 0;` + b.set(rd, 'xl', 'xh', false));
  }
  return plain(`H.mul(${b.lo(rn)}, ${b.hi(rn)}, ${b.lo(rm)}, ${b.hi(rm)});` + accumulate(b, ra, rd, sub));
}

export function emitMultiplyAddLong(b: BlockBuilder, insn: InstructionOf<'multiply-add-long'>): Translation {
  // 32 x 32 -> 64, the operands extended by sign or zero.
  const ext = (e: string): string => (insn.signed ? `(${e} >> 31)` : '0');
  const code = `const p = ${b.lo(insn.rn)}, q = ${b.lo(insn.rm)}; H.mul(p, ${ext('p')}, q, ${ext('q')});`;
  return plain(code + accumulate(b, insn.ra, insn.rd, insn.sub));
}

export function emitMultiplyHigh(b: BlockBuilder, insn: InstructionOf<'multiply-high'>): Translation {
  // The high half of the 128-bit product; Ra is not used.
  const { rn, rm } = insn;
  const code = `H.mulHigh(${insn.signed}, ${b.lo(rn)}, ${b.hi(rn)}, ${b.lo(rm)}, ${b.hi(rm)});`;
  return plain(code + b.set(insn.rd, H_LO, H_HI, true));
}
