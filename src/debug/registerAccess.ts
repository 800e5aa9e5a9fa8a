// The debugger's view of the board's registers: the `g` block and single registers by GDB
// number, as little-endian bytes, with the register table deciding layout, size and access.
// A write that moves pc is reported, since it abandons the instruction the core stopped on.

import { endianness } from 'node:os';
import { G_PACKET_REGISTERS, registerByNumber, type RegisterSpec } from '../arch/aarch64/registers.js';
import type { Machine } from '../machine/machine.js';
import { RegisterAccessError } from '../machine/sysregs.js';
import { TargetErrno, TargetError } from '../rsp/target.js';

const G_PACKET_BYTES = G_PACKET_REGISTERS.reduce((n, reg) => n + reg.bitsize / 8, 0);
/** v0 is register 34; core.v holds v0..v31 as 16 little-endian bytes each. */
const FIRST_VECTOR_REGNUM = 34;
const LAST_VECTOR_REGNUM = FIRST_VECTOR_REGNUM + 31;

/**
 * The `g` block's layout as the core stores it: x0..x30 (8 bytes each, the core's own 64-bit
 * bank), sp, pc (8 each), cpsr (4). When the register table says exactly this and the host is
 * little-endian (the bank's bytes are then already the target's order), the block is one copy
 * and three scalar stores instead of a BigInt per register; otherwise the general loop serves.
 */
const CORE_LAYOUT: ReadonlyArray<readonly [number, number]> = [
  ...Array.from({ length: 31 }, (_, n) => [n, 64] as const),
  [31, 64],
  [32, 64],
  [33, 32],
];
const LITTLE_ENDIAN_HOST = endianness() === 'LE';
const DIRECT_BLOCK =
  LITTLE_ENDIAN_HOST &&
  G_PACKET_REGISTERS.length === CORE_LAYOUT.length &&
  G_PACKET_REGISTERS.every((reg, i) => reg.regnum === CORE_LAYOUT[i]![0] && reg.bitsize === CORE_LAYOUT[i]![1]);
const X_BYTES = 31 * 8;
const SP_AT = X_BYTES;
const PC_AT = SP_AT + 8;
const CPSR_AT = PC_AT + 8;

function toBytes(value: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = value;
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function fromBytes(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

export class RegisterAccess {
  /**
   * The `g` block, filled again on every read (its bytes are valid until the next one, as
   * DebugTarget.readRegisterBlock allows): `g` comes after every stop and cache flush, and
   * between two of them GDB leaves the stub's caches cold, so no fresh buffer, view or
   * DataView per read.
   */
  private readonly block = new Uint8Array(G_PACKET_BYTES);
  private readonly blockView = new DataView(this.block.buffer);
  /** x0..x30 of the core's bank as bytes (the bank is never replaced). */
  private readonly xBytes: Uint8Array;

  constructor(
    private readonly machine: Machine,
    /** Called after a debugger write changed pc. */
    private readonly onPcMoved: () => void,
  ) {
    const { x } = machine.core;
    this.xBytes = new Uint8Array(x.buffer, x.byteOffset, X_BYTES);
  }

  readBlock(): Uint8Array {
    const out = this.block;
    if (DIRECT_BLOCK) {
      const { core } = this.machine;
      const view = this.blockView;
      out.set(this.xBytes, 0);
      view.setBigUint64(SP_AT, this.machine.readStackPointer(), true);
      view.setBigUint64(PC_AT, core.pc, true);
      view.setUint32(CPSR_AT, core.cpsr >>> 0, true);
      return out;
    }
    let at = 0;
    for (const reg of G_PACKET_REGISTERS) {
      out.set(this.read(reg.regnum), at);
      at += reg.bitsize / 8;
    }
    return out;
  }

  writeBlock(bytes: Uint8Array): void {
    // Validate the whole block first so that a malformed G changes nothing.
    if (bytes.length > G_PACKET_BYTES) {
      throw new TargetError(TargetErrno.EINVAL, `G packet of ${bytes.length} bytes is longer than the g layout (${G_PACKET_BYTES} bytes: ${G_PACKET_REGISTERS.map((r) => r.name).join(', ')})`);
    }
    let at = 0;
    const writes: Array<[RegisterSpec, bigint]> = [];
    for (const reg of G_PACKET_REGISTERS) {
      const size = reg.bitsize / 8;
      if (at + size > bytes.length) break;
      writes.push([reg, fromBytes(bytes.subarray(at, at + size))]);
      at += size;
    }
    if (at !== bytes.length) {
      throw new TargetError(TargetErrno.EINVAL, `G packet of ${bytes.length} bytes does not end on a register boundary`);
    }
    this.watchingPc(() => {
      for (const [reg, value] of writes) this.machine.writeRegister(reg, value, 'debugger');
    });
  }

  read(regnum: number): Uint8Array {
    // v0..v31 are outside `g` and come one `p` each (`info all-registers`, `p $v0`, saving
    // registers around an inferior call): copied as stored, not rebuilt through a BigInt.
    if (LITTLE_ENDIAN_HOST && regnum >= FIRST_VECTOR_REGNUM && regnum <= LAST_VECTOR_REGNUM) {
      const first = (regnum - FIRST_VECTOR_REGNUM) * 16;
      return this.machine.core.v.slice(first, first + 16);
    }
    const reg = this.spec(regnum);
    return toBytes(this.machine.readRegister(reg), reg.bitsize / 8);
  }

  write(regnum: number, bytes: Uint8Array): void {
    const reg = this.spec(regnum);
    if (bytes.length !== reg.bitsize / 8) {
      throw new TargetError(TargetErrno.EINVAL, `${reg.name} is ${reg.bitsize / 8} bytes, got ${bytes.length}`);
    }
    try {
      this.watchingPc(() => this.machine.writeRegister(reg, fromBytes(bytes), 'debugger'));
    } catch (err) {
      if (err instanceof RegisterAccessError) {
        throw new TargetError(err.kind === 'read-only' ? TargetErrno.EROFS : TargetErrno.ENOENT, err.message);
      }
      throw err;
    }
  }

  /** Runs `write`, then reports whether it moved pc (GDB's `jump`, `set $pc`). */
  private watchingPc(write: () => void): void {
    const before = this.machine.core.pc;
    write();
    if (this.machine.core.pc !== before) this.onPcMoved();
  }

  private spec(regnum: number): RegisterSpec {
    const reg = registerByNumber(regnum);
    if (!reg) throw new TargetError(TargetErrno.ENOENT, `no register number ${regnum} (0x${regnum.toString(16)})`);
    return reg;
  }
}
