// The interpreter's back end: executes one decoded instruction (decode.ts) on the core's
// state, registers as BigInts, every load and store through the machine's one checked
// access path, so the MPU decides exactly as it does for the debugger. One case per member
// of the instruction union; the type checker insists that every member has one.
//
// An instruction that does not simply complete says so by its return value (an exception to
// take, a wait, a BRK) or by throwing Abort, Undefined or WatchHit (outcomes.ts), which the
// interpreter's `step()` turns into the outcome the debugger sees, with nothing retired.
// MRS/MSR and ERET are in systemInstructions.ts; the atomics' arithmetic and access rules in
// atomics.ts; the SIMD&FP instructions in simdFp.ts (which reaches the general registers and
// checked memory through this class's x/setX/xOrSp/setXOrSp/load/store).

import { register } from '../../arch/aarch64/registers.js';
import type { AccessKind } from '../access.js';
import type { Machine } from '../machine.js';
import {
  conditionHolds, countLeadingSignBits, countLeadingZeros, extendValue, logical, M32, M64,
  reverseBits, reverseBytes, shiftValue, signExtend, u64,
} from './bigintAlu.js';
import { atomicResult, blockWriteFault, latchFault, readWriteFault } from './atomics.js';
import { unhandled, type Instruction, type InstructionOf } from './decode.js';
import { hvcEnabled, smcTrapped } from './exceptionRouting.js';
import { checkCacheMaintenance, checkEl0DaifImmediate, checkEl0DcZva, checkEl0RegisterAccess, checkWaitTrap } from './instructionTraps.js';
import { Abort, Undefined, WatchHit, type StepOutcome, type WatchSet } from './outcomes.js';
import { addressTranslate } from './addressTranslate.js';
import { executeSimdFp, type GeneralAccess } from './simdFp.js';
import { exceptionReturn, msrImmediate, readSystemRegister, writeSystemRegister } from './systemInstructions.js';

const BITFIELD_OPC = { sbfm: 0, bfm: 1, ubfm: 2 } as const;
/** Zeros for DC ZVA (DCZID_EL0.BS is at most 9: 2 KiB blocks). */
const ZEROS = new Uint8Array(2048);
const DCZID_EL0 = register('DCZID_EL0');
const HCR_EL2 = register('HCR_EL2');

export class Executor implements GeneralAccess {
  /** The exclusive monitor: address and size of the last LDXR/LDAXR, or none. */
  exclusive: { address: number; size: number } | undefined;
  /** Executes the next instruction without reporting watchpoints (stepping over a reported hit). */
  ignoreWatchesOnce = false;

  constructor(
    private readonly machine: Machine,
    private readonly watches?: WatchSet,
  ) {}

  private get core() {
    return this.machine.core;
  }

