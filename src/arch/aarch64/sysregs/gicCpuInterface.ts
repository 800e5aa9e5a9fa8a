// The GICv3 CPU interface's system registers (IHI0069 chapter 12): the ICC_* registers the PE
// uses to take, end and mask interrupts, implemented by the GIC model
// (src/machine/gic/cpuInterface.ts), and the ICH_* registers of the virtual CPU interface,
// which a hypervisor programs and saves for its guests. Virtual interrupts are not
// delivered: the ICH_* registers keep what is written, and ICH_VTR_EL2 describes the
// interface Xen sizes its list-register code by.

import { sysreg } from '../encoding.js';
import { field } from '../fields.js';
import type { GicCpuRole, SysregInit } from '../registers.js';

const gic = (role: GicCpuRole) => ({ kind: 'gic-cpu', role }) as const;

const INTID_FIELDS = [field('INTID', 23, 0, 'interrupt ID')];

const CTLR_FIELDS = [
  field('CBPR', 0, 0, 'common binary point for both groups'),
  field('EOImode', 1, 1, '1: EOIR drops priority only, DIR deactivates'),
  field('PMHE', 6, 6, 'priority mask hint enable'),
  field('PRIbits', 10, 8, 'priority bits implemented - 1 (read-only)'),
  field('IDbits', 13, 11, 'INTID bits: 0 = 16 (read-only)'),
  field('SEIS', 14, 14, 'locally generated SErrors (read-only)'),
  field('A3V', 15, 15, 'non-zero Aff3 supported (read-only)'),
];

const SRE_FIELDS = [
  field('SRE', 0, 0, 'system register interface enabled (reads 1)'),
  field('DFB', 1, 1, 'disable FIQ bypass (reads 1)'),
  field('DIB', 2, 2, 'disable IRQ bypass (reads 1)'),
  field('Enable', 3, 3, 'EL1 may access ICC_SRE_EL1 (ICC_SRE_EL2 only)'),
];

const SGI1R_FIELDS = [
  field('TargetList', 15, 0, 'PEs of Aff0 = RS * 16 + n'),
  field('Aff1', 23, 16, 'affinity 1 of the targets'),
  field('INTID', 27, 24, 'SGI number'),
  field('Aff2', 39, 32, 'affinity 2 of the targets'),
  field('IRM', 40, 40, 'every PE but this one'),
  field('RS', 47, 44, 'range selector of TargetList'),
  field('Aff3', 55, 48, 'affinity 3 of the targets'),
];

const VTR_FIELDS = [
  field('ListRegs', 4, 0, 'list registers implemented - 1'),
  field('nV4', 20, 20, 'no direct injection of virtual interrupts (GICv4)'),
  field('A3V', 21, 21, 'non-zero Aff3 supported'),
  field('IDbits', 25, 23, 'virtual INTID bits: 0 = 16'),
  field('PREbits', 28, 26, 'virtual preemption bits - 1'),
  field('PRIbits', 31, 29, 'virtual priority bits - 1'),
];

/**
 * Four list registers (ListRegs 3), 5 bits of virtual priority and preemption (PRIbits =
 * PREbits = 4, the physical interface's width; Xen requires 5 to 7), 16-bit INTIDs, non-zero
 * Aff3, no GICv4 direct injection (nV4): so only ICH_AP0R0/ICH_AP1R0 exist, and ICH_LR0..3.
 */
const ICH_VTR = 0x9030_0003n;

