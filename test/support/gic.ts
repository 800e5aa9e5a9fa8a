// The GIC set-up the interrupt tests share: the distributor and the PE's redistributor
// enabled, every SGI and PPI in Group 1, the CPU interface letting Group 1 through at any
// priority — what a kernel's GIC init does before its first interrupt. Addresses are the
// default board's (the FVP BaseR map).

import { register } from '../../src/arch/aarch64/registers.js';
import type { Machine } from '../../src/machine/machine.js';
import { writeWords } from './words.js';

const GICD_CTLR = 0xaf00_0000;
const GICR_WAKER = 0xaf10_0014;
const GICR_IGROUPR0 = 0xaf11_0080;
const GICR_ISENABLER0 = 0xaf11_0100;

/** Enables the SGIs and PPIs whose bits are set in `enabled` (INTIDs 0–31) as Group 1 interrupts the core may take. */
export function enableGroup1(machine: Machine, enabled: number): void {
  writeWords(machine, GICD_CTLR, [0x13]); // ARE | EnableGrp1 | EnableGrp0
  writeWords(machine, GICR_WAKER, [0]); // awake
  writeWords(machine, GICR_IGROUPR0, [0xffff_ffff]);
  writeWords(machine, GICR_ISENABLER0, [enabled]);
  machine.writeRegister(register('ICC_PMR_EL1'), 0xf0n, 'debugger');
  machine.writeRegister(register('ICC_IGRPEN1_EL1'), 1n, 'debugger');
}
