// The one A64 decoder: turns a 32-bit instruction word into a typed instruction (the union in
// decode/types.ts). Which encodings exist, what their fields mean and which combinations are
// UNDEFINED is decided here and nowhere else; the interpreter (interpreter.ts) executes the
// result and the block translator (translator.ts) compiles it. Decoding depends on the word
// alone, never on the address or the core's state, so a decoded word can be cached by value.
// Encodings follow the Arm ARM (DDI0487) "A64 instruction set encoding" tables; this file
// picks the group from op0 (bits 28:25), the files in decode/ decode each group.

import { decodeBranchSystem } from './decode/branchSystem.js';
import { decodeDataProcessingImmediate, decodeDataProcessingRegister } from './decode/dataProcessing.js';
import { undefinedInstruction } from './decode/fields.js';
import { decodeLoadStore } from './decode/loadStore.js';
import { decodeSimdFpDataProcessing } from './decode/simdFp.js';
import type { Instruction } from './decode/types.js';

export type { AccessSize, FpAccessSize, AtomicOp, Instruction, InstructionKind, InstructionOf, LogicalOp, ShiftType } from './decode/types.js';

export function decode(word: number): Instruction {
  const op0 = (word >>> 25) & 0xf;
  if ((op0 & 0xe) === 0x8) return decodeDataProcessingImmediate(word);
  if ((op0 & 0xe) === 0xa) return decodeBranchSystem(word);
  if ((op0 & 0x5) === 0x4) return decodeLoadStore(word);
  if ((op0 & 0x7) === 0x5) return decodeDataProcessingRegister(word);
  if ((op0 & 0x7) === 0x7) return decodeSimdFpDataProcessing(word);
  return undefinedInstruction(word === 0 ? 'UDF (all-zero instruction)' : 'unallocated encoding');
}

/**
 * The end of an exhaustive switch over `insn.kind` (the interpreter's and the translator's):
 * the type checker rejects the call while any kind lacks its case.
 */
export function unhandled(insn: never): never {
  throw new Error(`no case for instruction ${JSON.stringify(insn)}`);
}
