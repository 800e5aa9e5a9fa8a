// An interpreter for the A64 base integer instructions that bare-metal EL2 code uses: data
// processing (immediate and register), loads and stores of every size and addressing mode
// (pairs, exclusives, acquire/release, literals), branches, and the system instructions
// (MRS/MSR through the register table, barriers with the MPU's DSB-then-ISB rule, hints,
// cache maintenance as no-ops, SVC/HVC/SMC/ERET). Every fetch, load and store goes through the
// machine's one checked access path, so the MPU decides exactly as it does for the debugger.
// Encodings follow the Arm ARM (DDI0487) "A64 instruction set encoding" tables.
//
// `step()` executes one instruction and says what happened; exceptions are either taken (the
// core vectors to VBAR_EL2) or reported for the debugger to stop on, as the run loop chooses.
// `run()` executes many, running hot code as blocks from translator.ts and leaving to `step()`
// every instruction a block cannot complete, so both paths end in the same outcomes.

import { registerByNumber } from '../../arch/aarch64/registers.js';
import type { AccessKind } from '../access.js';
import type { Machine, MachineFault } from '../machine.js';
import { RegisterAccessError } from '../sysregs.js';
import { decodeBitMasks } from './bitmasks.js';
import { FastMemory } from './fastMemory.js';
import { translateBlock, type Block } from './translator.js';
import { Wide } from './wide.js';

const M64 = 0xffff_ffff_ffff_ffffn;
const M32 = 0xffff_ffffn;

/** Why an instruction did not simply complete. */
export type StepOutcome =
  | { readonly kind: 'ok' }
  /** WFI/WFE: nothing to wake the core in this simulation. */
  | { readonly kind: 'wait'; readonly instruction: 'WFI' | 'WFE' }
  /** BRK #imm: a software breakpoint compiled into the code. */
  | { readonly kind: 'brk'; readonly imm: number }
  /** An exception the core takes (or, when the debugger asked, stops on before taking it). */
  | { readonly kind: 'exception'; readonly exception: CpuException }
  /** A data access is about to touch a watched address; the instruction has not executed. */
  | { readonly kind: 'watch'; readonly address: number; readonly access: 'read' | 'write' };

export type CpuException =
  | { readonly type: 'abort'; readonly fault: MachineFault; readonly pc: bigint }
  | { readonly type: 'undefined'; readonly pc: bigint; readonly instruction: number; readonly reason: string }
  | { readonly type: 'svc' | 'hvc' | 'smc'; readonly pc: bigint; readonly imm: number };

/** How `run` ended: an instruction that did not simply complete, the budget spent, or a breakpoint reached. */
export type RunOutcome = Exclude<StepOutcome, { kind: 'ok' }> | { readonly kind: 'limit' } | { readonly kind: 'breakpoint' };

/** Heat counters kept at most (one per distinct address executed interpreted). */
const MAX_HEAT_ENTRIES = 1 << 20;

/** Addresses (of pc) the translated path keeps as JS numbers; anything above runs interpreted. */
const NUMERIC_PC_LIMIT = 1n << 48n;

/** Exception classes of ESR_ELx.EC used here. */
const EC = { unknown: 0x00, svc: 0x15, hvc: 0x16, smc: 0x17 } as const;

class Abort {
  constructor(readonly fault: MachineFault) {}
}

/** A watched address is about to be accessed: the instruction stops before it (AArch64 watchpoints are not steppable). */
class WatchHit {
  constructor(
    readonly address: number,
    readonly access: 'read' | 'write',
  ) {}
}

class Undefined {
  constructor(readonly reason: string) {}
}

const signExtend = (value: bigint, bits: number): bigint => BigInt.asIntN(bits, value);
const u64 = (value: bigint): bigint => BigInt.asUintN(64, value);

/** Watchpoints the run loop asks the interpreter to report. */
export interface WatchSet {
  /** True while any watchpoint is set: every access is then checked against the set. */
  armed(): boolean;
  /** Returns the watched address hit by an access of `size` bytes at `address`, if any. */
  hit(address: number, size: number, access: 'read' | 'write'): number | undefined;
}

export class Interpreter {
  /** The exclusive monitor: address and size of the last LDXR/LDAXR, or none. */
  private exclusive: { address: number; size: number } | undefined;
  /** Instructions executed since the machine started (for benchmarks and `monitor info`). */
  executed = 0;
  /** Of those, how many ran as translated blocks. */
  executedTranslated = 0;
  /** Blocks the translator could not build (their code runs interpreted), and the last reason. */
  translationFailures = 0;
  lastTranslationFailure: string | undefined;

  /** Run hot code through the block translator (translator.ts); off runs everything here. */
  translate = true;
  /**
   * Times execution must reach an address before a block is translated there. Translating
   * costs tens of microseconds, interpreting one instruction a fraction of one: code that runs
   * once (start-up, a scenario) is cheaper interpreted; loops are translated on their 8th turn.
   */
  translateThreshold = 8;
  /** How often each not-yet-translated address has been reached. */
  private readonly heat = new Map<number, number>();
  private readonly fast: FastMemory;
  private readonly wide = new Wide();
  /** Translated blocks by start address, and the starts per 4 KiB page (to forget a page at once). */
  private readonly blocks = new Map<number, Block>();
  private readonly blockStarts = new Map<number, number[]>();

  constructor(
    private readonly machine: Machine,
    private readonly watches?: WatchSet,
  ) {
    this.fast = new FastMemory(machine);
    machine.memory.onCodeWrite = (page) => this.forgetPage(page);
  }

  /** Forgets what execution learnt of the old board after a reset (its memory already dropped its blocks). */
  reset(): void {
    this.exclusive = undefined;
    this.heat.clear();
    this.ignoreWatchesOnce = false;
  }

  /** Blocks cached and still valid, including addresses found untranslatable (`monitor core translate`). */
  get translatedBlocks(): number {
    return this.blocks.size;
  }

  /** Drops every translation of `page`: something wrote to it. */
  private forgetPage(page: number): void {
    for (const start of this.blockStarts.get(page) ?? []) this.blocks.delete(start);
    this.blockStarts.delete(page);
    this.machine.memory.codePages.delete(page);
  }

