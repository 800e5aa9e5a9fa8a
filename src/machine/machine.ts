// The simulated board: core state, system registers, physical memory and the MPU, and the ONE
// access path every memory access takes — the debugger's and the interpreter's.
// An access is checked by the MPU (unless the debugger asked to bypass it), then by the board's
// memory map; a refusal becomes a fault record carrying the syndrome the core would take.
// MPU register writes follow the DSB + ISB rule and are reported as events
// (mpuSynchronisation.ts). Knows nothing of RSP or GDB.

import { abortSyndrome, FSC } from '../arch/aarch64/syndrome.js';
import { register, type RegisterSpec } from '../arch/aarch64/registers.js';
import { PHYS_ADDR_LIMIT, type Access, type AccessKind, type AccessOrigin, type ExceptionLevel } from './access.js';
import type { BoardConfig } from './board.js';
import { CoreState } from './core.js';
import { Gic } from './gic/gic.js';
import { PhysicalMemory } from './memory.js';
import type { MpuAgent, MpuEvent } from './mpuEvents.js';
import { MpuSynchronisation } from './mpuSynchronisation.js';
import type { FaultSyndrome, MpuControl, MpuDecision, MpuFault, MpuModel, RegimeControl } from './mpu/types.js';
import { RegisterAccessError, SystemRegisters } from './sysregs.js';
import { GenericTimer } from './timer.js';
import { exceptionRegisters, synchronousTarget, type TargetEl } from './cpu/exceptionRouting.js';

export type MachineFault =
  | { readonly kind: 'mpu'; readonly origin: AccessOrigin; readonly fault: MpuFault; readonly syndrome: FaultSyndrome }
  | {
      readonly kind: 'unmapped';
      readonly origin: AccessOrigin;
      readonly access: Access;
      readonly faultAddress: number;
      readonly reason: string;
      readonly syndrome: FaultSyndrome;
    };

export interface AccessOptions {
  readonly origin: AccessOrigin;
  readonly kind?: AccessKind;
  /** Defaults to the core's current EL. */
  readonly el?: ExceptionLevel;
}

export interface ReadOutcome {
  /** The bytes read: all of them, or those before the first refused byte. */
  readonly data: Uint8Array;
  readonly fault?: MachineFault;
}

const MASK64 = 0xffff_ffff_ffff_ffffn;
const SCTLR_M = 1n << 0n;
const SCTLR_A = 1n << 1n;
const SCTLR_BR = 1n << 17n;
const SCTLR_WXN = 1n << 19n;
const HCR_VM = 1n << 0n;

const SCTLR_EL2 = register('SCTLR_EL2');
const SCTLR_EL1 = register('SCTLR_EL1');
const HCR_EL2 = register('HCR_EL2');
/** Besides the MPU's own registers, the registers whose value decides accesses (mpuControl reads them). */
const ACCESS_CONTROLS: ReadonlySet<number> = new Set([SCTLR_EL2.regnum, SCTLR_EL1.regnum, HCR_EL2.regnum]);
const SP_EL0 = register('SP_EL0');
const SP_EL1 = register('SP_EL1');

export interface MachineOptions {
  /** Debugger accesses skip the MPU (like QEMU's PhyMemMode). */
  debuggerBypassesMpu: boolean;
  /** A refused debugger access also latches ESR_EL2/FAR_EL2 (HPFAR_EL2), as a guest access would. */
  latchDebuggerFaults: boolean;
}

/** Entries per access kind in the machine's page cache (a power of two). */
const PAGE_CACHE_SLOTS = 64;

/**
 * One access kind's cached pages: page address, access generation, EL and verdict per slot
 * (-1: empty). A page found not wholly accessible (a region boundary inside it, a device) is
 * remembered too, so that its accesses go straight to the exact check instead of failing the
 * whole-page check each time.
 */
class PageCache {
  readonly page = new Float64Array(PAGE_CACHE_SLOTS).fill(-1);
  readonly generation = new Float64Array(PAGE_CACHE_SLOTS).fill(-1);
  readonly el = new Int8Array(PAGE_CACHE_SLOTS).fill(-1);
  readonly whole = new Uint8Array(PAGE_CACHE_SLOTS);
}

