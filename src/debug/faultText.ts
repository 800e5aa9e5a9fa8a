// A refused access in words, as the monitor, the debugger's error replies and the logs say it:
// what was attempted, from which EL, which regime refused it, the rule, the regions and why.

import { faultAddressOf, type MachineFault } from '../machine/machine.js';

export function describeFault(fault: MachineFault): string {
  const at = `0x${faultAddressOf(fault).toString(16)}`;
  if (fault.kind === 'unmapped') return `${fault.access.kind} at ${at} refused: ${fault.reason}`;
  const f = fault.fault;
  const regions = f.regions.length ? ` (region${f.regions.length > 1 ? 's' : ''} ${f.regions.join(', ')})` : '';
  return `${f.access.kind} at ${at} from EL${f.access.el} refused by the ${f.regime === 'el2' ? 'EL2' : 'EL1&0'} MPU${f.stage2 ? ' (stage 2)' : ''}: ${f.rule}${regions}: ${f.reason}`;
}
