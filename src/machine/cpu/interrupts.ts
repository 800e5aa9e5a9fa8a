// Physical IRQs from the GIC to the core (DDI0487 D1.3.6, "Asynchronous exception masking").
// Where an IRQ is routed is exceptionRouting.ts's rule. One routed to EL2 while the core is at
// EL1 or EL0 is taken whatever PSTATE.I says (the hypervisor's interrupt cannot be masked by
// its guest); otherwise PSTATE.I masks it — at EL1 and at EL0 alike for one routed to EL1, as
// EL0 runs with the kernel's masks. One routed to a lower EL than the current one waits. The
// interpreter asks between instructions, when the GIC signals one.

import { register } from '../../arch/aarch64/registers.js';
import type { Machine } from '../machine.js';
import { irqRoute } from './exceptionRouting.js';

const HCR_EL2 = register('HCR_EL2');
const PSTATE_I = 1 << 7;

/** The EL the signalled IRQ would be taken to now, or undefined when it is masked where the core is. */
export function irqTarget(machine: Machine): 1 | 2 | undefined {
  const hcr = machine.sysregs.read(HCR_EL2.regnum);
  const target = irqRoute(hcr);
  const current = machine.currentEl;
  if (target < current) return undefined;
  if (target === 2 && current < 2) return target;
  return (machine.core.cpsr & PSTATE_I) !== 0 ? undefined : target;
}