  /** Executes `insn`, fetched from `pc`; pc moves on unless it returns an outcome that says otherwise. */
  execute(insn: Instruction, pc: bigint): StepOutcome | undefined {
    switch (insn.kind) {
      // ---- data processing (immediate) ----
      case 'adr':
        this.setX(insn.rd, (insn.page ? pc & ~0xfffn : pc) + BigInt(insn.offset), true);
        return this.next(pc);
      case 'add-imm': {
        const { sf, setFlags } = insn;
        const imm = BigInt(insn.imm);
        const a = this.xOrSp(insn.rn, sf);
        const result = insn.sub ? this.addWithCarry(a, ~imm, 1n, sf, setFlags) : this.addWithCarry(a, imm, 0n, sf, setFlags);
        if (setFlags) this.setX(insn.rd, result, sf);
        else this.setXOrSp(insn.rd, result, sf);
        return this.next(pc);
      }
      case 'logical-imm': {
        const result = logical(insn.op, this.x(insn.rn, insn.sf), insn.mask);
        if (insn.op === 'ands') {
          this.setLogicalFlags(result, insn.sf);
          this.setX(insn.rd, result, insn.sf);
        } else this.setXOrSp(insn.rd, result, insn.sf);
        return this.next(pc);
      }
      case 'move-wide': {
        const shift = BigInt(insn.shift);
        const imm = BigInt(insn.imm16) << shift;
        const { rd, sf } = insn;
        if (insn.op === 'movn') this.setX(rd, ~imm, sf);
        else if (insn.op === 'movz') this.setX(rd, imm, sf);
        else this.setX(rd, (this.x(rd, sf) & ~(0xffffn << shift)) | imm, sf);
        return this.next(pc);
      }
      case 'bitfield':
        this.bitfield(insn);
        return this.next(pc);
      case 'extract': {
        const bits = insn.sf ? 64n : 32n;
        const concat = (this.x(insn.rn, insn.sf) << bits) | this.x(insn.rm, insn.sf);
        this.setX(insn.rd, (concat >> BigInt(insn.lsb)) & (insn.sf ? M64 : M32), insn.sf);
        return this.next(pc);
      }
      // ---- data processing (register) ----
      case 'logical-shifted': {
        const { sf } = insn;
        let b = shiftValue(this.x(insn.rm, sf), insn.shift, insn.amount, sf);
        if (insn.invert) b = ~b & (sf ? M64 : M32);
        const result = logical(insn.op, this.x(insn.rn, sf), b);
        if (insn.op === 'ands') this.setLogicalFlags(result, sf);
        this.setX(insn.rd, result, sf);
        return this.next(pc);
      }
      case 'add-shifted': {
        const { sf } = insn;
        const b = shiftValue(this.x(insn.rm, sf), insn.shift, insn.amount, sf);
        this.setX(insn.rd, this.addOrSubtract(this.x(insn.rn, sf), b, insn.sub, sf, insn.setFlags), sf);
        return this.next(pc);
      }
      case 'add-extended': {
        const { sf } = insn;
        const b = extendValue(this.x(insn.rm, true), insn.extend, insn.amount) & (sf ? M64 : M32);
        const result = this.addOrSubtract(this.xOrSp(insn.rn, sf), b, insn.sub, sf, insn.setFlags);
        if (insn.setFlags) this.setX(insn.rd, result, sf);
        else this.setXOrSp(insn.rd, result, sf);
        return this.next(pc);
      }
      case 'add-carry': {
        const { sf } = insn;
        const carry = (this.nzcv & 2) !== 0 ? 1n : 0n;
        const b = insn.sub ? ~this.x(insn.rm, sf) & (sf ? M64 : M32) : this.x(insn.rm, sf);
        this.setX(insn.rd, this.addWithCarry(this.x(insn.rn, sf), b, carry, sf, insn.setFlags), sf);
        return this.next(pc);
      }
      case 'cond-compare': {
        const { sf } = insn;
        if (conditionHolds(insn.cond, this.nzcv)) {
          const b = insn.immediate ? BigInt(insn.operand) : this.x(insn.operand, sf);
          this.addOrSubtract(this.x(insn.rn, sf), b, insn.sub, sf, true);
        } else this.setNzcvBits(insn.nzcv);
        return this.next(pc);
      }
      case 'cond-select': {
        const { sf } = insn;
        const mask = sf ? M64 : M32;
        let result: bigint;
        if (conditionHolds(insn.cond, this.nzcv)) result = this.x(insn.rn, sf);
        else {
          const b = this.x(insn.rm, sf);
          if (insn.op === 'csel') result = b;
          else if (insn.op === 'csinc') result = (b + 1n) & mask;
          else if (insn.op === 'csinv') result = ~b & mask;
          else result = (~b + 1n) & mask;
        }
        this.setX(insn.rd, result, sf);
        return this.next(pc);
      }
      case 'one-source':
        this.setX(insn.rd, oneSource(insn, this.x(insn.rn, insn.sf)), insn.sf);
        return this.next(pc);
      case 'divide': {
        const { sf } = insn;
        const a = this.x(insn.rn, sf);
        const b = this.x(insn.rm, sf);
        const bits = sf ? 64 : 32;
        // Division by zero gives 0; the one overflowing signed case wraps (both as the Arm ARM says).
        if (!insn.signed) this.setX(insn.rd, b === 0n ? 0n : a / b, sf);
        else {
          const sb = BigInt.asIntN(bits, b);
          this.setX(insn.rd, sb === 0n ? 0n : BigInt.asUintN(bits, BigInt.asIntN(bits, a) / sb), sf);
        }
        return this.next(pc);
      }
      case 'shift-variable': {
        const { sf } = insn;
        const amount = Number(this.x(insn.rm, sf) % (sf ? 64n : 32n));
        this.setX(insn.rd, shiftValue(this.x(insn.rn, sf), insn.shift, amount, sf), sf);
        return this.next(pc);
      }
      case 'multiply-add': {
        const { sf } = insn;
        const product = this.x(insn.rn, sf) * this.x(insn.rm, sf);
        this.setX(insn.rd, insn.sub ? this.x(insn.ra, sf) - product : this.x(insn.ra, sf) + product, sf);
        return this.next(pc);
      }
      case 'multiply-add-long': {
        const widen = (value: bigint): bigint => (insn.signed ? signExtend(value & M32, 32) : value & M32);
        const product = widen(this.x(insn.rn, true)) * widen(this.x(insn.rm, true));
        this.setX(insn.rd, insn.sub ? this.x(insn.ra, true) - product : this.x(insn.ra, true) + product, true);
        return this.next(pc);
      }
      case 'multiply-high': {
        const operand = (value: bigint): bigint => (insn.signed ? BigInt.asIntN(64, value) : value);
        this.setX(insn.rd, (operand(this.x(insn.rn, true)) * operand(this.x(insn.rm, true))) >> 64n, true);
        return this.next(pc);
      }
      // ---- loads and stores ----
      case 'load-store-imm': {
        const base = this.xOrSp(insn.rn, true);
        const moved = u64(base + BigInt(insn.imm));
        this.transfer(insn, insn.index === 'post' ? base : moved);
        if (insn.index !== 'offset') this.setXOrSp(insn.rn, moved, true);
        return this.next(pc);
      }
      case 'load-store-register': {
        const offset = extendValue(this.x(insn.rm, true), insn.extend, insn.shift);
        this.transfer(insn, u64(this.xOrSp(insn.rn, true) + offset));
        return this.next(pc);
      }
      case 'load-literal': {
        const value = this.load(u64(pc + BigInt(insn.offset)), insn.size);
        if (insn.signed) this.setX(insn.rt, u64(signExtend(value, 32)), true);
        else this.setX(insn.rt, value, insn.size === 8);
        return this.next(pc);
      }
      case 'load-store-pair':
        this.pair(insn);
        return this.next(pc);
      case 'exclusive':
        this.exclusiveAccess(insn);
        return this.next(pc);
      case 'ordered': {
        // LDAR/STLR and their LDLAR/STLLR forms: ordinary accesses in this single-core model.
        const address = this.alignedAddress(insn.rn, insn.size, insn.load);
        if (insn.load) this.setX(insn.rt, this.load(address, insn.size), insn.size === 8);
        else this.store(address, insn.size, this.x(insn.rt, true));
        return this.next(pc);
      }
      case 'atomic':
        this.atomic(insn);
        return this.next(pc);
      case 'compare-swap':
        this.compareSwap(insn);
        return this.next(pc);
      case 'fp-load-store':
      case 'fp-load-literal':
      case 'fp-load-store-pair':
      case 'fp-move-general':
      case 'simd-integer':
        executeSimdFp(this.machine, this, insn, pc);
        return this.next(pc);
      // ---- branches ----
      case 'branch':
        if (insn.link) this.core.x[30] = u64(pc + 4n);
        this.core.pc = u64(pc + BigInt(insn.offset));
        return undefined;
      case 'branch-cond':
        return this.branchIf(conditionHolds(insn.cond, this.nzcv), pc, insn.offset);
      case 'compare-branch':
        return this.branchIf((this.x(insn.rt, insn.sf) === 0n) !== insn.nonzero, pc, insn.offset);
      case 'test-branch': {
        const set = ((this.x(insn.rt, true) >> BigInt(insn.bit)) & 1n) === 1n;
        return this.branchIf(set === insn.nonzero, pc, insn.offset);
      }
      case 'branch-register': {
        const target = this.x(insn.rn, true);
        if (insn.link) this.core.x[30] = u64(pc + 4n);
        this.core.pc = target;
        return undefined;
      }
      case 'eret':
        exceptionReturn(this.machine);
        this.exclusive = undefined;
        return undefined;
      // ---- exception generation and system ----
      case 'exception-call':
        if (insn.call === 'hvc' && !hvcEnabled(this.machine.currentEl, this.machine.sysregs.read(HCR_EL2.regnum))) {
          throw new Undefined(`HVC at EL${this.core.el}: UNDEFINED at EL0, and wherever HCR_EL2.HCD disables it`);
        }
        if (insn.call === 'smc' && !smcTrapped(this.machine.currentEl, this.machine.sysregs.read(HCR_EL2.regnum))) {
          throw new Undefined(`SMC at EL${this.core.el}: there is no EL3, and HCR_EL2.TSC does not trap it to EL2`);
        }
        return { kind: 'exception', exception: { type: insn.call, pc, imm: insn.imm } };
      case 'brk':
        return { kind: 'brk', imm: insn.imm };
      case 'address-translate':
        addressTranslate(this.machine, insn, this.x(insn.rt, true));
        return this.next(pc);
      case 'dc-zva':
        checkEl0DcZva(this.machine, insn.rt);
        this.zeroBlock(this.x(insn.rt, true));
        return this.next(pc);
      case 'sys': // DC and IC maintenance have no effect on this memory model, once allowed
        checkCacheMaintenance(this.machine, insn.op1, insn.crn, insn.crm, insn.op2, insn.rt);
        return this.next(pc);
      case 'hint':
      case 'prefetch':
        return this.next(pc);
      case 'wait':
        checkWaitTrap(this.machine, insn.instruction);
        this.next(pc);
        return { kind: 'wait', instruction: insn.instruction };
      case 'barrier':
        if (insn.barrier === 'dsb') this.machine.dsb();
        else if (insn.barrier === 'isb') this.machine.isb();
        return this.next(pc);
      case 'clrex':
        this.exclusive = undefined;
        return this.next(pc);
      case 'msr-imm':
        if (insn.field !== 'spsel') checkEl0DaifImmediate(this.machine, insn.field === 'daifset' ? 6 : 7, insn.imm);
        msrImmediate(this.machine, insn);
        return this.next(pc);
      case 'mrs':
        checkEl0RegisterAccess(this.machine, insn.regnum, insn.rt, true);
        this.setX(insn.rt, readSystemRegister(this.machine, insn.regnum), true);
        return this.next(pc);
      case 'msr':
        checkEl0RegisterAccess(this.machine, insn.regnum, insn.rt, false);
        writeSystemRegister(this.machine, insn.regnum, this.x(insn.rt, true));
        return this.next(pc);
      case 'undefined':
        throw new Undefined(insn.reason);
      default:
        return unhandled(insn);
    }
  }

