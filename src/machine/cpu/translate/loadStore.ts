// The block translator's code for loads and stores: the address in 32-bit halves, the access
// through FastMemory (m), which answers false for anything but plain allowed RAM — then the
// block bails before the instruction, with every earlier one retired, and the interpreter
// executes it, faults included. An access inside the page FastMemory granted last for its kind
// is made inline, straight on the page's bytes (the grant is valid for the whole region entry:
// FastMemory.enterTranslated); any other goes through m.load and m.store, which grant or refuse.

import type { InstructionOf } from '../decode.js';
import { plain, type BlockBuilder, type Translation } from './blockBuilder.js';

/** Little-endian reads and writes of 1, 2 or 4 bytes at offset p of a DataView (a word as the int32 a half holds). */
const GET = { 1: 'getUint8(p)', 2: 'getUint16(p, true)', 4: 'getInt32(p, true)' } as const;
const SET = { 1: 'setUint8', 2: 'setUint16', 4: 'setUint32' } as const;

/**
 * The access's address as a JS number for FastMemory's load and store, from its halves (al,
 * ah): -1 beyond 48 bits, which no grant covers (the interpreter then raises the fault).
 */
const WHOLE_ADDRESS = '(ah >>> 0) >= 0x10000 ? -1 : (ah >>> 0) * 4294967296 + (al >>> 0)';

/**
 * Loads `size` bytes at the address whose halves are the locals al, ah into new locals
 * <into>l, <into>h (zero-extended), or bails. The page test is in 32-bit integers (the grant
 * keeps its page's halves): the low halves' difference is the offset in the page when the
 * high halves are equal.
 */
function load(b: BlockBuilder, size: number, into: string): string {
  const word = size === 8 ? 4 : (size as 1 | 2 | 4);
  const fast =
    size === 8
      ? `${into}l = g.view.getInt32(p, true); ${into}h = g.view.getInt32(p + 4, true);`
      : `${into}l = g.view.${GET[word]}; ${into}h = 0;`;
  return (
    `let ${into}l = 0, ${into}h = 0; { const g = m.read, o = (al - g.lo) | 0;` +
    ` if (ah === g.hi && o >= 0 && o <= ${0x1000 - size}) { const p = g.at + o; ${fast} }` +
    ` else { if (!m.load(${WHOLE_ADDRESS}, ${size})) ${b.bail()} ${into}l = m.lo | 0; ${into}h = m.hi | 0; } }`
  );
}

/** Stores the low `size` bytes of lo:hi (expressions) at the address in al, ah, or bails. */
function store(b: BlockBuilder, size: number, lo: string, hi: string): string {
  const word = size === 8 ? 4 : (size as 1 | 2 | 4);
  const fast = size === 8 ? `g.view.setUint32(p, ${lo}, true); g.view.setUint32(p + 4, ${hi}, true);` : `g.view.${SET[word]}(p, ${lo}${word === 1 ? '' : ', true'});`;
  return (
    `{ const g = m.write, o = (al - g.lo) | 0;` +
    ` if (ah === g.hi && o >= 0 && o <= ${0x1000 - size}) { const p = g.at + o; ${fast} }` +
    ` else if (!m.store(${WHOLE_ADDRESS}, ${size}, ${lo}, ${hi})) ${b.bail()} }`
  );
}

/** Declares al, ah: the halves of lo:hi (expressions, int32) plus the constant `imm`. */
function addressPlus(lo: string, hi: string, imm: number): string {
  if (imm === 0) return `const al = ${lo}, ah = ${hi};`;
  // A constant: adding it carries when the low half wraps below the base's, subtracting
  // borrows when it wraps above (unsigned comparisons of int32s).
  const ah = imm > 0 ? `(al >>> 0) < (${lo} >>> 0) ? (${hi} + 1) | 0 : ${hi}` : `(al >>> 0) > (${lo} >>> 0) ? (${hi} - 1) | 0 : ${hi}`;
  return `const al = (${lo} + ${imm}) | 0, ah = ${ah};`;
}

/** Writes base (locals bl, bh) + imm back to Xn/SP. */
function writeback(b: BlockBuilder, rn: number, imm: number): string {
  // imm is a constant: adding it carries when the low half wraps below bl, subtracting borrows
  // when it wraps above (unsigned comparisons of int32s).
  const nh = imm >= 0 ? '(nl >>> 0) < (bl >>> 0) ? (bh + 1) | 0 : bh' : '(nl >>> 0) > (bl >>> 0) ? (bh - 1) | 0 : bh';
  return `{ const nl = (bl + ${imm}) | 0; const nh = ${nh}; ${b.setSp(rn, 'nl', 'nh', true)} }`;
}