  /** Counts a visit to `pc`; translates once it is hot enough. */
  private warmUp(pc: number): Block | undefined {
    const visits = (this.heat.get(pc) ?? 0) + 1;
    if (visits < this.translateThreshold) {
      if (this.heat.size >= MAX_HEAT_ENTRIES) this.heat.clear(); // bounded: forget and start counting again
      this.heat.set(pc, visits);
      return undefined;
    }
    this.heat.delete(pc);
    return this.translateAt(pc);
  }

  private translateAt(pc: number): Block | undefined {
    const page = pc - (pc % 0x1000);
    const ram = this.machine.memory.ramPage(page);
    if (!ram) return undefined; // code in a device: interpreted
    const view = new DataView(ram.bytes.buffer, ram.bytes.byteOffset + ram.at, 0x1000);
    let block: Block;
    try {
      block = translateBlock((address) => view.getUint32(address - page, true), pc);
    } catch (err) {
      // A translator bug must cost speed, not correctness: interpret this address from now on.
      this.translationFailures++;
      this.lastTranslationFailure = `pc 0x${pc.toString(16)}: ${err instanceof Error ? err.message : String(err)}`;
      block = { start: pc, length: 0, usesSp: false, run: undefined };
    }
    this.blocks.set(pc, block);
    const starts = this.blockStarts.get(page);
    if (starts) starts.push(pc);
    else {
      this.blockStarts.set(page, [pc]);
      this.machine.memory.codePages.add(page);
      this.fast.revokeWrites(); // stores to this page must now take the path that forgets it
    }
    return block;
  }

  /**
   * Executes up to `limit` instructions, stopping before any pc in `breakpoints` (the first
   * instruction included) and at the first instruction that does not simply complete. Hot
   * code runs translated; whatever a block cannot do (a fault, a device, a system instruction,
   * an armed watchpoint) is executed by `step`, so the outcome is the one `step` would give.
   */
  run(limit: number, breakpoints: ReadonlySet<number>): RunOutcome {
    const core = this.core;
    const words = core.words;
    const fast = this.fast;
    let remaining = limit;
    let interpretNext = false;
    let pc = core.pc < NUMERIC_PC_LIMIT ? Number(core.pc) : -1;
    try {
      while (remaining > 0) {
        if (breakpoints.size > 0 && breakpoints.has(pc)) return BREAKPOINT;
        if (!interpretNext && pc >= 0 && pc % 4 === 0 && this.translate && !this.watches?.armed()) {
          const block = this.blocks.get(pc) ?? this.warmUp(pc);
          if (
            block?.run !== undefined &&
            block.length <= remaining &&
            (!block.usesSp || (core.cpsr & 0xd) === 0x9) &&
            this.machine.pageAllowed(pc, 4, 'fetch') &&
            !(breakpoints.size > 0 && breakpointInside(block, breakpoints))
          ) {
            fast.bail = false;
            fast.storesChecked = this.exclusive !== undefined;
            pc = block.run(words, core, fast, this.wide);
            this.executed += fast.retired;
            this.executedTranslated += fast.retired;
            remaining -= fast.retired;
            interpretNext = fast.bail;
            continue;
          }
        }
        if (pc >= 0) core.pc = BigInt(pc);
        const outcome = this.step();
        pc = core.pc < NUMERIC_PC_LIMIT ? Number(core.pc) : -1;
        remaining--;
        interpretNext = false;
        if (outcome.kind !== 'ok') return outcome;
      }
      return LIMIT;
    } finally {
      if (pc >= 0) core.pc = BigInt(pc);
    }
  }

  private get core() {
    return this.machine.core;
  }

  // ---- registers ----

  private x(n: number, sf: boolean): bigint {
    if (n === 31) return 0n;
    const v = this.core.x[n]!;
    return sf ? v : v & M32;
  }

  private setX(n: number, value: bigint, sf: boolean): void {
    if (n === 31) return;
    this.core.x[n] = sf ? u64(value) : value & M32;
  }

  private xOrSp(n: number, sf: boolean): bigint {
    if (n !== 31) return this.x(n, sf);
    const sp = this.machine.readStackPointer();
    return sf ? sp : sp & M32;
  }

  private setXOrSp(n: number, value: bigint, sf: boolean): void {
    if (n !== 31) return this.setX(n, value, sf);
    this.machine.writeStackPointer(sf ? u64(value) : value & M32);
  }

  private get nzcv(): number {
    return (this.core.cpsr >>> 28) & 0xf;
  }

  private setNzcv(n: boolean, z: boolean, c: boolean, v: boolean): void {
    const bits = (n ? 8 : 0) | (z ? 4 : 0) | (c ? 2 : 0) | (v ? 1 : 0);
    this.core.cpsr = ((this.core.cpsr & 0x0fff_ffff) | (bits << 28)) >>> 0;
  }

  private condition(cond: number): boolean {
    const f = this.nzcv;
    const n = (f & 8) !== 0;
    const z = (f & 4) !== 0;
    const c = (f & 2) !== 0;
    const v = (f & 1) !== 0;
    let result: boolean;
    switch (cond >> 1) {
      case 0: result = z; break;
      case 1: result = c; break;
      case 2: result = n; break;
      case 3: result = v; break;
      case 4: result = c && !z; break;
      case 5: result = n === v; break;
      case 6: result = n === v && !z; break;
      default: result = true;
    }
    // The low bit inverts the condition, except for AL/NV (0b111x), which are always true.
    return (cond & 1) === 1 && cond !== 0xf ? !result : result;
  }

  /** AddWithCarry of the Arm ARM: result and NZCV for a `bits`-wide addition. */
  private addWithCarry(a: bigint, b: bigint, carry: bigint, sf: boolean, setFlags: boolean): bigint {
    const bits = sf ? 64 : 32;
    const mask = sf ? M64 : M32;
    const unsigned = (a & mask) + (b & mask) + carry;
    const result = unsigned & mask;
    if (setFlags) {
      const signed = BigInt.asIntN(bits, a) + BigInt.asIntN(bits, b) + carry;
      this.setNzcv(BigInt.asIntN(bits, result) < 0n, result === 0n, unsigned > mask, BigInt.asIntN(bits, result) !== signed);
    }
    return result;
  }

  // ---- memory ----

  private load(address: bigint, size: number, kind: AccessKind = 'read'): bigint {
    if (kind !== 'fetch') this.checkWatch(Number(address), size, 'read');
    const fault = this.machine.coreLoad(Number(address), size as 1 | 2 | 4 | 8, kind);
    if (fault) throw new Abort(fault);
    return this.machine.loaded;
  }