  private next(pc: bigint): undefined {
    this.core.pc = u64(pc + 4n);
    return undefined;
  }

  private branchIf(taken: boolean, pc: bigint, offset: number): undefined {
    this.core.pc = u64(taken ? pc + BigInt(offset) : pc + 4n);
    return undefined;
  }

  // ---- registers ----

  x(n: number, sf: boolean): bigint {
    if (n === 31) return 0n;
    const v = this.core.x[n]!;
    return sf ? v : v & M32;
  }

  setX(n: number, value: bigint, sf: boolean): void {
    if (n === 31) return;
    this.core.x[n] = sf ? u64(value) : value & M32;
  }

  xOrSp(n: number, sf: boolean): bigint {
    if (n !== 31) return this.x(n, sf);
    const sp = this.machine.readStackPointer();
    return sf ? sp : sp & M32;
  }

  setXOrSp(n: number, value: bigint, sf: boolean): void {
    if (n !== 31) return this.setX(n, value, sf);
    this.machine.writeStackPointer(sf ? u64(value) : value & M32);
  }

  private get nzcv(): number {
    return (this.core.cpsr >>> 28) & 0xf;
  }

  private setNzcvBits(nzcv: number): void {
    this.core.cpsr = ((this.core.cpsr & 0x0fff_ffff) | (nzcv << 28)) >>> 0;
  }

