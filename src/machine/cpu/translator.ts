// The block translator: turns the hot code of one 4 KiB page into one JavaScript function, a
// region of blocks, that works on the registers' 32-bit halves in JS locals and on RAM
// through FastMemory, so that hot code runs without a BigInt or a decode per instruction. It
// compiles the decoded instructions of decode.ts — the decoder the interpreter uses too — with
// one emit case per member of the union (the emitters are in translate/); the forms it leaves
// to the interpreter are listed cases too.
//
// A block ends before any instruction it does not translate (the interpreter executes that
// one), after a branch, at the page end, or after MAX_BLOCK instructions. A region is the block
// where execution got hot and the blocks its constant jumps reach in the same page, up to
// MAX_REGION_BLOCKS; a jump between two of its blocks is chained: it continues inside the
// function, registers staying in locals, as long as the next block fits in the budget the run
// loop gave (its instruction limit, the timer's next deadline, or no chaining at all when a
// breakpoint lies in the region). Nothing else can need the run loop's attention between two
// translated blocks: every instruction that could change the MPU, the system registers, the
// exception level or an interrupt's state is left to the interpreter, and so are accesses to
// devices and to pages of translated code. A jump elsewhere, a register branch, and a load or
// store that is not plain allowed RAM leave the region; the latter "bails": the region stops
// before it, with all earlier instructions retired and the registers stored, and the
// interpreter runs it, faults included. The interpreter (execute.ts) stays the reference.
//
// The generated source is made only of numbers decoded from instruction words and fixed
// templates: nothing a client sends reaches it as text.

import type { CoreState } from '../core.js';
import { decode, unhandled, type Instruction } from './decode.js';
import type { FastMemory } from './fastMemory.js';
import { BlockBuilder, FLAG_LOCALS, JUMP_MARK, MATERIALIZE_FLAGS, plain, SP_INDEX, type Jump, type Translation } from './translate/blockBuilder.js';
import { emitBranch, emitBranchCond, emitBranchRegister, emitCompareBranch, emitTestBranch } from './translate/branch.js';
import {
  emitAddCarry, emitAddExtended, emitAddImm, emitAddShifted, emitAdr, emitBitfield, emitCondCompare, emitCondSelect,
  emitDivide, emitExtract, emitLogicalImm, emitLogicalShifted, emitMoveWide, emitMultiplyAdd, emitMultiplyAddLong,
  emitMultiplyHigh, emitOneSource, emitShiftVariable,
} from './translate/dataProcessing.js';
import { emitLoadLiteral, emitLoadStoreImm, emitLoadStorePair, emitLoadStoreRegister } from './translate/loadStore.js';
import type { Wide } from './wide.js';

/**
 * Runs the region from its block `entry` (an index in Region.blocks), retiring at most
 * `budget` instructions (the entry block must fit). It loads the registers it uses from r and
 * PSTATE.NZCV from c, and stores them back on its way out; it returns the next pc, with the
 * instructions retired in m.retired and m.bail 1 when it stopped before an instruction it
 * could not complete (a "bail": the interpreter runs that one), 0 otherwise.
 */
export type RegionFunction = (r: Uint32Array, c: CoreState, m: FastMemory, H: Wide, entry: number, budget: number) => number;

export interface Block {
  readonly start: number;
  /** Instructions translated; 0 when the first one is not covered. */
  readonly length: number;
  /** The region that runs it, and its index there; none when length is 0. */
  readonly region: Region | undefined;
  readonly index: number;
}

export interface Region {
  readonly run: RegionFunction;
  /** The entry block first, then the blocks its jumps reach. */
  readonly blocks: readonly Block[];
  /** Some block reads or writes SP as SP_EL2: valid only at EL2 with PSTATE.SP = 1. */
  readonly usesSp: boolean;
  /** The addresses its blocks cover, [low, high): a breakpoint there forbids chaining. */
  readonly low: number;
  readonly high: number;
  /** Times the run loop has entered it (counted up to WARM_UP_ENTRIES only). */
  entries: number;
}

/**
 * Entries during which a new region runs one block at a time. V8 compiles a hot loop with what
 * it has seen the code do; a region's exit (after its loop: the stores of the registers) that
 * has never run when V8 compiles the loop throws the compiled code away when it first runs —
 * and V8 kept entering that code again, at about 2 ms per deoptimisation. Exiting after every
 * block for a while lets V8 see the exit first. V8 starts recording what code does only after
 * a function has run for a while (its "feedback vector", allocated after about 8 times the
 * function's bytecode has been executed), hence a count rather than one entry.
 */
export const WARM_UP_ENTRIES = 128;

export const MAX_BLOCK = 64;
/** Blocks per region, and instructions: enough for a loop nest, small enough to compile fast. */
export const MAX_REGION_BLOCKS = 32;
const MAX_REGION_INSTRUCTIONS = 512;

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
 * Region functions by source, shared by every interpreter of the process. A function depends
 * on nothing but its source and its arguments, so the same code translated again — after a
 * reset, on another board, a page rewritten with the same bytes — takes the function V8 has
 * already compiled and optimized instead of starting cold.
 */
const compiled = new Map<string, RegionFunction>();
/** Source characters kept at most (a region's source is up to about 100 000 characters). */
const MAX_COMPILED_CHARS = 16_000_000;
let compiledChars = 0;

function compile(source: string): RegionFunction {
  let run = compiled.get(source);
  if (run === undefined) {
    if (compiledChars + source.length > MAX_COMPILED_CHARS) {
      compiled.clear(); // bounded: start again
      compiledChars = 0;
    }
    run = new Function('r', 'c', 'm', 'H', 'entry', '$budget', source) as RegionFunction;
    compiled.set(source, run);
    compiledChars += source.length;
  }
  return run;
}