/** A single-register load or store at the address `addressCode` declares (al, ah), then `after`. */
function transfer(b: BlockBuilder, insn: InstructionOf<'load-store-imm' | 'load-store-register'>, addressCode: string, after: string): Translation {
  const { size, rt } = insn;
  if (!insn.load) return plain(`${addressCode} ${store(b, size, b.lo(rt), b.hi(rt))} ${after}`);
  if (!insn.signed) return plain(`${addressCode} ${load(b, size, 'v')} ${b.set(rt, 'vl', 'vh', insn.wide)} ${after}`);
  const bits = size * 8;
  const lo = bits === 32 ? 'vl' : `(vl << ${32 - bits} >> ${32 - bits})`;
  const hi = `(vl << ${32 - bits} >> 31)`;
  return plain(`${addressCode} ${load(b, size, 'v')} ${b.set(rt, lo, hi, insn.wide)} ${after}`);
}

export function emitLoadStoreImm(b: BlockBuilder, insn: InstructionOf<'load-store-imm'>): Translation {
  const { rn, imm } = insn;
  if (insn.index === 'offset') return transfer(b, insn, `const bl = ${b.loSp(rn)}, bh = ${b.hiSp(rn)}; ${addressPlus('bl', 'bh', imm)}`, '');
  const base = `const bl = ${b.loSp(rn)}, bh = ${b.hiSp(rn)};`;
  return transfer(b, insn, `${base} ${addressPlus('bl', 'bh', insn.index === 'pre' ? imm : 0)}`, writeback(b, rn, imm));
}

export function emitLoadStoreRegister(b: BlockBuilder, insn: InstructionOf<'load-store-register'>): Translation {
  const { rm } = insn;
  const lo = b.lo(rm);
  // The index's high half before the shift: UXTW, LSL (UXTX), SXTW, SXTX.
  const high = ['', '', '0', b.hi(rm), '', '', `(${lo} >> 31)`, b.hi(rm)][insn.extend]!;
  const s = insn.shift;
  const il = s === 0 ? lo : `(${lo} << ${s})`;
  const ih = s === 0 ? high : `((${high} << ${s}) | (${lo} >>> ${32 - s}))`;
  const code =
    `const bl = ${b.loSp(insn.rn)}, bh = ${b.hiSp(insn.rn)}, il = ${il}, ih = ${ih};` +
    ' const al = (bl + il) | 0, ah = (bh + ih + ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;';
  return transfer(b, insn, code, '');
}

/** Undefined (left to the interpreter) when the literal's address is not an exact small number. */
export function emitLoadLiteral(b: BlockBuilder, insn: InstructionOf<'load-literal'>): Translation | undefined {
  const address = b.target(insn.offset);
  if (address === undefined) return undefined;
  const { rt } = insn;
  const literal = `const al = ${address % 2 ** 32 | 0}, ah = ${Math.floor(address / 2 ** 32)}; ${load(b, insn.size, 'v')}`;
  if (insn.signed) return plain(`{ ${literal} ${b.set(rt, 'vl', '(vl >> 31)', true)} }`);
  if (insn.size === 4) return plain(`{ ${literal} ${b.set(rt, 'vl', '0', false)} }`);
  return plain(`{ ${literal} ${b.set(rt, 'vl', 'vh', true)} }`);
}

export function emitLoadStorePair(b: BlockBuilder, insn: InstructionOf<'load-store-pair'>): Translation {
  const { size, rt, rt2, rn, imm } = insn;
  let code = `const bl = ${b.loSp(rn)}, bh = ${b.hiSp(rn)}; const fl = (bl + ${insn.index === 'post' ? 0 : imm}) | 0;`;
  // The first address (fl, fh), the second `size` bytes on.
  code += `const fh = ${insn.index === 'post' || imm === 0 ? 'bh' : imm > 0 ? '(fl >>> 0) < (bl >>> 0) ? (bh + 1) | 0 : bh' : '(fl >>> 0) > (bl >>> 0) ? (bh - 1) | 0 : bh'};`;
  const first = (access: string): string => `{ const al = fl, ah = fh; ${access} }`;
  const second = (access: string): string => `{ ${addressPlus('fl', 'fh', size)} ${access} }`;
  if (insn.load) {
    // The loaded values leave their blocks through v and w, declared here.
    code += 'let vl = 0, vh = 0, wl = 0, wh = 0;';
    code += first(`${load(b, size, 'x')} vl = xl; vh = xh;`) + second(`${load(b, size, 'x')} wl = xl; wh = xh;`);
    if (insn.signed) code += b.set(rt, 'vl', '(vl >> 31)', true) + b.set(rt2, 'wl', '(wl >> 31)', true);
    else code += b.set(rt, 'vl', 'vh', size === 8) + b.set(rt2, 'wl', 'wh', size === 8);
  } else {
    code += first(store(b, size, b.lo(rt), b.hi(rt))) + second(store(b, size, b.lo(rt2), b.hi(rt2)));
  }
  if (insn.index !== 'offset') code += writeback(b, rn, imm);
  return plain(code);
}