  private store(address: bigint, size: number, value: bigint): void {
    this.checkWatch(Number(address), size, 'write');
    const fault = this.machine.coreStore(Number(address), size as 1 | 2 | 4 | 8, value);
    if (fault) throw new Abort(fault);
    if (this.exclusive && Number(address) < this.exclusive.address + this.exclusive.size && this.exclusive.address < Number(address) + size) this.exclusive = undefined;
  }

  private checkWatch(address: number, size: number, access: 'read' | 'write'): void {
    if (this.ignoreWatchesOnce) return;
    const hit = this.watches?.hit(address, size, access);
    if (hit !== undefined) throw new WatchHit(hit, access);
  }

  /** Executes the next instruction without reporting watchpoints (stepping over a reported hit). */
  private ignoreWatchesOnce = false;

  // ---- execution ----

  /** Executes the instruction at pc; `ignoreWatches` steps over a watchpoint just reported. */
  step(ignoreWatches = false): StepOutcome {
    this.ignoreWatchesOnce = ignoreWatches;
    const pc = this.core.pc;
    let instruction: number;
    try {
      instruction = Number(this.load(pc, 4, 'fetch'));
    } catch (err) {
      if (err instanceof Abort) return { kind: 'exception', exception: { type: 'abort', fault: err.fault, pc } };
      throw err;
    }
    const snapshot = this.exclusive;
    try {
      const outcome = this.execute(instruction, pc);
      this.executed++;
      if (outcome) return outcome;
      return OK;
    } catch (err) {
      this.exclusive = snapshot;
      if (err instanceof Abort) return { kind: 'exception', exception: { type: 'abort', fault: err.fault, pc } };
      if (err instanceof Undefined) return { kind: 'exception', exception: { type: 'undefined', pc, instruction, reason: err.reason } };
      if (err instanceof WatchHit) {
        this.core.pc = pc; // nothing retired: the debugger sees the accessing instruction
        return { kind: 'watch', address: err.address, access: err.access };
      }
      throw err;
    }
  }

  /**
   * Takes `exception` to EL2 as the architecture does: ESR_EL2 (FAR_EL2 for aborts, already
   * latched by the access path), ELR_EL2, SPSR_EL2, PSTATE to EL2h with DAIF masked, and the
   * vector from VBAR_EL2.
   */
  takeException(exception: CpuException): void {
    const core = this.core;
    const from = core.el;
    let esr: bigint | undefined;
    let returnAddress = exception.pc;
    switch (exception.type) {
      case 'abort':
        break; // ESR/FAR latched by the access path when the fault was recorded
      case 'undefined':
        esr = BigInt(((EC.unknown << 26) | (1 << 25)) >>> 0);
        break;
      default:
        esr = BigInt(((EC[exception.type] << 26) | (1 << 25) | exception.imm) >>> 0);
        returnAddress = u64(exception.pc + 4n);
    }
    if (esr !== undefined) this.machine.sysregs.setStored('ESR_EL2', esr);
    this.machine.sysregs.setStored('ELR_EL2', returnAddress);
    this.machine.sysregs.setStored('SPSR_EL2', BigInt(core.cpsr >>> 0));
    const offset = from === 2 ? (core.spSelect === 1 ? 0x200n : 0x0n) : 0x400n;
    core.cpsr = ((core.cpsr & 0xf000_0000) | 0x3c9) >>> 0;
    core.pc = u64((this.machine.sysregs.getStored('VBAR_EL2') & ~0x7ffn) + offset);
    this.exclusive = undefined;
  }

  private execute(i: number, pc: bigint): StepOutcome | undefined {
    const op0 = (i >>> 25) & 0xf;
    if ((op0 & 0xe) === 0x8) return this.dataProcessingImmediate(i, pc);
    if ((op0 & 0xe) === 0xa) return this.branchSystem(i, pc);
    if ((op0 & 0x5) === 0x4) return this.loadStore(i, pc);
    if ((op0 & 0x7) === 0x5) return this.dataProcessingRegister(i, pc);
    if ((op0 & 0x7) === 0x7) throw new Undefined('SIMD and floating-point instructions are not implemented');
    throw new Undefined(i === 0 ? 'UDF (all-zero instruction)' : 'unallocated encoding');
  }

  private next(pc: bigint): undefined {
    this.core.pc = u64(pc + 4n);
    return undefined;
  }

  // ---- data processing (immediate) ----

