// The block translator's code for loads and stores: the address as a JS number, the access
// through FastMemory (m), which answers false for anything but plain allowed RAM — then the
// block bails before the instruction, with every earlier one retired, and the interpreter
// executes it, faults included.

import type { InstructionOf } from '../decode.js';
import { plain, type BlockBuilder, type Translation } from './blockBuilder.js';

/** Writes base (locals bl, bh) + imm back to Xn/SP. */
function writeback(b: BlockBuilder, rn: number, imm: number): string {
  return `{ const nl = bl + ${imm}; const nh = nl > 4294967295 ? bh + 1 : nl < 0 ? bh - 1 : bh; ${b.setSp(rn, 'nl >>> 0', 'nh >>> 0', true)} }`;
}

/** A single-register load or store at address `a` (set by `addressCode`), then `after`. */
function transfer(b: BlockBuilder, insn: InstructionOf<'load-store-imm' | 'load-store-register'>, addressCode: string, after: string): Translation {
  const { size, rt } = insn;
  if (!insn.load) return plain(`${addressCode} if (!m.store(a, ${size}, ${b.lo(rt)}, ${b.hi(rt)})) ${b.bail()} ${after}`);
  if (!insn.signed) return plain(`${addressCode} if (!m.load(a, ${size})) ${b.bail()} ${b.set(rt, 'm.lo', 'm.hi', insn.wide)} ${after}`);
  const bits = size * 8;
  const lo = bits === 32 ? 'm.lo' : `(m.lo << ${32 - bits} >> ${32 - bits}) >>> 0`;
  const hi = `(m.lo << ${32 - bits} >> 31) >>> 0`;
  return plain(`${addressCode} if (!m.load(a, ${size})) ${b.bail()} ${b.set(rt, lo, hi, insn.wide)} ${after}`);
}

export function emitLoadStoreImm(b: BlockBuilder, insn: InstructionOf<'load-store-imm'>): Translation {
  const { rn, imm } = insn;
  if (insn.index === 'offset') return transfer(b, insn, `const a = ${b.hiSp(rn)} * 4294967296 + ${b.loSp(rn)} + ${imm};`, '');
  const base = `const bl = ${b.loSp(rn)}, bh = ${b.hiSp(rn)};`;
  const address = insn.index === 'pre' ? `bh * 4294967296 + bl + ${imm}` : 'bh * 4294967296 + bl';
  return transfer(b, insn, `${base} const a = ${address};`, writeback(b, rn, imm));
}

export function emitLoadStoreRegister(b: BlockBuilder, insn: InstructionOf<'load-store-register'>): Translation {
  const { rm } = insn;
  const index = [
    '',
    '',
    `${b.lo(rm)}`, // UXTW
    `(${b.hi(rm)} * 4294967296 + ${b.lo(rm)})`, // LSL (UXTX)
    '',
    '',
    `(${b.lo(rm)} | 0)`, // SXTW
    `((${b.hi(rm)} | 0) * 4294967296 + ${b.lo(rm)})`, // SXTX
  ][insn.extend]!;
  // A base beyond 48 bits could lose precision against a huge index: the interpreter takes it.
  const code = `const bh = ${b.hiSp(insn.rn)}; const a = bh >= 0x10000 ? -1 : bh * 4294967296 + ${b.loSp(insn.rn)} + ${index} * ${2 ** insn.shift};`;
  return transfer(b, insn, code, '');
}

/** Undefined (left to the interpreter) when the literal's address is not an exact small number. */
export function emitLoadLiteral(b: BlockBuilder, insn: InstructionOf<'load-literal'>): Translation | undefined {
  const address = b.target(insn.offset);
  if (address === undefined) return undefined;
  const { rt } = insn;
  const load = `if (!m.load(${address}, ${insn.size})) ${b.bail()}`;
  if (insn.signed) return plain(`${load} ${b.set(rt, 'm.lo', '(m.lo >> 31) >>> 0', true)}`);
  if (insn.size === 4) return plain(`${load} ${b.set(rt, 'm.lo', '0', false)}`);
  return plain(`${load} ${b.set(rt, 'm.lo', 'm.hi', true)}`);
}

export function emitLoadStorePair(b: BlockBuilder, insn: InstructionOf<'load-store-pair'>): Translation {
  const { size, rt, rt2, rn, imm } = insn;
  let code = `const bl = ${b.loSp(rn)}, bh = ${b.hiSp(rn)}; const a = bh * 4294967296 + bl${insn.index === 'post' ? '' : ` + ${imm}`};`;
  if (insn.load) {
    code += `if (!m.load(a, ${size})) ${b.bail()} const l1 = m.lo, h1 = m.hi;`;
    code += `if (!m.load(a + ${size}, ${size})) ${b.bail()}`;
    if (insn.signed) code += b.set(rt, 'l1', '(l1 >> 31) >>> 0', true) + b.set(rt2, 'm.lo', '(m.lo >> 31) >>> 0', true);
    else code += b.set(rt, 'l1', 'h1', size === 8) + b.set(rt2, 'm.lo', 'm.hi', size === 8);
  } else {
    code += `if (!m.store(a, ${size}, ${b.lo(rt)}, ${b.hi(rt)})) ${b.bail()}`;
    code += `if (!m.store(a + ${size}, ${size}, ${b.lo(rt2)}, ${b.hi(rt2)})) ${b.bail()}`;
  }
  if (insn.index !== 'offset') code += writeback(b, rn, imm);
  return plain(code);
}
