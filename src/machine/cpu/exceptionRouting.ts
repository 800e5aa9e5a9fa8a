// Where an exception is taken (DDI0487 D1.10.1 "Exception entry" and the HCR_EL2 controls;
// DDI0600 for the MPU as stage 2). This board has EL2, EL1 and EL0 and no EL3, all in
// AArch64. The rules, in one place for the interpreter, the access path and the debugger:
//
// - Nothing is taken to a lower EL than the one it comes from: from EL2 everything stays at EL2.
// - From EL0 and EL1, synchronous exceptions go to EL1 (an exception from EL1 is taken to EL1
//   itself), except that
//     · HCR_EL2.TGE = 1 sends everything from EL0 to EL2 (the EL1&0 regime is then the host's),
//     · a fault found by the EL2 MPU acting as stage 2 (HCR_EL2.VM = 1) goes to EL2, with HPFAR_EL2,
//     · HVC goes to EL2 (HVC is UNDEFINED at EL0, and everywhere when HCR_EL2.HCD disables it),
//     · SMC, with no EL3, is UNDEFINED — unless HCR_EL2.TSC traps it from EL1 to EL2 (EC 0x17).
// - IRQs go to EL2 when HCR_EL2.IMO or TGE says so, else to EL1 (masking is interrupts.ts's).

import type { ExceptionLevel } from '../access.js';

const HCR_IMO = 1n << 4n;
const HCR_TSC = 1n << 19n;
const HCR_TGE = 1n << 27n;
const HCR_HCD = 1n << 29n;

/** The ELs an exception can be taken to on this board. */
export type TargetEl = 1 | 2;

/** Why a synchronous exception is taken. */
export type SynchronousCause = 'abort' | 'undefined' | 'svc' | 'hvc' | 'smc';

/**
 * The EL that takes a synchronous exception of `cause` raised at `from`; `stage2` says an
 * abort came from the EL2 MPU checking an EL1&0 access as stage 2.
 */
export function synchronousTarget(cause: SynchronousCause, from: ExceptionLevel, hcr: bigint, stage2 = false): TargetEl {
  if (from === 2) return 2;
  if (cause === 'hvc' || cause === 'smc') return 2; // an SMC that reaches here was trapped by TSC
  if (cause === 'abort' && stage2) return 2;
  if (from === 0 && (hcr & HCR_TGE) !== 0n) return 2;
  return 1;
}

/** HVC is an instruction at EL1 and EL2 unless HCR_EL2.HCD disables it (without EL3 it is HCR_EL2's to say). */
export function hvcEnabled(from: ExceptionLevel, hcr: bigint): boolean {
  return from !== 0 && (hcr & HCR_HCD) === 0n;
}

/** SMC without EL3: trapped to EL2 from EL1 when HCR_EL2.TSC is set, otherwise UNDEFINED. */
export function smcTrapped(from: ExceptionLevel, hcr: bigint): boolean {
  return from === 1 && (hcr & HCR_TSC) !== 0n;
}

/** The EL a physical IRQ is routed to. */
export function irqRoute(hcr: bigint): TargetEl {
  return (hcr & (HCR_IMO | HCR_TGE)) !== 0n ? 2 : 1;
}

/** Register names of the EL that takes an exception: ESR_ELx, FAR_ELx, ELR_ELx, SPSR_ELx, VBAR_ELx. */
export function exceptionRegisters(target: TargetEl) {
  return target === 2
    ? ({ esr: 'ESR_EL2', far: 'FAR_EL2', elr: 'ELR_EL2', spsr: 'SPSR_EL2', vbar: 'VBAR_EL2' } as const)
    : ({ esr: 'ESR_EL1', far: 'FAR_EL1', elr: 'ELR_EL1', spsr: 'SPSR_EL1', vbar: 'VBAR_EL1' } as const);
}