  private dataProcessingImmediate(i: number, pc: bigint): undefined {
    const op = (i >>> 23) & 0x7;
    const sf = (i >>> 31) === 1;
    const rd = i & 31;
    const rn = (i >>> 5) & 31;
    switch (op) {
      case 0:
      case 1: {
        // ADR / ADRP
        const immlo = BigInt((i >>> 29) & 3);
        const immhi = BigInt((i >>> 5) & 0x7ffff);
        const imm = signExtend((immhi << 2n) | immlo, 21);
        const value = (i >>> 31) === 1 ? (pc & ~0xfffn) + (imm << 12n) : pc + imm;
        this.setX(rd, value, true);
        break;
      }
      case 2: {
        // ADD/SUB (immediate)
        const subtract = ((i >>> 30) & 1) === 1;
        const setFlags = ((i >>> 29) & 1) === 1;
        const shift = (i >>> 22) & 1;
        const imm = BigInt((i >>> 10) & 0xfff) << (shift ? 12n : 0n);
        const a = this.xOrSp(rn, sf);
        const result = subtract ? this.addWithCarry(a, ~imm, 1n, sf, setFlags) : this.addWithCarry(a, imm, 0n, sf, setFlags);
        if (setFlags) this.setX(rd, result, sf);
        else this.setXOrSp(rd, result, sf);
        break;
      }
      case 4: {
        // Logical (immediate)
        const opc = (i >>> 29) & 3;
        const n = (i >>> 22) & 1;
        if (!sf && n) throw new Undefined('logical immediate with N=1 in 32-bit form');
        const mask = decodeBitMasks(n, (i >>> 10) & 63, (i >>> 16) & 63, true, sf ? 64 : 32);
        if (mask === undefined) throw new Undefined('reserved logical immediate');
        const a = this.x(rn, sf);
        const result = opc === 0 || opc === 3 ? a & mask.wmask : opc === 1 ? a | mask.wmask : a ^ mask.wmask;
        if (opc === 3) {
          this.setLogicalFlags(result, sf);
          this.setX(rd, result, sf);
        } else this.setXOrSp(rd, result, sf);
        break;
      }
      case 5: {
        // Move wide (immediate): MOVN, MOVZ, MOVK
        const opc = (i >>> 29) & 3;
        const hw = (i >>> 21) & 3;
        if (!sf && hw > 1) throw new Undefined('move wide with hw > 1 in 32-bit form');
        const shift = BigInt(hw * 16);
        const imm = BigInt((i >>> 5) & 0xffff) << shift;
        if (opc === 0) this.setX(rd, ~imm, sf);
        else if (opc === 2) this.setX(rd, imm, sf);
        else if (opc === 3) this.setX(rd, (this.x(rd, sf) & ~(0xffffn << shift)) | imm, sf);
        else throw new Undefined('unallocated move wide');
        break;
      }
      case 6: {
        // Bitfield: SBFM, BFM, UBFM
        const opc = (i >>> 29) & 3;
        const n = (i >>> 22) & 1;
        if (opc === 3 || n !== (sf ? 1 : 0)) throw new Undefined('unallocated bitfield');
        const datasize = sf ? 64 : 32;
        const immr = (i >>> 16) & 63;
        const imms = (i >>> 10) & 63;
        if (!sf && (immr > 31 || imms > 31)) throw new Undefined('bitfield immediate beyond 31 in 32-bit form');
        const masks = decodeBitMasks(n, imms, immr, false, datasize);
        if (masks === undefined) throw new Undefined('reserved bitfield immediate');
        const src = this.x(rn, sf);
        const dst = opc === 1 ? this.x(rd, sf) : 0n;
        const bits = BigInt(datasize);
        const mask = sf ? M64 : M32;
        const rotated = ((src >> BigInt(immr)) | (src << (bits - BigInt(immr)))) & mask;
        const bot = (dst & ~masks.wmask) | (rotated & masks.wmask);
        let top: bigint;
        if (opc === 0) top = (src >> BigInt(imms)) & 1n ? mask : 0n; // SBFM: replicate the sign bit
        else top = dst; // BFM keeps the destination, UBFM zeroes (dst = 0)
        this.setX(rd, ((top & ~masks.tmask) | (bot & masks.tmask)) & mask, sf);
        break;
      }
      case 7: {
        // EXTR
        const n = (i >>> 22) & 1;
        if (((i >>> 29) & 3) !== 0 || n !== (sf ? 1 : 0)) throw new Undefined('unallocated extract');
        if (!sf && ((i >>> 10) & 63) > 31) throw new Undefined('extract position beyond 31 in 32-bit form');
        const lsb = BigInt((i >>> 10) & 63);
        const rm = (i >>> 16) & 31;
        const bits = sf ? 64n : 32n;
        const mask = sf ? M64 : M32;
        const concat = (this.x(rn, sf) << bits) | this.x(rm, sf);
        this.setX(rd, (concat >> lsb) & mask, sf);
        break;
      }
      default:
        throw new Undefined('unallocated data processing (immediate)');
    }
    return this.next(pc);
  }

  private setLogicalFlags(result: bigint, sf: boolean): void {
    const bits = sf ? 64 : 32;
    this.setNzcv(BigInt.asIntN(bits, result) < 0n, result === 0n, false, false);
  }

  // ---- branches, exception generation, system ----

  // Masks with bit 31 set give negative numbers in JS: compare them as unsigned (>>> 0).
  private branchSystem(i: number, pc: bigint): StepOutcome | undefined {
    const top = i >>> 26;
    if ((top & 0x1f) === 0x05) {
      // B / BL
      const offset = signExtend(BigInt(i & 0x3ff_ffff), 26) << 2n;
      if (top & 0x20) this.core.x[30] = u64(pc + 4n);
      this.core.pc = u64(pc + offset);
      return undefined;
    }
    if ((i & 0xff00_0010) === 0x5400_0000) {
      // B.cond
      const offset = signExtend(BigInt((i >>> 5) & 0x7ffff), 19) << 2n;
      this.core.pc = this.condition(i & 15) ? u64(pc + offset) : u64(pc + 4n);
      return undefined;
    }
    if ((i & 0x7e00_0000) === 0x3400_0000) {
      // CBZ / CBNZ
      const sf = (i >>> 31) === 1;
      const offset = signExtend(BigInt((i >>> 5) & 0x7ffff), 19) << 2n;
      const zero = this.x(i & 31, sf) === 0n;
      const nonzero = ((i >>> 24) & 1) === 1;
      this.core.pc = zero !== nonzero ? u64(pc + offset) : u64(pc + 4n);
      return undefined;
    }
    if ((i & 0x7e00_0000) === 0x3600_0000) {
      // TBZ / TBNZ
      const bit = BigInt(((i >>> 31) << 5) | ((i >>> 19) & 31));
      const offset = signExtend(BigInt((i >>> 5) & 0x3fff), 14) << 2n;
      const set = ((this.x(i & 31, true) >> bit) & 1n) === 1n;
      const nonzero = ((i >>> 24) & 1) === 1;
      this.core.pc = set === nonzero ? u64(pc + offset) : u64(pc + 4n);
      return undefined;
    }
    if (((i & 0xff00_0000) >>> 0) === 0xd400_0000) return this.exceptionGeneration(i, pc);
    if (((i & 0xffc0_0000) >>> 0) === 0xd500_0000) return this.system(i, pc);
    if (((i & 0xfe00_0000) >>> 0) === 0xd600_0000) {
      // Unconditional branch (register): BR, BLR, RET, ERET
      const opc = (i >>> 21) & 15;
      const rn = (i >>> 5) & 31;
      if ((i & 0x001f_fc1f) !== 0x001f_0000 && !(opc === 4 && (i & 0x001f_ffff) === 0x001f_03e0)) throw new Undefined('unallocated branch (register)');
      if (opc === 0 || opc === 2) {
        this.core.pc = this.x(rn, true);
        return undefined;
      }
      if (opc === 1) {
        const target = this.x(rn, true);
        this.core.x[30] = u64(pc + 4n);
        this.core.pc = target;
        return undefined;
      }
      if (opc === 4) return this.eret();
      throw new Undefined('unallocated branch (register)');
    }
    throw new Undefined('unallocated branch/system encoding');
  }

