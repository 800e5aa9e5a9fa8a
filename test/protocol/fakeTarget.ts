// A small DebugTarget for protocol tests: four 8-byte registers (the last read-only), 64 KiB of
// memory of which [0x8000, 0x9000) refuses every access, a target.xml, and an execution model
// that runs until interrupted. It lets the protocol layer be tested with no Arm in sight.

import {
  TargetErrno,
  TargetError,
  type BreakpointType,
  type CapabilityName,
  type DebugTarget,
  type MonitorOutput,
  type ResumeAction,
  type StopEvent,
  type TargetCapabilities,
} from '../../src/rsp/target.js';

export const FAKE_XML = '<?xml version="1.0"?><target><architecture>fake</architecture><!-- $#}* --></target>';
export const HOLE_START = 0x8000;
export const HOLE_END = 0x9000;
export const MEMORY_SIZE = 0x10000;

export class FakeTarget implements DebugTarget {
  readonly registers = [0x1111n, 0x2222n, 0x3333n, 0x4444n];
  readonly memory = new Uint8Array(MEMORY_SIZE);
  readonly breakpoints: string[] = [];
  readonly events: string[] = [];
  private onStop: ((stop: StopEvent) => void) | undefined;
  private last: StopEvent = { signal: 5 };

  /** Every capability, unless the test leaves some out (to check the packets that need them). */
  readonly capabilities: TargetCapabilities;

  constructor(without: readonly CapabilityName[] = [], extra: TargetCapabilities = {}) {
    const all: TargetCapabilities = {
      runControl: { resume: (action, onStop) => this.resume(action, onStop), interrupt: () => this.interrupt() },
      breakpoints: {
        supports: (type) => type !== 'access-watch',
        insert: (type, address, kind) => this.insertBreakpoint(type, address, kind),
        remove: (type, address) => this.removeBreakpoint(type, address),
      },
      monitor: { run: (command, out) => this.monitor(command, out) },
    };
    this.capabilities = { ...Object.fromEntries(Object.entries(all).filter(([name]) => !without.includes(name as CapabilityName))), ...extra };
  }

  featureDocument(annex: string): string | undefined {
    return annex === 'target.xml' ? FAKE_XML : undefined;
  }

  readRegisterBlock(): Uint8Array {
    const out = new Uint8Array(32);
    this.registers.forEach((v, i) => new DataView(out.buffer).setBigUint64(i * 8, v, true));
    return out;
  }

  writeRegisterBlock(bytes: Uint8Array): void {
    if (bytes.length % 8 !== 0 || bytes.length > 24) throw new TargetError(TargetErrno.EINVAL, 'bad G length');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let i = 0; i < bytes.length / 8; i++) this.registers[i] = view.getBigUint64(i * 8, true);
  }

  readRegister(regnum: number): Uint8Array {
    const v = this.registers[regnum];
    if (v === undefined) throw new TargetError(TargetErrno.ENOENT, `no register ${regnum}`);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, v, true);
    return out;
  }

  writeRegister(regnum: number, bytes: Uint8Array): void {
    if (this.registers[regnum] === undefined) throw new TargetError(TargetErrno.ENOENT, `no register ${regnum}`);
    if (regnum === 3) throw new TargetError(TargetErrno.EROFS, 'register 3 is read-only');
    if (bytes.length !== 8) throw new TargetError(TargetErrno.EINVAL, 'registers are 8 bytes');
    this.registers[regnum] = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  }

  private firstRefused(address: bigint, length: number): number {
    for (let i = 0; i < length; i++) {
      const a = address + BigInt(i);
      if (a >= BigInt(MEMORY_SIZE) || (a >= BigInt(HOLE_START) && a < BigInt(HOLE_END))) return i;
    }
    return length;
  }

  readMemory(address: bigint, length: number): Uint8Array {
    const n = this.firstRefused(address, length);
    if (n === 0) throw new TargetError(TargetErrno.EFAULT, `cannot read 0x${address.toString(16)}`);
    return this.memory.slice(Number(address), Number(address) + n);
  }

  writeMemory(address: bigint, data: Uint8Array): void {
    if (this.firstRefused(address, data.length) < data.length) throw new TargetError(TargetErrno.EFAULT, `cannot write 0x${address.toString(16)}`);
    this.memory.set(data, Number(address));
  }

  resume(action: ResumeAction, onStop: (stop: StopEvent) => void): void {
    this.events.push(`resume:${action}`);
    if (action === 'step') {
      this.last = this.nextStep ?? { signal: 5 };
      this.nextStep = undefined;
      onStop(this.last);
    } else this.onStop = onStop;
  }

  /** Ends a continue (or the next step) with `stop`, as a target that caught something would. */
  stopWith(stop: StopEvent): void {
    const cb = this.onStop;
    this.onStop = undefined;
    this.last = stop;
    if (cb) cb(stop);
    else this.nextStep = stop;
  }

  private nextStep: StopEvent | undefined;

  interrupt(): void {
    this.events.push('interrupt');
    const cb = this.onStop;
    this.onStop = undefined;
    this.last = { signal: 2 };
    cb?.(this.last);
  }

  lastStop(): StopEvent {
    return this.last;
  }

  insertBreakpoint(type: BreakpointType, address: bigint, kind: number): void {
    if (address === 0xdeadn) throw new TargetError(TargetErrno.ENOSPC, 'no room');
    this.breakpoints.push(`${type}@${address.toString(16)}/${kind}`);
  }

  removeBreakpoint(type: BreakpointType, address: bigint): void {
    const key = `${type}@${address.toString(16)}`;
    const at = this.breakpoints.findIndex((b) => b.startsWith(key));
    if (at >= 0) this.breakpoints.splice(at, 1);
  }

  async monitor(command: string, out: MonitorOutput): Promise<void> {
    if (command === 'fail') throw new TargetError(TargetErrno.EINVAL, 'that went wrong');
    if (command === 'crash') throw new Error('bug');
    await new Promise((r) => setTimeout(r, 5));
    out(`echo: ${command}\n`);
  }

  attached(): void {
    this.events.push('attached');
  }

  detached(reason: 'detach' | 'kill' | 'disconnect'): void {
    this.events.push(`detached:${reason}`);
    const cb = this.onStop;
    this.onStop = undefined;
    if (cb) this.events.push('released-running-core');
  }
}
