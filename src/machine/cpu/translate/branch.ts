// The block translator's code for branches: each ends its block. A constant target is a jump
// (BlockBuilder.jump), which the region chains to when it holds the target's block; a register
// target leaves the region. A target that is not an exact small number (beyond 2^48, or below
// 0) is left to the interpreter (undefined here), which faults on the fetch as the
// architecture says.

import type { InstructionOf } from '../decode.js';
import type { BlockBuilder, Translation } from './blockBuilder.js';

const ending = (code: string): Translation => ({ code, ends: true });

/** A conditional branch: to `target` when `condition` (a parenthesised expression) holds, else to the next instruction. */
const twoWay = (b: BlockBuilder, condition: string, target: number): string => `if ${condition} ${b.jump(target)} else ${b.jump(b.pc + 4)}`;

export function emitBranch(b: BlockBuilder, insn: InstructionOf<'branch'>): Translation | undefined {
  const target = b.target(insn.offset);
  if (target === undefined) return undefined;
  return ending((insn.link ? b.link() : '') + b.jump(target));
}

export function emitBranchCond(b: BlockBuilder, insn: InstructionOf<'branch-cond'>): Translation | undefined {
  const target = b.target(insn.offset);
  if (target === undefined) return undefined;
  const [before, test] = b.condition(insn.cond);
  return ending(before + twoWay(b, test, target));
}

export function emitCompareBranch(b: BlockBuilder, insn: InstructionOf<'compare-branch'>): Translation | undefined {
  const target = b.target(insn.offset);
  if (target === undefined) return undefined;
  const { rt } = insn;
  const zero = insn.sf ? `(${b.lo(rt)} | ${b.hi(rt)}) === 0` : `${b.lo(rt)} === 0`;
  return ending(twoWay(b, insn.nonzero ? `(!(${zero}))` : `(${zero})`, target));
}

export function emitTestBranch(b: BlockBuilder, insn: InstructionOf<'test-branch'>): Translation | undefined {
  const target = b.target(insn.offset);
  if (target === undefined) return undefined;
  const { rt, bit } = insn;
  const set = bit < 32 ? `((${b.lo(rt)} >>> ${bit}) & 1) === 1` : `((${b.hi(rt)} >>> ${bit - 32}) & 1) === 1`;
  return ending(twoWay(b, insn.nonzero ? `(${set})` : `(!(${set}))`, target));
}

export function emitBranchRegister(b: BlockBuilder, insn: InstructionOf<'branch-register'>): Translation {
  // A target that is not a small exact number is left to the interpreter (it faults on fetch).
  let code = `const tl = ${b.lo(insn.rn)} >>> 0, th = ${b.hi(insn.rn)} >>> 0; if (th >= 0x10000) ${b.bail()}`;
  if (insn.link) code += b.link();
  return ending(code + b.leave('th * 4294967296 + tl'));
}
