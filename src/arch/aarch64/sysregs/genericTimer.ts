// The generic timer's system registers (DDI0487 D11 "The Generic Timer"): the counter, its
// frequency, and the four timers a PE at EL2 has — EL1 physical (CNTP), EL1 virtual (CNTV),
// EL2 physical (CNTHP) and Secure EL2 physical (CNTHPS, the one Xen's MPU build uses: Armv8-R
// AArch64 executes in Secure state). src/machine/timer.ts implements them; the counter's
// rate and the interrupts each timer raises are documented there and in docs/devices.md.

import { sysreg } from '../encoding.js';
import { field } from '../fields.js';
import type { SysregInit, TimerName } from '../registers.js';

const CTL_FIELDS = [
  field('ENABLE', 0, 0, 'timer enabled'),
  field('IMASK', 1, 1, 'interrupt masked'),
  field('ISTATUS', 2, 2, 'condition met (read-only)'),
];

const CNTHCTL_FIELDS = [
  field('EL1PCTEN', 0, 0, 'EL1/EL0 may read the physical counter'),
  field('EL1PCEN', 1, 1, 'EL1/EL0 may use the EL1 physical timer'),
  field('EVNTEN', 2, 2, 'event stream enable'),
  field('EVNTDIR', 3, 3, 'event stream transition direction'),
  field('EVNTI', 7, 4, 'event stream counter bit'),
];

/** 100 MHz: the rate CNTFRQ_EL0 reports (firmware sets it on hardware; the board does at reset). */
export const COUNTER_FREQUENCY_HZ = 100_000_000n;

/** CTL, CVAL and TVAL of one timer: op2 1, 2 and 0 of the same CRn = 14, CRm. */
function timerRegisters<P extends string>(prefix: P, op1: number, crm: number, timer: TimerName, what: string) {
  return [
    { name: `${prefix}_CTL_${op1 === 3 ? 'EL0' : 'EL2'}` as `${P}_CTL_EL0` | `${P}_CTL_EL2`, enc: sysreg(3, op1, 14, crm, 1), behaviour: { kind: 'timer', timer, role: 'CTL' }, fields: CTL_FIELDS, type: 'cnt_ctl_flags', doc: `${what}: control (ENABLE, IMASK; ISTATUS read-only)` },
    { name: `${prefix}_CVAL_${op1 === 3 ? 'EL0' : 'EL2'}` as `${P}_CVAL_EL0` | `${P}_CVAL_EL2`, enc: sysreg(3, op1, 14, crm, 2), behaviour: { kind: 'timer', timer, role: 'CVAL' }, doc: `${what}: compare value (fires when the count reaches it)` },
    { name: `${prefix}_TVAL_${op1 === 3 ? 'EL0' : 'EL2'}` as `${P}_TVAL_EL0` | `${P}_TVAL_EL2`, enc: sysreg(3, op1, 14, crm, 0), behaviour: { kind: 'timer', timer, role: 'TVAL' }, doc: `${what}: signed 32-bit ticks to go (CVAL - count)` },
  ] as const;
}

export const GENERIC_TIMER_REGISTERS = [
  { name: 'CNTFRQ_EL0', enc: sysreg(3, 3, 14, 0, 0), reset: COUNTER_FREQUENCY_HZ, res0: 0xffff_ffff_0000_0000n, doc: 'counter frequency in Hz (100 MHz: one tick per retired instruction)' },
  { name: 'CNTPCT_EL0', enc: sysreg(3, 3, 14, 0, 1), access: 'ro', behaviour: { kind: 'counter', role: 'physical' }, doc: 'physical count: ticks since reset' },
  { name: 'CNTVCT_EL0', enc: sysreg(3, 3, 14, 0, 2), access: 'ro', behaviour: { kind: 'counter', role: 'virtual' }, doc: 'virtual count: physical count - CNTVOFF_EL2' },
  { name: 'CNTVOFF_EL2', enc: sysreg(3, 4, 14, 0, 3), behaviour: { kind: 'counter', role: 'virtual-offset' }, doc: 'virtual count offset' },
  { name: 'CNTHCTL_EL2', enc: sysreg(3, 4, 14, 1, 0), fields: CNTHCTL_FIELDS, doc: 'EL1/EL0 access to the counter and EL1 timers (kept; not enforced)' },
  { name: 'CNTKCTL_EL1', enc: sysreg(3, 0, 14, 1, 0), doc: 'EL0 access to the counter and timers (kept; not enforced)' },
  ...timerRegisters('CNTP', 3, 2, 'el1-physical', 'EL1 physical timer'),
  ...timerRegisters('CNTV', 3, 3, 'el1-virtual', 'EL1 virtual timer'),
  ...timerRegisters('CNTHP', 4, 2, 'el2-physical', 'EL2 physical timer'),
  ...timerRegisters('CNTHPS', 4, 5, 'el2-secure-physical', 'Secure EL2 physical timer'),
] as const satisfies readonly SysregInit[];