export class Machine {
  readonly core = new CoreState();
  readonly memory: PhysicalMemory;
  /** The interrupt controller: its frames are devices in `memory`, its CPU interface system registers. */
  readonly gic: Gic;
  /** The system counter and the generic timers, whose outputs are PPIs of the GIC. */
  readonly timer: GenericTimer;
  readonly sysregs: SystemRegisters;
  readonly options: MachineOptions = { debuggerBypassesMpu: false, latchDebuggerFaults: false };
  /** The last refused access, whoever made it; kept for `monitor fault`. */
  lastFault: MachineFault | undefined;

  private control: MpuControl | undefined;
  /**
   * Bumped whenever something that decides an access may have changed (a register write, a
   * synchronisation, a debugger option): lets the core cache "this page may be fetched/read/
   * written at this EL" between changes.
   */
  accessGeneration = 0;
  private readonly mpuSync: MpuSynchronisation;
  private readonly listeners = new Set<(text: string) => void>();

  constructor(
    readonly board: BoardConfig,
    readonly mpu: MpuModel,
  ) {
    this.gic = new Gic(board.cpu.mpidr);
    this.timer = new GenericTimer((intid, high) => this.gic.setLevel(intid, high));
    this.memory = new PhysicalMemory(board.memory, { console: (line) => this.listeners.forEach((l) => l(line)), gic: this.gic });
    this.sysregs = new SystemRegisters(board, mpu, () => this.core.el, { gic: this.gic, timer: this.timer });
    this.mpuSync = new MpuSynchronisation(mpu, this.sysregs, this.core);
    this.core.reset(board.reset.pc, board.reset.sp);
  }

  /**
   * The board as it comes out of reset: core, system registers, MPU, RAM and devices. What
   * listens to the machine (the UART's console) stays attached.
   */
  reset(): void {
    this.memory.reset();
    this.gic.reset();
    this.timer.reset();
    this.sysregs.reset();
    this.mpu.reset();
    this.core.reset(this.board.reset.pc, this.board.reset.sp);
    this.lastFault = undefined;
    this.control = undefined;
    this.accessGeneration++;
    this.mpuSync.reset();
  }