  private setNzcv(n: boolean, z: boolean, c: boolean, v: boolean): void {
    this.setNzcvBits((n ? 8 : 0) | (z ? 4 : 0) | (c ? 2 : 0) | (v ? 1 : 0));
  }

  private setLogicalFlags(result: bigint, sf: boolean): void {
    this.setNzcv(BigInt.asIntN(sf ? 64 : 32, result) < 0n, result === 0n, false, false);
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

  /** a + b, or a - b as a + ~b + 1. */
  private addOrSubtract(a: bigint, b: bigint, sub: boolean, sf: boolean, setFlags: boolean): bigint {
    return sub ? this.addWithCarry(a, ~b & (sf ? M64 : M32), 1n, sf, setFlags) : this.addWithCarry(a, b, 0n, sf, setFlags);
  }

  private bitfield(insn: InstructionOf<'bitfield'>): void {
    const { sf, immr, imms, wmask, tmask } = insn;
    const opc = BITFIELD_OPC[insn.op];
    const src = this.x(insn.rn, sf);
    const dst = opc === 1 ? this.x(insn.rd, sf) : 0n;
    const bits = BigInt(sf ? 64 : 32);
    const mask = sf ? M64 : M32;
    const rotated = ((src >> BigInt(immr)) | (src << (bits - BigInt(immr)))) & mask;
    const bot = (dst & ~wmask) | (rotated & wmask);
    // SBFM replicates the sign bit (imms); BFM keeps the destination, UBFM zeroes it (dst = 0).
    const top = opc === 0 ? ((src >> BigInt(imms)) & 1n ? mask : 0n) : dst;
    this.setX(insn.rd, ((top & ~tmask) | (bot & tmask)) & mask, sf);
  }

  // ---- memory ----

  load(address: bigint, size: number, kind: AccessKind = 'read'): bigint {
    if (kind !== 'fetch') this.checkWatch(Number(address), size, 'read');
    const fault = this.machine.coreLoad(Number(address), size as 1 | 2 | 4 | 8, kind);
    if (fault) throw new Abort(fault);
    return this.machine.loaded;
  }

  store(address: bigint, size: number, value: bigint): void {
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

  /** A single-register load or store at `address`. */
  private transfer(insn: InstructionOf<'load-store-imm' | 'load-store-register'>, address: bigint): void {
    if (insn.load) {
      let value = this.load(address, insn.size);
      if (insn.signed) value = u64(signExtend(value, insn.size * 8));
      this.setX(insn.rt, value, insn.wide);
    } else this.store(address, insn.size, this.x(insn.rt, true));
  }

  private pair(insn: InstructionOf<'load-store-pair'>): void {
    const { size, rn } = insn;
    const base = this.xOrSp(rn, true);
    const moved = u64(base + BigInt(insn.imm));
    const address = insn.index === 'post' ? base : moved;
    const second = u64(address + BigInt(size));
    if (insn.load) {
      let a = this.load(address, size);
      let b = this.load(second, size);
      if (insn.signed) {
        a = u64(signExtend(a, 32));
        b = u64(signExtend(b, 32));
      }
      this.setX(insn.rt, a, size === 8 || insn.signed);
      this.setX(insn.rt2, b, size === 8 || insn.signed);
    } else {
      const a = this.x(insn.rt, true);
      const b = this.x(insn.rt2, true);
      this.store(address, size, a);
      this.store(second, size, b);
    }
    if (insn.index !== 'offset') this.setXOrSp(rn, moved, true);
  }

  /** Xn as the address of an exclusive or ordered access, which must be aligned whatever SCTLR.A says. */
  private alignedAddress(rn: number, size: number, load: boolean): bigint {
    const address = this.xOrSp(rn, true);
    if (Number(address) % size !== 0) {
      const probe = this.machine.check({ address: Number(address), size, kind: load ? 'read' : 'write', el: this.machine.currentEl }, 'core');
      if (probe) throw new Abort(probe);
      throw new Undefined('unaligned exclusive or ordered access (alignment fault not modelled here)');
    }
    return address;
  }

  private exclusiveAccess(insn: InstructionOf<'exclusive'>): void {
    const { size, pair, rt, rt2 } = insn;
    const address = this.alignedAddress(insn.rn, size, insn.load);
    const total = pair ? size * 2 : size;
    if (insn.load) {
      this.setX(rt, this.load(address, size), size === 8);
      if (pair) this.setX(rt2, this.load(u64(address + BigInt(size)), size), size === 8);
      this.exclusive = { address: Number(address), size: total };
      return;
    }
    const monitor = this.exclusive;
    const ok = monitor !== undefined && monitor.address === Number(address) && monitor.size === total;
    if (ok) {
      this.store(address, size, this.x(rt, true));
      if (pair) this.store(u64(address + BigInt(size)), size, this.x(rt2, true));
    }
    this.exclusive = undefined;
    this.setX(insn.rs, ok ? 0n : 1n, false);
  }

  /**
   * Claims `size` bytes at `address` for one atomic read-modify-write, before any byte moves:
   * watchpoints (an atomic both reads and writes), then alignment and the MPU as one access
   * (atomics.ts). Clears the exclusive monitor as a store there would, even for a CAS that
   * will not write: the architecture clears it for every atomic access.
   */
  private claimReadWrite(address: bigint, size: number): bigint {
    const at = Number(address);
    this.checkWatch(at, size, 'write');
    this.checkWatch(at, size, 'read');
    const fault = readWriteFault(this.machine, at, size);
    if (fault) {
      latchFault(this.machine, fault);
      throw new Abort(fault);
    }
    if (this.exclusive && at < this.exclusive.address + this.exclusive.size && this.exclusive.address < at + size) this.exclusive = undefined;
    return address;
  }

  /** LD<op>/SWP: the claim, then the load and the store with nothing in between; Rt last. */
  private atomic(insn: InstructionOf<'atomic'>): void {
    const { size } = insn;
    const address = this.claimReadWrite(this.xOrSp(insn.rn, true), size);
    const old = this.load(address, size);
    this.store(address, size, atomicResult(insn.op, old, this.x(insn.rs, true), size));
    this.setX(insn.rt, old, size === 8);
  }

  /** CAS/CASP: the store only when memory equals Rs (Rs:Rs+1); Rs (and Rs+1) receive the old value. */
  private compareSwap(insn: InstructionOf<'compare-swap'>): void {
    const { size, pair, rs, rt } = insn;
    const address = this.claimReadWrite(this.xOrSp(insn.rn, true), pair ? size * 2 : size);
    const mask = (1n << BigInt(size * 8)) - 1n;
    const second = u64(address + BigInt(size));
    const old = this.load(address, size);
    const oldHigh = pair ? this.load(second, size) : 0n;
    const equal = old === (this.x(rs, true) & mask) && (!pair || oldHigh === (this.x(rs + 1, true) & mask));
    if (equal) {
      this.store(address, size, this.x(rt, true));
      if (pair) this.store(second, size, this.x(rt + 1, true));
    }
    this.setX(rs, old, size === 8);
    if (pair) this.setX(rs + 1, oldHigh, size === 8);
  }

  /**
   * DC ZVA: zeroes the naturally aligned block of DCZID_EL0.BS size (log2 words) holding
   * `target`, checked as one write of the block (atomics.ts for the fault's FAR).
   */
  private zeroBlock(target: bigint): void {
    const blockSize = 4 << Number(this.machine.sysregs.read(DCZID_EL0.regnum) & 0xfn);
    const at = Number(target);
    const start = at - (at % blockSize);
    this.checkWatch(start, blockSize, 'write');
    // A page the MPU allows wholly for writes at this EL allows the block in it.
    const fault = this.machine.pageAllowed(start, blockSize, 'write') ? undefined : blockWriteFault(this.machine, at, start, blockSize);
    if (fault) {
      latchFault(this.machine, fault);
      throw new Abort(fault);
    }
    const page = start - (start % 0x1000);
    if (blockSize <= ZEROS.length && start + blockSize <= page + 0x1000 && this.machine.memory.isRamPage(page)) {
      // Plain RAM, checked above as one write: one write of zeros, as the doubleword stores
      // below would leave it (Xen clears its memory this way; a store per doubleword, each
      // through the checked path, was a quarter of its boot).
      this.machine.memory.write(start, ZEROS.subarray(0, blockSize));
      const ex = this.exclusive;
      if (ex && start < ex.address + ex.size && ex.address < start + blockSize) this.exclusive = undefined;
      return;
    }
    for (let offset = 0; offset < blockSize; offset += 8) this.store(BigInt(start + offset), 8, 0n);
  }

}

function oneSource(insn: InstructionOf<'one-source'>, value: bigint): bigint {
  const bits = insn.sf ? 64 : 32;
  switch (insn.op) {
    case 'rbit': return reverseBits(value, bits);
    case 'rev16': return reverseBytes(value, bits, 16);
    case 'rev32': return reverseBytes(value, bits, 32);
    case 'rev64': return reverseBytes(value, 64, 64);
    case 'clz': return countLeadingZeros(value, bits);
    case 'cls': return countLeadingSignBits(value, bits);
  }
}
