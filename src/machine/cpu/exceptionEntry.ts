// Taking an exception to an AArch64 exception level (DDI0487 D1.10): the return address and
// PSTATE saved in ELR_ELx and SPSR_ELx, PSTATE set to ELxh with D, A, I and F masked (the
// condition flags kept), and pc at the vector: VBAR_ELx, plus the offset of where the
// exception comes from — the same EL with SP_EL0 (0x000), the same EL with SP_ELx (0x200), a
// lower EL in AArch64 (0x400) — plus that of its type (synchronous 0x000, IRQ 0x080, FIQ
// 0x100, SError 0x180).

import type { Machine } from '../machine.js';
import { u64 } from './bigintAlu.js';
import { exceptionRegisters, type TargetEl } from './exceptionRouting.js';

export const VECTOR_OFFSETS = { synchronous: 0x000n, irq: 0x080n, fiq: 0x100n, serror: 0x180n } as const;

/** PSTATE.M for ELxh, with D, A, I and F masked. */
const ENTRY_CPSR = { 1: 0x3c5, 2: 0x3c9 } as const;
const NZCV = 0xf000_0000;

export function enterException(machine: Machine, target: TargetEl, type: keyof typeof VECTOR_OFFSETS, returnAddress: bigint): void {
  const core = machine.core;
  const from = core.el;
  const sysregs = machine.sysregs;
  const names = exceptionRegisters(target);
  sysregs.setStored(names.elr, returnAddress);
  sysregs.setStored(names.spsr, BigInt(core.cpsr >>> 0));
  const origin = from === target ? (core.spSelect === 1 ? 0x200n : 0x0n) : 0x400n;
  core.cpsr = ((core.cpsr & NZCV) | ENTRY_CPSR[target]) >>> 0;
  const vbar = sysregs.getStored(names.vbar);
  core.pc = u64((vbar & ~0x7ffn) + origin + VECTOR_OFFSETS[type]);
}
