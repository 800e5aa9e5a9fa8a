// The contract between the RSP layer and whatever it debugs.
//
// The protocol layer knows nothing of Arm: it sees registers as numbered byte strings (in
// target byte order), memory as bytes at 64-bit addresses, and execution as resume/stop
// events. The machine-side adapter (src/debug/) implements this interface; tests implement
// small fakes of it. Handlers never format `E..` replies themselves: they throw TargetError
// and the session maps it to the reply GDB expects for that packet.

/** errno-style codes carried in `E NN` replies (GDB only shows the number). */
export const TargetErrno = {
  EPERM: 0x01,
  ENOENT: 0x02,
  EIO: 0x05,
  EACCES: 0x0d,
  EFAULT: 0x0e,
  EBUSY: 0x10,
  EINVAL: 0x16,
  ENOSPC: 0x1c,
  EROFS: 0x1e,
} as const;
export type TargetErrnoValue = (typeof TargetErrno)[keyof typeof TargetErrno];

/** A refusal from the target, with a human explanation kept for `monitor` and logs. */
export class TargetError extends Error {
  constructor(
    readonly errno: TargetErrnoValue,
    message: string,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

/** Why the target stopped. `signal` is a GDB signal number (2 = SIGINT, 5 = SIGTRAP, 11 = SIGSEGV). */
export interface StopEvent {
  readonly signal: number;
  /** Extra `key:value` pairs for the T stop reply, e.g. `{ swbreak: '' }` or `{ watch: '1000' }`. */
  readonly pairs?: ReadonlyArray<readonly [string, string]>;
  /**
   * Text for the debugger's console about why the target stopped, sent as `O` packets just
   * before the stop reply of the resume it ends (GDB prints it above "Program received
   * signal..."). Not repeated by `?`.
   */
  readonly console?: string;
}

export type ResumeAction = 'continue' | 'step';
/** Z0/Z1 breakpoints and Z2/Z3/Z4 watchpoints (write, read, access). */
export type BreakpointType = 'software' | 'hardware' | 'write-watch' | 'read-watch' | 'access-watch';

/** What a debugger that asks (LLDB's qHostInfo and qProcessInfo) is told about the target. */
export interface TargetIdentity {
  /** LLVM target triple, e.g. "aarch64-unknown-none". */
  readonly triple: string;
  readonly endian: 'little' | 'big';
  /** Bytes in an address. */
  readonly pointerSize: number;
  /**
   * True when a watchpoint stops the target before the access takes effect (pc still at the
   * accessing instruction): the debugger must then step over it to show the new value.
   */
  readonly watchpointsStopBeforeAccess: boolean;
  /** Watchpoints that may be set at once. */
  readonly watchpointSlots: number;
}

/** One stretch of the address space over which access rights are the same (qMemoryRegionInfo). */
export interface MemoryRegionInfo {
  readonly start: bigint;
  /** Bytes; start + size may reach 2^64 for the last stretch. */
  readonly size: bigint;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly executable: boolean;
  /** What the stretch is, for the user (e.g. the region that maps it). */
  readonly name?: string;
}

/** Text sink for `monitor` output: each call becomes one `O` console packet (or part of one). */
export type MonitorOutput = (text: string) => void;

/** `c`/`s`/`C`/`S`/`vCont` and Ctrl-C. */
export interface RunControl {
  /**
   * Resume. The target reports the stop later through `onStop` (exactly once per resume);
   * `onStop` may be called synchronously for a step. `signal` is the GDB signal number the
   * debugger passes to the program (0 = none): what delivering it means is the target's to
   * decide.
   */
  resume(action: ResumeAction, onStop: (stop: StopEvent) => void, signal: number): void;
  /** Ctrl-C while running: the target must stop and report SIGINT through the resume callback. */
  interrupt(): void;
}

/** `Z`/`z`: breakpoints and watchpoints. */
export interface Breakpoints {
  /** Types the target offers; `Z` of another type gets the empty reply (unsupported). */
  supports(type: BreakpointType): boolean;
  /** `kind` is the length for watchpoints; throws TargetError when refused. */
  insert(type: BreakpointType, address: bigint, kind: number): void;
  /** Removing an unknown breakpoint is not an error (GDB may retry). */
  remove(type: BreakpointType, address: bigint, kind: number): void;
}

/** `qRcmd`: GDB's `monitor` commands. */
export interface MonitorCommands {
  /** Runs a command, writing text through `out`. Throws TargetError on failure. */
  run(command: string, out: MonitorOutput): void | Promise<void>;
}

/** Extended-remote `run` (`vRun`). */
export interface Restart {
  /** Puts the target back in its start state and reports the stop it is in. */
  restart(): Promise<StopEvent>;
}

/** LLDB's `qHostInfo`, `qProcessInfo`, `qWatchpointSupportInfo`. */
export interface Identity {
  identity(): TargetIdentity;
}

/** LLDB's `qMemoryRegionInfo`. */
export interface MemoryMap {
  /** The stretch containing `address`; stretches tile the whole 64-bit space (LLDB walks them). */
  regionAt(address: bigint): MemoryRegionInfo;
}

/**
 * What a target may offer beyond the required core. A packet that needs an absent capability
 * gets the empty reply, and qSupported offers only what is present (src/rsp/packets.ts).
 */
export interface TargetCapabilities {
  readonly runControl?: RunControl;
  readonly breakpoints?: Breakpoints;
  readonly monitor?: MonitorCommands;
  readonly restart?: Restart;
  readonly identity?: Identity;
  readonly memoryMap?: MemoryMap;
}

export type CapabilityName = keyof TargetCapabilities;

export interface DebugTarget {
  /** Annexes served by `qXfer:features:read`; `target.xml` must exist. Undefined = unknown annex. */
  featureDocument(annex: string): string | undefined;

  /**
   * `g`: the registers of the g layout, concatenated in register-number order. The bytes need
   * only stay valid until the next call (the session encodes them at once), so a target may
   * fill the same buffer every time.
   */
  readRegisterBlock(): Uint8Array;
  /** `G`: a prefix of the g layout (GDB may send fewer bytes than `g` returned). */
  writeRegisterBlock(bytes: Uint8Array): void;
  /** `p`: one register's bytes; throws TargetError(ENOENT) for an unknown number. */
  readRegister(regnum: number): Uint8Array;
  /** `P`: throws TargetError (ENOENT unknown, EROFS read-only, EINVAL wrong size). */
  writeRegister(regnum: number, bytes: Uint8Array): void;

  /**
   * `m`/`x`: read up to `length` bytes. Returns fewer bytes when the access is refused part
   * way (a partial read, as GDB allows); throws TargetError when not even the first byte
   * can be read.
   */
  readMemory(address: bigint, length: number): Uint8Array;
  /**
   * Optional: the same read for an address below 2^53, into out[0, length), when the target
   * can answer it whole, at once and without refusing any of it; false otherwise (nothing
   * read), and the session calls readMemory. Lets GDB's small `m` reads (an `x` command, a
   * variable) be answered without an allocation per read.
   */
  readMemoryInto?(address: number, length: number, out: Uint8Array): boolean;
  /** `M`/`X`: all or nothing; throws TargetError when any byte is refused. */
  writeMemory(address: bigint, data: Uint8Array): void;
  /**
   * Optional: writeMemory in two halves. Makes now every check writeMemory would make for
   * `length` bytes at `address`, throwing what it would throw, and returns the write itself,
   * which stores `length` bytes and cannot be refused when called before anything else
   * reaches the target. Lets an X packet be answered before its bytes are unescaped and
   * stored (the client escapes its next packet meanwhile).
   */
  prepareWrite?(address: bigint, length: number): (data: Uint8Array) => void;

  /** The reason of the last stop, for `?`. */
  lastStop(): StopEvent;

  /** A debugger attached: a new connection, or `vAttach` in extended mode (the target keeps its state). */
  attached(): void;
  /** `D`, `k`, `vKill` or a dropped connection: the debugger is gone; the target must not stay halted forever. */
  detached(reason: 'detach' | 'kill' | 'disconnect'): void;

  readonly capabilities: TargetCapabilities;
}