  private exceptionGeneration(i: number, pc: bigint): StepOutcome {
    const opc = (i >>> 21) & 7;
    const ll = i & 3;
    const imm = (i >>> 5) & 0xffff;
    if (opc === 0 && ll === 1) return { kind: 'exception', exception: { type: 'svc', pc, imm } };
    if (opc === 0 && ll === 2) {
      if (this.core.el === 0) throw new Undefined('HVC at EL0');
      return { kind: 'exception', exception: { type: 'hvc', pc, imm } };
    }
    if (opc === 0 && ll === 3) {
      if (this.core.el === 0) throw new Undefined('SMC at EL0');
      return { kind: 'exception', exception: { type: 'smc', pc, imm } };
    }
    if (opc === 1 && ll === 0) return { kind: 'brk', imm };
    throw new Undefined('unallocated exception generation');
  }

  private eret(): undefined {
    const el = this.core.el;
    if (el === 0) throw new Undefined('ERET at EL0');
    const elr = this.machine.sysregs.getStored(el === 2 ? 'ELR_EL2' : 'ELR_EL1');
    const spsr = Number(this.machine.sysregs.getStored(el === 2 ? 'SPSR_EL2' : 'SPSR_EL1') & M32);
    const target = (spsr >>> 2) & 3;
    // An illegal return (to a higher EL, or AArch32) is not modelled: refuse it loudly.
    if (target > el || (spsr & 0x10) !== 0) throw new Undefined(`ERET to an illegal state (SPSR 0x${spsr.toString(16)})`);
    this.core.cpsr = spsr >>> 0;
    this.core.pc = elr;
    this.exclusive = undefined;
    return undefined;
  }

