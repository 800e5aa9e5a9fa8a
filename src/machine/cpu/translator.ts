// The block translator: turns a run of A64 instructions into one JavaScript function that
// works on the registers' 32-bit halves (CoreState.words) and on RAM through FastMemory, so
// that hot code runs without a BigInt or a decode per instruction. It compiles the decoded
// instructions of decode.ts — the decoder the interpreter uses too — with one emit case per
// member of the union (the emitters are in translate/); the forms it leaves to the
// interpreter are listed cases too. A block ends before any instruction it does not
// translate (the interpreter executes that one), after a branch, at a 4 KiB page boundary, or
// after MAX_BLOCK instructions. The interpreter (execute.ts) stays the reference: a load or
// store that is not plain allowed RAM "bails": the block stops before it, with all earlier
// instructions retired, and the interpreter runs it, faults included.
//
// The generated source is made only of numbers decoded from instruction words and fixed
// templates: nothing a client sends reaches it as text.

import type { CoreState } from '../core.js';
import { decode, unhandled, type Instruction } from './decode.js';
import type { FastMemory } from './fastMemory.js';
import { BlockBuilder, plain, type Translation } from './translate/blockBuilder.js';
import { emitBranch, emitBranchCond, emitBranchRegister, emitCompareBranch, emitTestBranch } from './translate/branch.js';
import {
  emitAddCarry, emitAddExtended, emitAddImm, emitAddShifted, emitAdr, emitBitfield, emitCondCompare, emitCondSelect,
  emitDivide, emitExtract, emitLogicalImm, emitLogicalShifted, emitMoveWide, emitMultiplyAdd, emitMultiplyAddLong,
  emitMultiplyHigh, emitOneSource, emitShiftVariable,
} from './translate/dataProcessing.js';
import { emitLoadLiteral, emitLoadStoreImm, emitLoadStorePair, emitLoadStoreRegister } from './translate/loadStore.js';
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

/** The code for one instruction, or undefined: not translatable, the block ends before it. */
function emit(b: BlockBuilder, insn: Instruction): Translation | undefined {
  switch (insn.kind) {
    case 'adr': return emitAdr(b, insn);
    case 'add-imm': return emitAddImm(b, insn);
    case 'logical-imm': return emitLogicalImm(b, insn);
    case 'move-wide': return emitMoveWide(b, insn);
    case 'bitfield': return emitBitfield(b, insn);
    case 'extract': return emitExtract(b, insn);
    case 'logical-shifted': return emitLogicalShifted(b, insn);
    case 'add-shifted': return emitAddShifted(b, insn);
    case 'add-extended': return emitAddExtended(b, insn);
    case 'add-carry': return emitAddCarry(b, insn);
    case 'cond-compare': return emitCondCompare(b, insn);
    case 'cond-select': return emitCondSelect(b, insn);
    case 'one-source': return emitOneSource(b, insn);
    case 'divide': return emitDivide(b, insn);
    case 'shift-variable': return emitShiftVariable(b, insn);
    case 'multiply-add': return emitMultiplyAdd(b, insn);
    case 'multiply-add-long': return emitMultiplyAddLong(b, insn);
    case 'multiply-high': return emitMultiplyHigh(b, insn);
    case 'load-store-imm': return emitLoadStoreImm(b, insn);
    case 'load-store-register': return emitLoadStoreRegister(b, insn);
    case 'load-literal': return emitLoadLiteral(b, insn);
    case 'load-store-pair': return emitLoadStorePair(b, insn);
    case 'branch': return emitBranch(b, insn);
    case 'branch-cond': return emitBranchCond(b, insn);
    case 'compare-branch': return emitCompareBranch(b, insn);
    case 'test-branch': return emitTestBranch(b, insn);
    case 'branch-register': return emitBranchRegister(b, insn);
    case 'hint': return plain(''); // NOP, YIELD, SEV, SEVL...: nothing to do here
    // Not translatable — the interpreter executes them, one at a time: they change the
    // exception level, PSTATE beyond NZCV, system registers or the MPU's synchronisation state
    // (the block's assumptions), stop the core (WFI/WFE, BRK, exceptions), need the exclusive
    // monitor or the alignment rule of ordered accesses, or are undefined. The LSE atomics,
    // CAS/CASP and DC ZVA check their access as one read-and-write (or a whole block) with
    // rules of their own: they matter for spinlocks and start-up code, not hot loops. The
    // SIMD&FP instructions check CPACR_EL1/CPTR_EL2 first and appear in varargs and popcounts.
    case 'atomic':
    case 'compare-swap':
    case 'fp-load-store':
    case 'fp-load-literal':
    case 'fp-load-store-pair':
    case 'fp-move-general':
    case 'simd-integer':
    case 'dc-zva':
    case 'address-translate':
    case 'eret':
    case 'exception-call':
    case 'brk':
    case 'wait':
    case 'barrier':
    case 'clrex':
    case 'msr-imm':
    case 'sys':
    case 'mrs':
    case 'msr':
    case 'prefetch':
    case 'exclusive':
    case 'ordered':
    case 'undefined':
      return undefined;
    default:
      return unhandled(insn);
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
    const translation = emit(builder, decode(fetch(pc)));
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