/** One block's code, with its jump placeholders still in it. */
interface BlockCode {
  readonly start: number;
  readonly length: number;
  readonly code: string;
}

/** Translates the block at `start` into `builder`; its jumps are added to the builder's list. */
function translateOne(builder: BlockBuilder, fetch: (pc: number) => number, start: number): BlockCode {
  const parts: string[] = [];
  const pageEnd = start - (start % 0x1000) + 0x1000;
  let pc = start;
  let ended = false;
  builder.startBlock();
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
  if (parts.length > 0 && !ended) parts.push(builder.jumpAfter(pc, parts.length));
  return { start, length: (pc - start) / 4, code: parts.join('\n') };
}

/**
 * Translates the region that starts with the block at `start`: that block, then the blocks
 * its constant jumps reach in the same page, breadth first, those for which `worth` says yes
 * (the interpreter: code that has run before; compiling paths never taken costs more than it
 * saves). `fetch` returns the instruction word at an address of that page (the caller has
 * checked that the page is RAM). The first of the region's blocks is the one at `start`, of
 * length 0 when its first instruction is not translated (then there is no region).
 */
export function translateRegion(
  fetch: (pc: number) => number,
  start: number,
  worth: (pc: number) => boolean = () => true,
): { entry: Block; region: Region | undefined } {
  const page = start - (start % 0x1000);
  const jumps: Jump[] = [];
  const builder = new BlockBuilder(jumps);
  const codes: BlockCode[] = [];
  const indexOf = new Map<number, number>();
  /** The block each jump is in, by jump id. */
  const jumpFrom: number[] = [];
  const seen = new Set<number>([start]);
  const queue = [start];
  let instructions = 0;
  for (let q = 0; q < queue.length && codes.length < MAX_REGION_BLOCKS && instructions < MAX_REGION_INSTRUCTIONS; q++) {
    const at = queue[q]!;
    const jumpsBefore = jumps.length;
    const code = translateOne(builder, fetch, at);
    if (code.length === 0) {
      jumps.length = jumpsBefore;
      if (at === start) return { entry: { start, length: 0, region: undefined, index: 0 }, region: undefined };
      continue;
    }
    indexOf.set(at, codes.length);
    for (let j = jumpsBefore; j < jumps.length; j++) jumpFrom[j] = codes.length;
    codes.push(code);
    instructions += code.length;
    for (let j = jumpsBefore; j < jumps.length; j++) {
      const target = jumps[j]!.target;
      if (target - (target % 0x1000) === page && target % 4 === 0 && !seen.has(target) && worth(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  // A block that jumps to itself is a loop of its own (`loop<index>`): its back edge stays in
  // that loop instead of going through the switch, which V8 compiles as a tighter loop.
  const loops = new Set<number>();
  const resolve = (id: number): string => {
    const { target, retired } = jumps[id]!;
    const index = indexOf.get(target);
    if (index === undefined) return `$done += ${retired}; $pc = ${target}; break run;`;
    const next = codes[index]!.length;
    const leave = `$done += ${retired}; if ($done > $budget - ${next}) { $pc = ${target}; break run; }`;
    if (index === jumpFrom[id]) {
      loops.add(index);
      return `${leave} continue loop${index};`;
    }
    return `${leave} $block = ${index}; continue run;`;
  };
  const cases = codes.map((code, index) => {
    const body = code.code.replace(JUMP_MARK, (_, id: string) => resolve(Number(id)));
    return loops.has(index) ? `case ${index}: loop${index}: for (;;) {\n${body}\n}` : `case ${index}: {\n${body}\n}`;
  });
  const registers = [...builder.used].sort((a, b) => a - b);
  const local = (n: number, half: 'l' | 'h'): string => (n === SP_INDEX ? `sp${half}` : `x${n}${half}`);
  // SP_EL2 follows x30 in the bank: words 62 and 63.
  const word = (n: number): number => 2 * (n === SP_INDEX ? 31 : n);
  // Halves are int32 in the region (blockBuilder.ts); the Uint32Array store wraps them back.
  const load = registers.map((n) => `let ${local(n, 'l')} = r[${word(n)}] | 0, ${local(n, 'h')} = r[${word(n) + 1}] | 0;`).join(' ');
  const written = [...builder.written].sort((a, b) => a - b);
  const store = written.map((n) => `r[${word(n)}] = ${local(n, 'l')}; r[${word(n) + 1}] = ${local(n, 'h')};`).join(' ');
  const source = [
    `'use strict';`,
    `${load} let $f = c.cpsr >>> 28; ${FLAG_LOCALS} let $block = entry, $done = 0, $pc = 0, $bail = 0;`,
    `run: for (;;) { switch ($block) {\n${cases.join('\n')}\ndefault: throw new Error('no block ' + $block); } }`,
    `${store} ${MATERIALIZE_FLAGS} c.cpsr = ((c.cpsr & 0x0fffffff) | ($f << 28)) >>> 0; m.retired = $done; m.bail = $bail; return $pc;`,
  ].join('\n');
  const run = compile(source);
  const blocks: Block[] = [];
  const region: Region = {
    run,
    blocks,
    usesSp: builder.usesSp,
    low: Math.min(...codes.map((c) => c.start)),
    high: Math.max(...codes.map((c) => c.start + 4 * c.length)),
    entries: 0,
  };
  codes.forEach((code, index) => blocks.push({ start: code.start, length: code.length, region, index }));
  return { entry: blocks[0]!, region };
}
