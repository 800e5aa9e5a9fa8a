// The block translator's code for loads and stores: the address as a JS number, the access
// through FastMemory (m), which answers false for anything but plain allowed RAM — then the
// block bails before the instruction, with every earlier one retired, and the interpreter
// executes it, faults included. An access inside the page FastMemory granted last for its kind
// is made inline, straight on the page's bytes (the grant is valid for the whole region entry:
// FastMemory.enterTranslated); any other goes through m.load and m.store, which grant or refuse.

import type { InstructionOf } from '../decode.js';
import { plain, unsigned64, type BlockBuilder, type Translation } from './blockBuilder.js';

/** Little-endian reads and writes of 1, 2 or 4 bytes at offset p of a DataView (a word as the int32 a half holds). */
const GET = { 1: 'getUint8(p)', 2: 'getUint16(p, true)', 4: 'getInt32(p, true)' } as const;
const SET = { 1: 'setUint8', 2: 'setUint16', 4: 'setUint32' } as const;

/** Loads `size` bytes at `address` (an expression) into new locals <into>l, <into>h (zero-extended), or bails. */
function load(b: BlockBuilder, address: string, size: number, into: string): string {
  const word = size === 8 ? 4 : (size as 1 | 2 | 4);
  const fast =
    size === 8
      ? `${into}l = g.view.getInt32(p, true); ${into}h = g.view.getInt32(p + 4, true);`
      : `${into}l = g.view.${GET[word]}; ${into}h = 0;`;
  return (
    `let ${into}l = 0, ${into}h = 0; { const a = ${address}; const g = m.read, o = a - g.page;` +
    ` if (o >= 0 && o <= ${0x1000 - size}) { const p = g.at + o; ${fast} }` +
    ` else { if (!m.load(a, ${size})) ${b.bail()} ${into}l = m.lo | 0; ${into}h = m.hi | 0; } }`
  );
}

/** Stores the low `size` bytes of lo:hi (expressions) at `address`, or bails. */
function store(b: BlockBuilder, address: string, size: number, lo: string, hi: string): string {
  const word = size === 8 ? 4 : (size as 1 | 2 | 4);
  const fast = size === 8 ? `g.view.setUint32(p, ${lo}, true); g.view.setUint32(p + 4, ${hi}, true);` : `g.view.${SET[word]}(p, ${lo}${word === 1 ? '' : ', true'});`;
  return (
    `{ const a = ${address}; const g = m.write, o = a - g.page;` +
    ` if (o >= 0 && o <= ${0x1000 - size}) { const p = g.at + o; ${fast} }` +
    ` else if (!m.store(a, ${size}, ${lo}, ${hi})) ${b.bail()} }`
  );
}

/** Writes base (locals bl, bh) + imm back to Xn/SP. */
function writeback(b: BlockBuilder, rn: number, imm: number): string {
  // imm is a constant: adding it carries when the low half wraps below bl, subtracting borrows
  // when it wraps above (unsigned comparisons of int32s).
  const nh = imm >= 0 ? '(nl >>> 0) < (bl >>> 0) ? (bh + 1) | 0 : bh' : '(nl >>> 0) > (bl >>> 0) ? (bh - 1) | 0 : bh';
  return `{ const nl = (bl + ${imm}) | 0; const nh = ${nh}; ${b.setSp(rn, 'nl', 'nh', true)} }`;
}

/** A single-register load or store at address `a` (set by `addressCode`), then `after`. */
function transfer(b: BlockBuilder, insn: InstructionOf<'load-store-imm' | 'load-store-register'>, addressCode: string, after: string): Translation {
  const { size, rt } = insn;
  if (!insn.load) return plain(`${addressCode} ${store(b, 'ea', size, b.lo(rt), b.hi(rt))} ${after}`);
  if (!insn.signed) return plain(`${addressCode} ${load(b, 'ea', size, 'v')} ${b.set(rt, 'vl', 'vh', insn.wide)} ${after}`);
  const bits = size * 8;
  const lo = bits === 32 ? 'vl' : `(vl << ${32 - bits} >> ${32 - bits})`;
  const hi = `(vl << ${32 - bits} >> 31)`;
  return plain(`${addressCode} ${load(b, 'ea', size, 'v')} ${b.set(rt, lo, hi, insn.wide)} ${after}`);
}

export function emitLoadStoreImm(b: BlockBuilder, insn: InstructionOf<'load-store-imm'>): Translation {
  const { rn, imm } = insn;
  if (insn.index === 'offset') return transfer(b, insn, `const ea = ${unsigned64(b.loSp(rn), b.hiSp(rn))} + ${imm};`, '');
  const base = `const bl = ${b.loSp(rn)}, bh = ${b.hiSp(rn)};`;
  const address = insn.index === 'pre' ? `${unsigned64('bl', 'bh')} + ${imm}` : unsigned64('bl', 'bh');
  return transfer(b, insn, `${base} const ea = ${address};`, writeback(b, rn, imm));
}

export function emitLoadStoreRegister(b: BlockBuilder, insn: InstructionOf<'load-store-register'>): Translation {
  const { rm } = insn;
  const index = [
    '',
    '',
    `(${b.lo(rm)} >>> 0)`, // UXTW
    `(${unsigned64(b.lo(rm), b.hi(rm))})`, // LSL (UXTX)
    '',
    '',
    `${b.lo(rm)}`, // SXTW
    `(${b.hi(rm)} * 4294967296 + (${b.lo(rm)} >>> 0))`, // SXTX
  ][insn.extend]!;
  // A base beyond 48 bits could lose precision against a huge index: the interpreter takes it.
  const code = `const bh = ${b.hiSp(insn.rn)} >>> 0; const ea = bh >= 0x10000 ? -1 : bh * 4294967296 + (${b.loSp(insn.rn)} >>> 0) + ${index} * ${2 ** insn.shift};`;
  return transfer(b, insn, code, '');
}

/** Undefined (left to the interpreter) when the literal's address is not an exact small number. */
export function emitLoadLiteral(b: BlockBuilder, insn: InstructionOf<'load-literal'>): Translation | undefined {
  const address = b.target(insn.offset);
  if (address === undefined) return undefined;
  const { rt } = insn;
  const literal = load(b, String(address), insn.size, 'v');
  if (insn.signed) return plain(`${literal} ${b.set(rt, 'vl', '(vl >> 31)', true)}`);
  if (insn.size === 4) return plain(`${literal} ${b.set(rt, 'vl', '0', false)}`);
  return plain(`${literal} ${b.set(rt, 'vl', 'vh', true)}`);
}

export function emitLoadStorePair(b: BlockBuilder, insn: InstructionOf<'load-store-pair'>): Translation {
  const { size, rt, rt2, rn, imm } = insn;
  let code = `const bl = ${b.loSp(rn)}, bh = ${b.hiSp(rn)}; const ea = ${unsigned64('bl', 'bh')}${insn.index === 'post' ? '' : ` + ${imm}`};`;
  if (insn.load) {
    code += load(b, 'ea', size, 'v') + load(b, `ea + ${size}`, size, 'w');
    if (insn.signed) code += b.set(rt, 'vl', '(vl >> 31)', true) + b.set(rt2, 'wl', '(wl >> 31)', true);
    else code += b.set(rt, 'vl', 'vh', size === 8) + b.set(rt2, 'wl', 'wh', size === 8);
  } else {
    code += store(b, 'ea', size, b.lo(rt), b.hi(rt)) + store(b, `ea + ${size}`, size, b.lo(rt2), b.hi(rt2));
  }
  if (insn.index !== 'offset') code += writeback(b, rn, imm);
  return plain(code);
}
