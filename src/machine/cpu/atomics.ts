// What the interpreter needs to execute the LSE atomics (LD<op>, SWP, CAS, CASP) and DC ZVA
// beyond ordinary loads and stores: the operations' arithmetic, and the verdict on their
// memory access, which the architecture reaches differently from a load followed by a store.
//
// An atomic is ONE access that must be both readable and writable (DDI0487 pseudocode,
// AArch64.CheckPermission: for AccType_ATOMICRW `fail = !r || !w; failedread = !r`, and the
// permission fault's WnR is `!failedread`). So a location the MPU makes read-only faults as a
// write (WnR = 1), one it makes inaccessible as a read (WnR = 0) — and a CAS whose comparison
// fails faults exactly like one that succeeds, since its read is already that ATOMICRW access.
// It must be naturally aligned (CASP: to the pair's size) whatever SCTLR.A says
// (AArch64.CheckAlignment: `check = atomic | ordered`); the alignment fault comes from the
// read, so WnR = 0. DC ZVA is checked as a write (WnR = 1) of the whole block, and a fault
// reports in FAR the address the register gave, not the block's start (DDI0595 FAR_ELx:
// "generated from a data cache maintenance or DC ZVA instruction, this field holds the
// address specified in the register argument").
//
// The machine latches the syndrome of the accesses it refuses itself (Machine.coreLoad/
// coreStore); these verdicts are reached here, from checks made before any byte moves, so
// they are latched here the same way.

import type { Machine, MachineFault } from '../machine.js';
import type { MpuFault } from '../mpu/types.js';
import type { AccessSize, AtomicOp } from './decode.js';

/** The value an LD<op> or SWP writes back, from the old memory value and the operand Rs. */
export function atomicResult(op: AtomicOp, old: bigint, operand: bigint, size: AccessSize): bigint {
  const bits = size * 8;
  const a = BigInt.asUintN(bits, old);
  const b = BigInt.asUintN(bits, operand);
  switch (op) {
    case 'add': return BigInt.asUintN(bits, a + b);
    case 'clr': return a & ~b & ((1n << BigInt(bits)) - 1n);
    case 'eor': return a ^ b;
    case 'set': return a | b;
    case 'smax': return BigInt.asIntN(bits, a) >= BigInt.asIntN(bits, b) ? a : b;
    case 'smin': return BigInt.asIntN(bits, a) <= BigInt.asIntN(bits, b) ? a : b;
    case 'umax': return a >= b ? a : b;
    case 'umin': return a <= b ? a : b;
    case 'swp': return b;
  }
}

/**
 * The fault of one atomic read-modify-write of `size` bytes at `address`, or undefined when
 * it may proceed: alignment first, then the read and the write verdicts as one access.
 */
export function readWriteFault(machine: Machine, address: number, size: number): MachineFault | undefined {
  if (address % size !== 0) return alignmentFault(machine, address, size);
  const el = machine.currentEl;
  const read = machine.check({ address, size, kind: 'read', el }, 'core');
  const write = machine.check({ address, size, kind: 'write', el }, 'core');
  if (!read || !write) return read ?? write;
  // Both refused: the one found first on the way to memory — stage 1, stage 2, then the bus
  // (an address nothing decodes) — and between equals the read, since `!r` decides WnR.
  return stage(write) < stage(read) ? write : read;
}

/** Where a refusal arises: 0 the stage 1 MPU, 1 the EL2 MPU as stage 2, 2 the bus. */
function stage(fault: MachineFault): number {
  if (fault.kind === 'unmapped') return 2;
  return fault.fault.stage2 ? 1 : 0;
}

/**
 * The alignment fault of a misaligned atomic: reported as the read's (WnR = 0), raised by
 * the core whatever SCTLR.A says, before the MPU is consulted.
 */
function alignmentFault(machine: Machine, address: number, size: number): MachineFault {
  const el = machine.currentEl;
  const fault: MpuFault = {
    access: { address, size, kind: 'read', el },
    faultAddress: address,
    regime: el === 2 ? 'el2' : 'el10',
    stage2: false,
    status: 'alignment',
    level: 0,
    rule: 'alignment',
    regions: [],
    reason: `a ${size}-byte atomic access at 0x${address.toString(16)} is misaligned: atomics must be naturally aligned whatever SCTLR.A says`,
  };
  return { kind: 'mpu', origin: 'core', fault, syndrome: machine.mpu.syndrome(fault, machine.abortTarget(el, false)) };
}

/**
 * The fault of DC ZVA zeroing `blockSize` bytes at `start` for the address `target` in Xt:
 * the byte at `target` first, so that FAR holds the register's address; then the rest of the
 * block (which, with 64-byte blocks and 64-byte MPU granules, can only differ where the board
 * maps nothing).
 */
export function blockWriteFault(machine: Machine, target: number, start: number, blockSize: number): MachineFault | undefined {
  const el = machine.currentEl;
  return machine.check({ address: target, size: 1, kind: 'write', el }, 'core') ?? machine.check({ address: start, size: blockSize, kind: 'write', el }, 'core');
}

/** Latches `fault` as the core's, as Machine does for its own refusals. */
export function latchFault(machine: Machine, fault: MachineFault): void {
  machine.lastFault = fault;
  machine.latchSyndrome(fault.syndrome);
}
