// The adapter between the protocol layer's DebugTarget and the simulated board. Registers
// (registerAccess.ts) and memory are the required core; run control (runControl.ts),
// breakpoints (breakpointTable.ts), monitor commands, restarting, the target's identity and
// the MPU as a memory map (memoryRegions.ts) are the optional capabilities it offers.
// Refusals become TargetErrors carrying the machine's reason. Beside them it keeps what the
// debugger learns about the code: symbols, the MPU's history, and the catchpoints that stop
// the core when the MPU is reprogrammed or an exception is taken.

import { buildTargetXml, type TargetXmlOptions } from '../arch/aarch64/targetXml.js';
import { PHYS_ADDR_LIMIT } from '../machine/access.js';
import type { Machine } from '../machine/machine.js';
import { TargetErrno, TargetError, type DebugTarget, type StopEvent, type TargetCapabilities } from '../rsp/target.js';
import { BreakpointTable, WATCHPOINTS } from './breakpointTable.js';
import { describeFault } from './faultText.js';
import { memoryRegionAt } from './memoryRegions.js';
import type { MonitorRegistry } from './monitor.js';
import { MpuCatchpoints } from './mpuCatchpoints.js';
import { DEFAULT_MPU_HISTORY, MpuHistory } from './mpuHistory.js';
import { RegisterAccess } from './registerAccess.js';
import { BoardRunControl } from './runControl.js';
import { SymbolTable } from './symbolTable.js';
import { VectorCatch } from './vectorCatch.js';

/** The limit as a BigInt once, not per access. */
const PHYS_ADDR_LIMIT_BIG = BigInt(PHYS_ADDR_LIMIT);

export interface BoardTargetOptions extends TargetXmlOptions {
  /** Puts the board back in its start state (extended-remote `run`); wired by src/wiring.ts. */
  readonly resetBoard?: () => Promise<void>;
  /** Entries the MPU history keeps (DEFAULT_MPU_HISTORY when absent). */
  readonly mpuHistorySize?: number;
}

export class BoardTarget implements DebugTarget {
  private readonly targetXml: string;
  readonly breakpoints: BreakpointTable;
  readonly run: BoardRunControl;
  private readonly registers: RegisterAccess;
  readonly capabilities: TargetCapabilities;
  /** Names for code addresses in the stub's messages (--kernel, `monitor symbols add`). */
  readonly symbols = new SymbolTable();
  readonly mpuHistory: MpuHistory;
  readonly mpuCatch: MpuCatchpoints;
  readonly vectorCatch: VectorCatch;
  /** True while a debugger is attached: a run started with none (src/boot/unattended.ts) reports its own stops. */
  debuggerAttached = false;
  /** Told once a debugger has gone and the core is halted (`--run` resumes it, as QEMU does). */
  onDetached: ((reason: 'detach' | 'kill' | 'disconnect') => void) | undefined;

  constructor(
    readonly machine: Machine,
    monitors: MonitorRegistry,
    options: BoardTargetOptions,
  ) {
    const { resetBoard, mpuHistorySize, ...xmlOptions } = options;
    this.targetXml = buildTargetXml(xmlOptions);
    this.breakpoints = new BreakpointTable(() => this.run.forgetWatchStop());
    this.run = new BoardRunControl(machine, this.breakpoints);
    this.mpuHistory = new MpuHistory(machine, mpuHistorySize ?? DEFAULT_MPU_HISTORY, () => this.run.instructionsExecuted);
    this.mpuCatch = new MpuCatchpoints(machine, this.run, this.symbols);
    this.vectorCatch = new VectorCatch(machine, this.symbols, (on) => (this.run.interpreter.reportInterrupts = on));
    this.run.exceptionTakenStop = (exception) => this.vectorCatch.stopFor(exception);
    this.run.interruptTakenStop = (from) => this.vectorCatch.stopForInterrupt(from);
    // Moving pc abandons the instruction the core stopped on (GDB's `jump`, `set $pc`).
    this.registers = new RegisterAccess(machine, () => this.run.forgetStopState());
    this.capabilities = {
      runControl: this.run,
      breakpoints: this.breakpoints,
      monitor: monitors,
      ...(resetBoard ? { restart: { restart: () => this.restart(resetBoard) } } : {}),
      // Watchpoints stop before the access: LLDB must step over it itself.
      identity: { identity: () => ({ triple: 'aarch64-unknown-none', endian: 'little', pointerSize: 8, watchpointsStopBeforeAccess: true, watchpointSlots: WATCHPOINTS }) },
      memoryMap: { regionAt: (address) => memoryRegionAt(machine, address) },
    };
  }

  featureDocument(annex: string): string | undefined {
    return annex === 'target.xml' ? this.targetXml : undefined;
  }

  readRegisterBlock(): Uint8Array {
    return this.registers.readBlock();
  }

  writeRegisterBlock(bytes: Uint8Array): void {
    this.registers.writeBlock(bytes);
  }

  readRegister(regnum: number): Uint8Array {
    return this.registers.read(regnum);
  }

  writeRegister(regnum: number, bytes: Uint8Array): void {
    this.registers.write(regnum, bytes);
  }

  readMemory(address: bigint, length: number): Uint8Array {
    const outcome = this.machine.readMemory(this.physical(address, 'read'), length, { origin: 'debugger' });
    if (outcome.fault && outcome.data.length === 0) throw new TargetError(TargetErrno.EFAULT, describeFault(outcome.fault));
    return outcome.data;
  }

  readMemoryInto(address: number, length: number, out: Uint8Array): boolean {
    return address < PHYS_ADDR_LIMIT && this.machine.readAllowedInto(address, length, out);
  }

  writeMemory(address: bigint, data: Uint8Array): void {
    this.prepareWrite(address, data.length)(data);
  }

  prepareWrite(address: bigint, length: number): (data: Uint8Array) => void {
    const physical = this.physical(address, 'write');
    const fault = this.machine.checkWrite(physical, length, { origin: 'debugger' });
    if (fault) throw new TargetError(TargetErrno.EFAULT, describeFault(fault));
    return (data) => this.machine.writeChecked(physical, data);
  }

  lastStop(): StopEvent {
    return this.run.lastStop();
  }

  attached(): void {
    // A new debugger finds the core halted where the last one left it, or where it was running.
    this.debuggerAttached = true;
    this.run.halt();
  }

  detached(reason: 'detach' | 'kill' | 'disconnect'): void {
    // Breakpoints belong to the debugger that planted them; the board's state stays. The next
    // debugger finds the core halted, with no stop of the previous one pending: a stale
    // watchpoint stop would both be reported by `?` and let its first access through.
    this.breakpoints.clear();
    this.run.halt();
    this.run.forgetStopState();
    this.debuggerAttached = false;
    this.onDetached?.(reason);
  }

  /** `run` in extended-remote: the board as the stub started it, the core halted at reset. */
  private async restart(resetBoard: () => Promise<void>): Promise<StopEvent> {
    this.run.halt();
    await resetBoard();
    this.run.resetAfterBoardReset();
    return this.run.lastStop();
  }

  private physical(address: bigint, what: string): number {
    if (address >= PHYS_ADDR_LIMIT_BIG) {
      throw new TargetError(TargetErrno.EFAULT, `${what} at 0x${address.toString(16)} is beyond the 48-bit physical address space`);
    }
    return Number(address);
  }
}