  /** Lines written to the board's UART. */
  onConsoleLine(listener: (text: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Every change to the MPU as it happens (mpuEvents.ts). Listeners run inside the instruction
   * that made the change, before it completes: they must not throw.
   */
  onMpuEvent(listener: (event: MpuEvent) => void): () => void {
    return this.mpuSync.onEvent(listener);
  }

  /**
   * Runs `action` with MPU changes attributed to `agent`: the map service and the debugger's
   * "as the core would" commands write with origin 'core' (so that DSB + ISB apply) but are
   * not code on the core. Without it, 'core' writes and barriers are the executing code's.
   */
  performedBy<T>(agent: MpuAgent, action: () => T): T {
    return this.mpuSync.performedBy(agent, action);
  }

  get currentEl(): ExceptionLevel {
    const el = this.core.el;
    return el === 3 ? 2 : el;
  }

  // ---- Registers (by table entry) ----

  /**
   * The register's value; 128-bit for v0..v31. `origin` 'core' is an MRS, which may act (an
   * ICC_IAR1_EL1 read acknowledges); the debugger's reads only look.
   */
  readRegister(reg: RegisterSpec, origin: AccessOrigin = 'debugger'): bigint {
    if (reg.behaviour.kind === 'core') return this.readCoreRegister(reg.regnum);
    if (reg.behaviour.kind === 'fpu') return this.readFpuRegister(reg.regnum);
    return this.sysregs.read(reg.regnum, origin);
  }

  /**
   * Writes a register with MSR semantics. `origin` 'debugger' makes MPU writes effective at
   * once: leaving debug state is a context synchronisation event.
   */
  writeRegister(reg: RegisterSpec, value: bigint, origin: AccessOrigin): void {
    // Only what decides accesses ends the grants of the page caches: an RTOS writes ELR, SPSR,
    // TPIDR, timer and GIC registers on every exception and context switch.
    if (reg.behaviour.kind === 'mpu' || ACCESS_CONTROLS.has(reg.regnum)) this.accessGeneration++;
    if (reg.behaviour.kind === 'core') return this.writeCoreRegister(reg.regnum, value);
    if (reg.behaviour.kind === 'fpu') return this.writeFpuRegister(reg.regnum, value);
    this.mpuSync.write(reg, value, origin, () => {
      this.sysregs.write(reg.regnum, value);
      this.control = undefined;
    });
  }

  private readCoreRegister(regnum: number): bigint {
    if (regnum <= 30) return this.core.x[regnum]!;
    if (regnum === 31) return this.readStackPointer();
    if (regnum === 32) return this.core.pc;
    if (regnum === 33) return BigInt(this.core.cpsr >>> 0);
    throw new RegisterAccessError('unknown', `no core register ${regnum}`);
  }

  private writeCoreRegister(regnum: number, value: bigint): void {
    const v = value & MASK64;
    if (regnum <= 30) this.core.x[regnum] = v;
    else if (regnum === 31) this.writeStackPointer(v);
    else if (regnum === 32) this.core.pc = v;
    else if (regnum === 33) {
      this.core.cpsr = Number(v & 0xffff_ffffn);
      this.control = undefined;
    } else throw new RegisterAccessError('unknown', `no core register ${regnum}`);
  }

  /** `sp` is SP_EL0 when PSTATE.SP = 0 or at EL0, else the current EL's own stack pointer. */
  readStackPointer(): bigint {
    if (this.core.spSelect === 0 || this.core.el === 0) return this.sysregs.read(SP_EL0.regnum);
    if (this.core.el === 1) return this.sysregs.read(SP_EL1.regnum);
    return this.core.spEl2;
  }

  writeStackPointer(value: bigint): void {
    if (this.core.spSelect === 0 || this.core.el === 0) this.sysregs.write(SP_EL0.regnum, value);
    else if (this.core.el === 1) this.sysregs.write(SP_EL1.regnum, value);
    else this.core.spEl2 = value;
  }

  private readFpuRegister(regnum: number): bigint {
    if (regnum >= 34 && regnum <= 65) return this.core.vector(regnum - 34);
    if (regnum === 66) return BigInt(this.core.fpsr >>> 0);
    if (regnum === 67) return BigInt(this.core.fpcr >>> 0);
    throw new RegisterAccessError('unknown', `no FPU register ${regnum}`);
  }

  private writeFpuRegister(regnum: number, value: bigint): void {
    if (regnum >= 34 && regnum <= 65) this.core.setVector(regnum - 34, value);
    else if (regnum === 66) this.core.fpsr = Number(value & 0xffff_ffffn);
    else if (regnum === 67) this.core.fpcr = Number(value & 0xffff_ffffn);
    else throw new RegisterAccessError('unknown', `no FPU register ${regnum}`);
  }

  // ---- Barriers ----

  /** DSB: MPU register writes made so far are complete. */
  dsb(): void {
    this.mpuSync.dsb();
  }

  /** ISB (or any context synchronisation event): completed MPU writes become effective. */
  isb(): boolean {
    const synchronised = this.mpuSync.isb();
    if (synchronised) this.accessGeneration++;
    return synchronised;
  }

  /** A context synchronisation forced from outside (the monitor command): everything becomes effective. */
  forceSynchronize(): void {
    this.accessGeneration++;
    this.mpuSync.force();
  }

  // ---- Memory ----

  /** The SCTLR/HCR bits that steer MPU checks, cached until one of those registers changes. */
  mpuControl(): MpuControl {
    if (!this.control) {
      const regime = (sctlr: bigint): RegimeControl => ({
        enabled: (sctlr & SCTLR_M) !== 0n,
        background: (sctlr & SCTLR_BR) !== 0n,
        wxn: (sctlr & SCTLR_WXN) !== 0n,
        alignment: (sctlr & SCTLR_A) !== 0n,
      });
      this.control = {
        el2: regime(this.sysregs.read(SCTLR_EL2.regnum)),
        el10: regime(this.sysregs.read(SCTLR_EL1.regnum)),
        stage2: (this.sysregs.read(HCR_EL2.regnum) & HCR_VM) !== 0n,
      };
    }
    return this.control;
  }

  /**
   * Checks an access without performing it. Returns the fault of the first refused byte, or
   * undefined when every byte may be accessed.
   */
  check(access: Access, origin: AccessOrigin): MachineFault | undefined {
    return this.faultOf(access, origin, this.decide(access, origin));
  }

  /**
   * The MPU's decision (undefined when the debugger bypasses it) and the machine's verdict on
   * one access, computed once: `monitor mpu check` shows the rule of an allowed access too.
   */
  judge(access: Access, origin: AccessOrigin): { readonly decision: MpuDecision | undefined; readonly fault: MachineFault | undefined } {
    const decision = this.decide(access, origin);
    return { decision, fault: this.faultOf(access, origin, decision) };
  }

  private decide(access: Access, origin: AccessOrigin): MpuDecision | undefined {
    const bypass = origin === 'debugger' && this.options.debuggerBypassesMpu;
    return bypass ? undefined : this.mpu.check(access, this.mpuControl());
  }

  private faultOf(access: Access, origin: AccessOrigin, decision: MpuDecision | undefined): MachineFault | undefined {
    const mpuFault: MpuFault | undefined = decision !== undefined && !decision.allowed ? decision.fault : undefined;
    const inRange = access.address < PHYS_ADDR_LIMIT ? this.memory.mappedLength(access.address, access.size) : 0;
    const unmappedAt = inRange < access.size ? access.address + inRange : undefined;
    if (mpuFault && (unmappedAt === undefined || mpuFault.faultAddress <= unmappedAt)) {
      return { kind: 'mpu', origin, fault: mpuFault, syndrome: this.mpu.syndrome(mpuFault, this.abortTarget(access.el, mpuFault.stage2)) };
    }
    if (unmappedAt !== undefined) {
      return {
        kind: 'unmapped',
        origin,
        access,
        faultAddress: unmappedAt,
        reason: `0x${unmappedAt.toString(16)} is not mapped by the board (no RAM or device there)`,
        syndrome: externalAbortSyndrome(access, unmappedAt, this.abortTarget(access.el, false)),
      };
    }
    return undefined;
  }

  readMemory(address: number, length: number, options: AccessOptions): ReadOutcome {
    const kind = options.kind ?? 'read';
    // Within one RAM page that a whole-page check has allowed for this kind at the current EL
    // (the cache the core's own accesses use), the MPU's answer is the same for every byte and
    // the same for the debugger as for the core (the debugger can only bypass the MPU, never be
    // refused more): no check of its own. GDB's small `m` reads land here; a whole check costs
    // several times the read itself while GDB leaves the stub's caches cold between packets.
    if ((options.el === undefined || options.el === this.currentEl) && length > 0 && this.pageAllowed(address, length, kind)) {
      const data = new Uint8Array(length);
      this.memory.read(address, data);
      return { data };
    }
    const access: Access = { address, size: length, kind, el: options.el ?? this.currentEl };
    const fault = this.check(access, options.origin);
    const readable = fault ? faultAddressOf(fault) - address : length;
    const data = new Uint8Array(readable);
    if (readable > 0) this.memory.read(address, data);
    if (fault) this.recordFault(fault);
    return fault ? { data, fault } : { data };
  }

  /**
   * readMemory's first case for a debugger read at the current EL, into `out`: true when the
   * read lies in a RAM page already allowed (see readMemory), having read it; false, having
   * read nothing, for anything that needs the full check (and may be refused).
   */
  readAllowedInto(address: number, length: number, out: Uint8Array): boolean {
    if (length <= 0 || length > out.length || !this.pageAllowed(address, length, 'read')) return false;
    this.memory.read(address, out, 0, length);
    return true;
  }

  // ---- The core's own accesses: the same checks, without per-access allocation ----

  private readonly scratch = new Uint8Array(16);
  private readonly scratchView = new DataView(this.scratch.buffer);
  /** The value of the last successful `coreLoad`. */
  loaded = 0n;

  /**
   * Per access kind: RAM pages found wholly accessible, each valid for one generation and EL;
   * direct-mapped by page number, so that a kernel's code, stack and data pages, and its
   * tasks' at EL0, stay cached side by side across system calls and context switches.
   */
  private readonly pageCache: Record<AccessKind, PageCache> = { read: new PageCache(), write: new PageCache(), fetch: new PageCache() };

  /**
   * True when the access lies in a RAM page that a whole-page check has already allowed for
   * this kind, at this EL, since the last change to anything that decides accesses. The
   * architecture's answer is the same for every byte of such a page, so the per-access check
   * can be skipped. Alignment checking (SCTLR.A) disables the cache: it depends on the address.
   */
  pageAllowed(address: number, size: number, kind: AccessKind): boolean {
    const page = address - (address % 0x1000);
    if (address + size > page + 0x1000) return false;
    const cache = this.pageCache[kind];
    const slot = (page / 0x1000) & (PAGE_CACHE_SLOTS - 1);
    const el = this.currentEl;
    if (cache.page[slot] === page && cache.generation[slot] === this.accessGeneration && cache.el[slot] === el) return cache.whole[slot] === 1;
    const control = this.mpuControl();
    const whole = !(el === 2 ? control.el2 : control.el10).alignment && this.memory.isRamPage(page) && !this.check({ address: page, size: 0x1000, kind, el }, 'core');
    cache.page[slot] = page;
    cache.generation[slot] = this.accessGeneration;
    cache.el[slot] = el;
    cache.whole[slot] = whole ? 1 : 0;
    return whole;
  }

  /** A load or fetch of 1, 2, 4 or 8 bytes by the core: the fault, or undefined with `loaded` set. */
  coreLoad(address: number, size: 1 | 2 | 4 | 8, kind: AccessKind): MachineFault | undefined {
    if (!this.pageAllowed(address, size, kind)) {
      const fault = this.check({ address, size, kind, el: this.currentEl }, 'core');
      if (fault) {
        this.recordFault(fault);
        return fault;
      }
    }
    this.memory.read(address, this.scratch, 0, size);
    const v = this.scratchView;
    this.loaded = size === 8 ? v.getBigUint64(0, true) : BigInt(size === 4 ? v.getUint32(0, true) : size === 2 ? v.getUint16(0, true) : this.scratch[0]!);
    return undefined;
  }

  /** A store of 1, 2, 4 or 8 bytes by the core (the low bytes of `value`). */
  coreStore(address: number, size: 1 | 2 | 4 | 8, value: bigint): MachineFault | undefined {
    if (!this.pageAllowed(address, size, 'write')) {
      const fault = this.check({ address, size, kind: 'write', el: this.currentEl }, 'core');
      if (fault) {
        this.recordFault(fault);
        return fault;
      }
    }
    this.scratchView.setBigUint64(0, BigInt.asUintN(64, value), true);
    this.memory.write(address, this.scratch.subarray(0, size));
    return undefined;
  }

  /** All or nothing: when any byte is refused, nothing is written. */
  writeMemory(address: number, data: Uint8Array, options: AccessOptions): MachineFault | undefined {
    const fault = this.checkWrite(address, data.length, options);
    if (!fault) this.memory.write(address, data);
    return fault;
  }

  /**
   * What writeMemory checks, without the write: the fault (recorded as writeMemory records it),
   * or undefined when a write of `length` bytes at `address` would be taken whole; until
   * something else changes the board, writeChecked then stores it.
   */
  checkWrite(address: number, length: number, options: AccessOptions): MachineFault | undefined {
    const fault = this.check({ address, size: length, kind: 'write', el: options.el ?? this.currentEl }, options.origin);
    if (fault) this.recordFault(fault);
    return fault;
  }

  /** The second half of writeMemory, for a range checkWrite has just allowed. */
  writeChecked(address: number, data: Uint8Array): void {
    this.memory.write(address, data);
  }

  /** The EL that takes an abort of an access made at `from` (stage 2: found by the EL2 MPU for EL1&0). */
  abortTarget(from: ExceptionLevel, stage2: boolean): TargetEl {
    return synchronousTarget('abort', from, this.sysregs.read(HCR_EL2.regnum), stage2);
  }

  private recordFault(fault: MachineFault): void {
    this.lastFault = fault;
    if (fault.origin === 'core' || this.options.latchDebuggerFaults) this.latchSyndrome(fault.syndrome);
  }

  /** ESR and FAR of the EL that takes the fault, and HPFAR_EL2 for a stage 2 fault. */
  latchSyndrome(syndrome: FaultSyndrome): void {
    const names = exceptionRegisters(syndrome.takenTo);
    this.sysregs.setStored(names.esr, syndrome.esr);
    this.sysregs.setStored(names.far, syndrome.far);
    if (syndrome.hpfar !== undefined) this.sysregs.setStored('HPFAR_EL2', syndrome.hpfar);
  }
}

export function faultAddressOf(fault: MachineFault): number {
  return fault.kind === 'mpu' ? fault.fault.faultAddress : fault.faultAddress;
}

/** The syndrome of a synchronous external abort: what the bus answers for an address no device decodes. */
function externalAbortSyndrome(access: Access, address: number, takenTo: TargetEl): FaultSyndrome {
  const esr = abortSyndrome({ fetch: access.kind === 'fetch', write: access.kind === 'write', sameEl: access.el === takenTo }, FSC.externalAbort);
  return { takenTo, esr, far: BigInt(address) };
}