export const GIC_CPU_INTERFACE_REGISTERS = [
  { name: 'ICC_PMR_EL1', enc: sysreg(3, 0, 4, 6, 0), behaviour: gic('PMR'), doc: 'priority mask: only higher priorities (lower values) are signalled' },
  { name: 'ICC_IAR1_EL1', enc: sysreg(3, 0, 12, 12, 0), access: 'ro', behaviour: gic('IAR1'), fields: INTID_FIELDS, type: 'intid_flags', doc: 'acknowledge: the signalled Group 1 INTID (1023: none), now active (a debugger read only looks)' },
  { name: 'ICC_EOIR1_EL1', enc: sysreg(3, 0, 12, 12, 1), access: 'wo', behaviour: gic('EOIR1'), fields: INTID_FIELDS, type: 'intid_flags', doc: 'end of interrupt: priority drop (and deactivation when EOImode = 0)' },
  { name: 'ICC_HPPIR1_EL1', enc: sysreg(3, 0, 12, 12, 2), access: 'ro', behaviour: gic('HPPIR1'), fields: INTID_FIELDS, type: 'intid_flags', doc: 'highest-priority pending Group 1 INTID (1023: none)' },
  { name: 'ICC_BPR1_EL1', enc: sysreg(3, 0, 12, 12, 3), behaviour: gic('BPR1'), doc: 'binary point: priority bits [7:BPR1] preempt (at least 3)' },
  { name: 'ICC_CTLR_EL1', enc: sysreg(3, 0, 12, 12, 4), behaviour: gic('CTLR'), fields: CTLR_FIELDS, doc: 'CPU interface control: EOImode, and what is implemented' },
  { name: 'ICC_SRE_EL1', enc: sysreg(3, 0, 12, 12, 5), behaviour: gic('SRE_EL1'), fields: SRE_FIELDS, type: 'icc_sre_flags', doc: 'EL1 system register enable (always on: no memory-mapped CPU interface)' },
  { name: 'ICC_IGRPEN1_EL1', enc: sysreg(3, 0, 12, 12, 7), behaviour: gic('IGRPEN1'), doc: 'Group 1 interrupts enable (bit 0)' },
  { name: 'ICC_AP1R0_EL1', enc: sysreg(3, 0, 12, 9, 0), behaviour: gic('AP1R0'), doc: 'active priorities: bit n = group priority n << 3 active' },
  { name: 'ICC_DIR_EL1', enc: sysreg(3, 0, 12, 11, 1), access: 'wo', behaviour: gic('DIR'), fields: INTID_FIELDS, type: 'intid_flags', doc: 'deactivate an interrupt (EOImode = 1)' },
  { name: 'ICC_RPR_EL1', enc: sysreg(3, 0, 12, 11, 3), access: 'ro', behaviour: gic('RPR'), doc: 'running priority (0xFF: none active)' },
  { name: 'ICC_SGI1R_EL1', enc: sysreg(3, 0, 12, 11, 5), access: 'wo', behaviour: gic('SGI1R'), fields: SGI1R_FIELDS, doc: 'raise a Group 1 SGI on the PEs named' },
  { name: 'ICC_SRE_EL2', enc: sysreg(3, 4, 12, 9, 5), behaviour: gic('SRE_EL2'), fields: SRE_FIELDS, type: 'icc_sre_flags', doc: 'EL2 system register enable (SRE always on) and EL1 access to ICC_SRE_EL1' },
  { name: 'ICH_AP0R0_EL2', enc: sysreg(3, 4, 12, 8, 0), doc: 'virtual Group 0 active priorities (kept)' },
  { name: 'ICH_AP1R0_EL2', enc: sysreg(3, 4, 12, 9, 0), doc: 'virtual Group 1 active priorities (kept)' },
  { name: 'ICH_HCR_EL2', enc: sysreg(3, 4, 12, 11, 0), doc: 'virtual CPU interface control (kept; no virtual interrupts are delivered)' },
  { name: 'ICH_VTR_EL2', enc: sysreg(3, 4, 12, 11, 1), access: 'ro', behaviour: { kind: 'fixed', value: ICH_VTR }, fields: VTR_FIELDS, doc: 'virtual CPU interface type: 4 list registers, 5 priority bits' },
  { name: 'ICH_VMCR_EL2', enc: sysreg(3, 4, 12, 11, 7), doc: 'virtual machine control (kept)' },
  { name: 'ICH_LR0_EL2', enc: sysreg(3, 4, 12, 12, 0), doc: 'list register 0 (kept)' },
  { name: 'ICH_LR1_EL2', enc: sysreg(3, 4, 12, 12, 1), doc: 'list register 1 (kept)' },
  { name: 'ICH_LR2_EL2', enc: sysreg(3, 4, 12, 12, 2), doc: 'list register 2 (kept)' },
  { name: 'ICH_LR3_EL2', enc: sysreg(3, 4, 12, 12, 3), doc: 'list register 3 (kept)' },
] as const satisfies readonly SysregInit[];
