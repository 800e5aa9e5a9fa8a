// Physical IRQs from the GIC to the core (DDI0487 D1.3.6, "Asynchronous exception routing"
// and "masking"). An IRQ goes to EL2 when HCR_EL2.IMO or TGE routes it there, else to EL1. It
// is taken when it targets a higher EL than the current one (PSTATE.I does not mask it
// then), or the current EL with PSTATE.I clear; one that targets a lower EL than the current
// one waits. The interpreter asks between instructions, when the GIC signals one.

import { register } from '../../arch/aarch64/registers.js';
import type { Machine } from '../machine.js';

const HCR_EL2 = register('HCR_EL2');
const HCR_IMO = 1n << 4n;
const HCR_TGE = 1n << 27n;
const PSTATE_I = 1 << 7;

/** The EL the signalled IRQ would be taken to now, or undefined when it is masked where the core is. */
export function irqTarget(machine: Machine): 1 | 2 | undefined {
  const hcr = machine.sysregs.read(HCR_EL2.regnum);
  const target = (hcr & (HCR_IMO | HCR_TGE)) !== 0n ? 2 : 1;
  const current = machine.currentEl;
  if (target < current) return undefined;
  if (target === current && (machine.core.cpsr & PSTATE_I) !== 0) return undefined;
  return target;
}