  private system(i: number, pc: bigint): StepOutcome | undefined {
    const l = (i >>> 21) & 1;
    const op0 = (i >>> 19) & 3;
    const op1 = (i >>> 16) & 7;
    const crn = (i >>> 12) & 15;
    const crm = (i >>> 8) & 15;
    const op2 = (i >>> 5) & 7;
    const rt = i & 31;
    if (op0 === 0 && l === 0) {
      if (crn === 2 && rt === 31) {
        // Hints
        const hint = (crm << 3) | op2;
        this.next(pc);
        if (hint === 3) return { kind: 'wait', instruction: 'WFI' };
        if (hint === 2) return { kind: 'wait', instruction: 'WFE' };
        return undefined; // NOP, YIELD, SEV, SEVL and every other hint
      }
      if (crn === 3 && rt === 31) {
        // Barriers and CLREX
        if (op2 === 2) this.exclusive = undefined;
        else if (op2 === 4) this.machine.dsb();
        else if (op2 === 6) this.machine.isb();
        else if (op2 !== 5) throw new Undefined('unallocated barrier');
        return this.next(pc);
      }
      if (crn === 4 && rt === 31) {
        // MSR (immediate): SPSel, DAIFSet, DAIFClr
        if (op1 === 0 && op2 === 5) {
          if (this.core.el === 0) throw new Undefined('MSR SPSel at EL0');
          this.core.cpsr = ((this.core.cpsr & ~1) | (crm & 1)) >>> 0;
        } else if (op1 === 3 && op2 === 6) this.core.cpsr = (this.core.cpsr | (crm << 6)) >>> 0;
        else if (op1 === 3 && op2 === 7) this.core.cpsr = (this.core.cpsr & ~(crm << 6)) >>> 0;
        else throw new Undefined('unsupported MSR (immediate)');
        return this.next(pc);
      }
      throw new Undefined('unallocated system instruction');
    }
    if (op0 === 1) {
      // SYS / SYSL: DC and IC maintenance have no effect on this memory model.
      if (l === 1) throw new Undefined('SYSL is not implemented');
      return this.next(pc);
    }
    // MRS / MSR (register)
    const regnum = ((op0 & 3) << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
    if (l === 1) this.setX(rt, this.mrs(regnum), true);
    else this.msr(regnum, this.x(rt, true));
    return this.next(pc);
  }

  /** Special-purpose registers reached by MRS/MSR but kept in PSTATE. */
  private static readonly NZCV = (3 << 14) | (3 << 11) | (4 << 7) | (2 << 3) | 0;
  private static readonly DAIF = (3 << 14) | (3 << 11) | (4 << 7) | (2 << 3) | 1;
  private static readonly SPSEL = (3 << 14) | (0 << 11) | (4 << 7) | (2 << 3) | 0;

  private mrs(regnum: number): bigint {
    if (regnum === Interpreter.NZCV) return BigInt(this.core.cpsr & 0xf000_0000) & M32;
    if (regnum === Interpreter.DAIF) return BigInt(this.core.cpsr & 0x3c0);
    if (regnum === Interpreter.SPSEL) return BigInt(this.core.cpsr & 1);
    const reg = registerByNumber(regnum);
    if (!reg || reg.encoding === undefined) throw new Undefined(`MRS of an unimplemented system register (encoding 0x${regnum.toString(16)})`);
    if (this.core.el < 2 && reg.name.endsWith('_EL2')) throw new Undefined(`MRS ${reg.name} below EL2`);
    return this.machine.readRegister(reg);
  }

  private msr(regnum: number, value: bigint): void {
    if (regnum === Interpreter.NZCV) {
      this.core.cpsr = ((this.core.cpsr & 0x0fff_ffff) | Number(value & 0xf000_0000n)) >>> 0;
      return;
    }
    if (regnum === Interpreter.DAIF) {
      this.core.cpsr = ((this.core.cpsr & ~0x3c0) | Number(value & 0x3c0n)) >>> 0;
      return;
    }
    if (regnum === Interpreter.SPSEL) {
      this.core.cpsr = ((this.core.cpsr & ~1) | Number(value & 1n)) >>> 0;
      return;
    }
    const reg = registerByNumber(regnum);
    if (!reg || reg.encoding === undefined) throw new Undefined(`MSR to an unimplemented system register (encoding 0x${regnum.toString(16)})`);
    if (this.core.el < 2 && reg.name.endsWith('_EL2')) throw new Undefined(`MSR ${reg.name} below EL2`);
    try {
      this.machine.writeRegister(reg, value, 'core');
    } catch (err) {
      if (err instanceof RegisterAccessError) throw new Undefined(`MSR ${reg.name}: ${err.message}`);
      throw err;
    }
  }

  // ---- loads and stores ----

  private loadStore(i: number, pc: bigint): undefined {
    const op0 = i >>> 28;
    const op1 = (i >>> 26) & 1; // V: SIMD&FP
    const op2 = (i >>> 23) & 3;
    const op3 = (i >>> 16) & 0x3f;
    const op4 = (i >>> 10) & 3;
    if (op1 === 1) throw new Undefined('SIMD and floating-point loads and stores are not implemented');
    if ((op0 & 0x3) === 0 && op2 < 2) return this.loadStoreExclusive(i, pc);
    if ((op0 & 0x3) === 1 && op2 < 2) return this.loadLiteral(i, pc);
    if ((op0 & 0x3) === 2) return this.loadStorePair(i, pc, op2);
    if ((op0 & 0x3) === 3) {
      if (op2 >= 2) return this.loadStoreUnsignedOffset(i, pc);
      if ((op3 & 0x20) === 0) return this.loadStoreUnscaled(i, pc, op4);
      if (op4 === 2) return this.loadStoreRegisterOffset(i, pc);
    }
    throw new Undefined('unallocated or unimplemented load/store');
  }

  /** size/opc of the load/store register forms: what to do and how wide. */
  private registerAccess(i: number): { size: number; load: boolean; signed: boolean; regSf: boolean } | 'prefetch' {
    const size = 1 << (i >>> 30);
    const opc = (i >>> 22) & 3;
    if (opc === 0) return { size, load: false, signed: false, regSf: size === 8 };
    if (opc === 1) return { size, load: true, signed: false, regSf: size === 8 };
    if (size === 8) {
      if (opc === 2) return 'prefetch';
      throw new Undefined('unallocated load/store size');
    }
    if (size === 4 && opc === 3) throw new Undefined('unallocated load/store size');
    return { size, load: true, signed: true, regSf: opc === 2 };
  }

  private transfer(i: number, address: bigint): void {
    const access = this.registerAccess(i);
    if (access === 'prefetch') return;
    const rt = i & 31;
    if (access.load) {
      let value = this.load(address, access.size);
      if (access.signed) value = u64(signExtend(value, access.size * 8));
      this.setX(rt, value, access.regSf);
    } else this.store(address, access.size, this.x(rt, true));
  }

  private loadStoreUnsignedOffset(i: number, pc: bigint): undefined {
    const scale = BigInt(i >>> 30);
    const offset = BigInt((i >>> 10) & 0xfff) << scale;
    this.transfer(i, u64(this.xOrSp((i >>> 5) & 31, true) + offset));
    return this.next(pc);
  }

  private loadStoreUnscaled(i: number, pc: bigint, mode: number): undefined {
    const rn = (i >>> 5) & 31;
    const imm = signExtend(BigInt((i >>> 12) & 0x1ff), 9);
    const base = this.xOrSp(rn, true);
    if (mode === 0 || mode === 2) {
      // LDUR/STUR (and LDTR/STTR, treated as ordinary accesses); PRFM has no unprivileged form.
      if (mode === 2 && this.registerAccess(i) === 'prefetch') throw new Undefined('unallocated unprivileged prefetch');
      this.transfer(i, u64(base + imm));
    } else {
      // Post-index (1) or pre-index (3), with writeback; PRFM has no such form.
      if (this.registerAccess(i) === 'prefetch') throw new Undefined('unallocated prefetch with writeback');
      const address = mode === 3 ? u64(base + imm) : base;
      this.transfer(i, address);
      this.setXOrSp(rn, u64(base + imm), true);
    }
    return this.next(pc);
  }

  private loadStoreRegisterOffset(i: number, pc: bigint): undefined {
    const option = (i >>> 13) & 7;
    if ((option & 2) === 0) throw new Undefined('reserved register-offset extend');
    const s = (i >>> 12) & 1;
    const rm = (i >>> 16) & 31;
    const offset = this.extendRegister(rm, option, s ? i >>> 30 : 0);
    this.transfer(i, u64(this.xOrSp((i >>> 5) & 31, true) + offset));
    return this.next(pc);
  }

  private loadLiteral(i: number, pc: bigint): undefined {
    const opc = i >>> 30;
    const address = u64(pc + (signExtend(BigInt((i >>> 5) & 0x7ffff), 19) << 2n));
    const rt = i & 31;
    if (opc === 0) this.setX(rt, this.load(address, 4), false);
    else if (opc === 1) this.setX(rt, this.load(address, 8), true);
    else if (opc === 2) this.setX(rt, u64(signExtend(this.load(address, 4), 32)), true);
    // opc 3: PRFM (literal), no effect
    return this.next(pc);
  }

  private loadStorePair(i: number, pc: bigint, mode: number): undefined {
    const opc = i >>> 30;
    const load = ((i >>> 22) & 1) === 1;
    if (opc === 3 || (opc === 1 && !load)) throw new Undefined('unallocated load/store pair');
    const size = opc === 2 ? 8 : 4;
    const signed = opc === 1;
    const rt = i & 31;
    const rt2 = (i >>> 10) & 31;
    const rn = (i >>> 5) & 31;
    const imm = signExtend(BigInt((i >>> 15) & 0x7f), 7) * BigInt(size);
    const base = this.xOrSp(rn, true);
    // mode: 0 no-allocate (offset), 1 post-index, 2 offset, 3 pre-index
    const address = mode === 1 ? base : u64(base + imm);
    const second = u64(address + BigInt(size));
    if (load) {
      let a = this.load(address, size);
      let b = this.load(second, size);
      if (signed) {
        a = u64(signExtend(a, 32));
        b = u64(signExtend(b, 32));
      }
      this.setX(rt, a, size === 8 || signed);
      this.setX(rt2, b, size === 8 || signed);
    } else {
      const a = this.x(rt, true);
      const b = this.x(rt2, true);
      this.store(address, size, a);
      this.store(second, size, b);
    }
    if (mode === 1 || mode === 3) this.setXOrSp(rn, u64(base + imm), true);
    return this.next(pc);
  }

  private loadStoreExclusive(i: number, pc: bigint): undefined {
    const size = 1 << (i >>> 30);
    const o2 = (i >>> 23) & 1;
    const l = (i >>> 22) & 1;
    const o1 = (i >>> 21) & 1;
    const rs = (i >>> 16) & 31;
    const rt2 = (i >>> 10) & 31;
    const rn = (i >>> 5) & 31;
    const rt = i & 31;
    const address = this.xOrSp(rn, true);
    if (Number(address) % size !== 0) {
      // Exclusive and acquire/release accesses must be aligned whatever SCTLR.A says.
      const probe = this.machine.check({ address: Number(address), size, kind: l ? 'read' : 'write', el: this.machine.currentEl }, 'core');
      if (probe) throw new Abort(probe);
      throw new Undefined('unaligned exclusive or ordered access (alignment fault not modelled here)');
    }
    if (o2 === 1) {
      // LDAR/STLR and their LDLAR/STLLR forms: ordinary accesses in this single-core model.
      if (o1 === 1) throw new Undefined('compare-and-swap is not implemented');
      if (l) this.setX(rt, this.load(address, size), size === 8);
      else this.store(address, size, this.x(rt, true));
      return this.next(pc);
    }
    const pair = o1 === 1;
    if (pair && size < 4) throw new Undefined('unallocated exclusive pair');
    const total = pair ? size * 2 : size;
    if (l) {
      const a = this.load(address, size);
      this.setX(rt, a, size === 8);
      if (pair) this.setX(rt2, this.load(u64(address + BigInt(size)), size), size === 8);
      this.exclusive = { address: Number(address), size: total };
    } else {
      const monitor = this.exclusive;
      const ok = monitor !== undefined && monitor.address === Number(address) && monitor.size === total;
      if (ok) {
        this.store(address, size, this.x(rt, true));
        if (pair) this.store(u64(address + BigInt(size)), size, this.x(rt2, true));
      }
      this.exclusive = undefined;
      this.setX(rs, ok ? 0n : 1n, false);
    }
    return this.next(pc);
  }

  // ---- data processing (register) ----

  private extendRegister(rm: number, option: number, shift: number): bigint {
    const value = this.x(rm, true);
    let extended: bigint;
    switch (option) {
      case 0: extended = value & 0xffn; break;
      case 1: extended = value & 0xffffn; break;
      case 2: extended = value & M32; break;
      case 3: extended = value; break;
      case 4: extended = u64(signExtend(value & 0xffn, 8)); break;
      case 5: extended = u64(signExtend(value & 0xffffn, 16)); break;
      case 6: extended = u64(signExtend(value & M32, 32)); break;
      default: extended = value;
    }
    return u64(extended << BigInt(shift));
  }

  private shiftRegister(value: bigint, type: number, amount: number, sf: boolean): bigint {
    const bits = sf ? 64 : 32;
    const mask = sf ? M64 : M32;
    const n = BigInt(amount);
    switch (type) {
      case 0: return (value << n) & mask;
      case 1: return (value & mask) >> n;
      case 2: return BigInt.asUintN(bits, BigInt.asIntN(bits, value) >> n);
      default: return n === 0n ? value & mask : (((value & mask) >> n) | (value << (BigInt(bits) - n))) & mask;
    }
  }

  private dataProcessingRegister(i: number, pc: bigint): undefined {
    const sf = (i >>> 31) === 1;
    const op1 = (i >>> 28) & 1;
    const op2 = (i >>> 21) & 15;
    const rd = i & 31;
    const rn = (i >>> 5) & 31;
    const rm = (i >>> 16) & 31;
    if (op1 === 0) {
      if ((op2 & 8) === 0) {
        // Logical (shifted register)
        const shift = (i >>> 22) & 3;
        const amount = (i >>> 10) & 63;
        if (!sf && amount > 31) throw new Undefined('shift amount too large for 32-bit form');
        let b = this.shiftRegister(this.x(rm, sf), shift, amount, sf);
        if ((i >>> 21) & 1) b = ~b & (sf ? M64 : M32);
        const a = this.x(rn, sf);
        const opc = (i >>> 29) & 3;
        const result = opc === 0 || opc === 3 ? a & b : opc === 1 ? a | b : a ^ b;
        if (opc === 3) this.setLogicalFlags(result, sf);
        this.setX(rd, result, sf);
        return this.next(pc);
      }
      // Add/subtract (shifted or extended register)
      const subtract = ((i >>> 30) & 1) === 1;
      const setFlags = ((i >>> 29) & 1) === 1;
      let a: bigint;
      let b: bigint;
      const extended = ((i >>> 21) & 1) === 1;
      if (extended) {
        const imm3 = (i >>> 10) & 7;
        if (imm3 > 4) throw new Undefined('reserved extend shift');
        a = this.xOrSp(rn, sf);
        b = this.extendRegister(rm, (i >>> 13) & 7, imm3) & (sf ? M64 : M32);
      } else {
        const shift = (i >>> 22) & 3;
        const amount = (i >>> 10) & 63;
        if (shift === 3 || (!sf && amount > 31)) throw new Undefined('reserved add/sub shift');
        a = this.x(rn, sf);
        b = this.shiftRegister(this.x(rm, sf), shift, amount, sf);
      }
      const mask = sf ? M64 : M32;
      const result = subtract ? this.addWithCarry(a, ~b & mask, 1n, sf, setFlags) : this.addWithCarry(a, b, 0n, sf, setFlags);
      if (extended && !setFlags) this.setXOrSp(rd, result, sf);
      else this.setX(rd, result, sf);
      return this.next(pc);
    }
    switch (op2) {
      case 0: {
        // ADC/SBC(S)
        const subtract = ((i >>> 30) & 1) === 1;
        const setFlags = ((i >>> 29) & 1) === 1;
        const carry = (this.nzcv & 2) !== 0 ? 1n : 0n;
        const mask = sf ? M64 : M32;
        const b = subtract ? ~this.x(rm, sf) & mask : this.x(rm, sf);
        this.setX(rd, this.addWithCarry(this.x(rn, sf), b, carry, sf, setFlags), sf);
        return this.next(pc);
      }
      case 2: {
        // Conditional compare (register or immediate)
        if (((i >>> 29) & 1) === 0) throw new Undefined('unallocated conditional compare');
        const subtract = ((i >>> 30) & 1) === 1;
        const immediate = ((i >>> 11) & 1) === 1;
        const cond = (i >>> 12) & 15;
        if (this.condition(cond)) {
          const mask = sf ? M64 : M32;
          const b = immediate ? BigInt(rm) : this.x(rm, sf);
          if (subtract) this.addWithCarry(this.x(rn, sf), ~b & mask, 1n, sf, true);
          else this.addWithCarry(this.x(rn, sf), b, 0n, sf, true);
        } else {
          const flags = i & 15;
          this.setNzcv((flags & 8) !== 0, (flags & 4) !== 0, (flags & 2) !== 0, (flags & 1) !== 0);
        }
        return this.next(pc);
      }
      case 4: {
        // Conditional select: CSEL, CSINC, CSINV, CSNEG
        const op = (i >>> 30) & 1;
        const o2 = (i >>> 10) & 3;
        const mask = sf ? M64 : M32;
        let result: bigint;
        if (this.condition((i >>> 12) & 15)) result = this.x(rn, sf);
        else {
          const b = this.x(rm, sf);
          if (op === 0 && o2 === 0) result = b;
          else if (op === 0 && o2 === 1) result = (b + 1n) & mask;
          else if (op === 1 && o2 === 0) result = ~b & mask;
          else if (op === 1 && o2 === 1) result = (~b + 1n) & mask;
          else throw new Undefined('unallocated conditional select');
        }
        this.setX(rd, result, sf);
        return this.next(pc);
      }
      case 6:
        return ((i >>> 30) & 1) === 1 ? this.oneSource(i, pc, sf) : this.twoSource(i, pc, sf);
      default:
        if (op2 >= 8) return this.threeSource(i, pc, sf);
        throw new Undefined('unallocated data processing (register)');
    }
  }

  private oneSource(i: number, pc: bigint, sf: boolean): undefined {
    const opcode = (i >>> 10) & 0x3f;
    const value = this.x((i >>> 5) & 31, sf);
    const bits = sf ? 64 : 32;
    let result: bigint;
    const reverseBytes = (v: bigint, width: number, container: number): bigint => {
      let out = 0n;
      for (let c = 0; c < width; c += container) {
        const chunk = (v >> BigInt(c)) & ((1n << BigInt(container)) - 1n);
        let reversed = 0n;
        for (let b = 0; b < container; b += 8) reversed = (reversed << 8n) | ((chunk >> BigInt(b)) & 0xffn);
        out |= reversed << BigInt(c);
      }
      return out;
    };
    switch (opcode) {
      case 0: {
        result = 0n;
        for (let b = 0; b < bits; b++) if ((value >> BigInt(b)) & 1n) result |= 1n << BigInt(bits - 1 - b);
        break;
      }
      case 1: result = reverseBytes(value, bits, 16); break;
      case 2: result = sf ? reverseBytes(value, 64, 32) : reverseBytes(value, 32, 32); break;
      case 3:
        if (!sf) throw new Undefined('REV with opc 11 in 32-bit form');
        result = reverseBytes(value, 64, 64);
        break;
      case 4: {
        let n = 0;
        while (n < bits && ((value >> BigInt(bits - 1 - n)) & 1n) === 0n) n++;
        result = BigInt(n);
        break;
      }
      case 5: {
        const sign = (value >> BigInt(bits - 1)) & 1n;
        let n = 0;
        while (n < bits - 1 && ((value >> BigInt(bits - 2 - n)) & 1n) === sign) n++;
        result = BigInt(n);
        break;
      }
      default:
        throw new Undefined('unimplemented data processing (1 source)');
    }
    this.setX(i & 31, result, sf);
    return this.next(pc);
  }

  private twoSource(i: number, pc: bigint, sf: boolean): undefined {
    const opcode = (i >>> 10) & 0x3f;
    const a = this.x((i >>> 5) & 31, sf);
    const b = this.x((i >>> 16) & 31, sf);
    const bits = sf ? 64 : 32;
    let result: bigint;
    switch (opcode) {
      case 2:
        result = b === 0n ? 0n : a / b;
        break;
      case 3: {
        const sa = BigInt.asIntN(bits, a);
        const sb = BigInt.asIntN(bits, b);
        // Division by zero gives 0; the one overflowing case wraps (both as the Arm ARM says).
        result = sb === 0n ? 0n : BigInt.asUintN(bits, sa / sb);
        break;
      }
      case 8:
      case 9:
      case 10:
      case 11:
        result = this.shiftRegister(a, opcode - 8, Number(b % BigInt(bits)), sf);
        break;
      default:
        throw new Undefined('unimplemented data processing (2 source)');
    }
    this.setX(i & 31, result, sf);
    return this.next(pc);
  }

  private threeSource(i: number, pc: bigint, sf: boolean): undefined {
    const op31 = (i >>> 21) & 7;
    const o0 = (i >>> 15) & 1;
    const rn = (i >>> 5) & 31;
    const rm = (i >>> 16) & 31;
    const ra = (i >>> 10) & 31;
    const rd = i & 31;
    let result: bigint;
    if (op31 === 0) {
      const product = this.x(rn, sf) * this.x(rm, sf);
      result = o0 ? this.x(ra, sf) - product : this.x(ra, sf) + product;
      this.setX(rd, result, sf);
      return this.next(pc);
    }
    if (!sf) throw new Undefined('unallocated 3-source form');
    if (op31 === 1 || op31 === 5) {
      // SMADDL/SMSUBL, UMADDL/UMSUBL
      const signed = op31 === 1;
      const a = signed ? signExtend(this.x(rn, true) & M32, 32) : this.x(rn, true) & M32;
      const b = signed ? signExtend(this.x(rm, true) & M32, 32) : this.x(rm, true) & M32;
      result = o0 ? this.x(ra, true) - a * b : this.x(ra, true) + a * b;
    } else if (op31 === 2 || op31 === 6) {
      // SMULH / UMULH
      const signed = op31 === 2;
      const a = signed ? BigInt.asIntN(64, this.x(rn, true)) : this.x(rn, true);
      const b = signed ? BigInt.asIntN(64, this.x(rm, true)) : this.x(rm, true);
      result = (a * b) >> 64n;
    } else throw new Undefined('unallocated 3-source form');
    this.setX(rd, result, true);
    return this.next(pc);
  }
}

const OK: StepOutcome = { kind: 'ok' };
const LIMIT: RunOutcome = { kind: 'limit' };
const BREAKPOINT: RunOutcome = { kind: 'breakpoint' };

/** A breakpoint after the block's first instruction: the block must not run past it. */
function breakpointInside(block: Block, breakpoints: ReadonlySet<number>): boolean {
  const end = block.start + block.length * 4;
  for (const address of breakpoints) if (address > block.start && address < end) return true;
  return false;
}
