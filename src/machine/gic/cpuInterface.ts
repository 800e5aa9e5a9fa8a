// The GICv3 CPU interface as system registers (ICC_*_EL1, ICC_SRE_EL2): what MRS and MSR of
// each register the register table names `gic-cpu` do to the GIC model. A debugger's read
// has no side effect: ICC_IAR1_EL1 then shows the INTID a read would acknowledge.

import type { GicCpuRole } from '../../arch/aarch64/registers.js';
import { MIN_BPR1, PRIORITY_MASK, type Gic } from './gic.js';

/** ICC_SRE_ELx: SRE, DFB and DIB read as one — the CPU interface has no memory-mapped form to fall back to. */
const SRE_FIXED = 0x7n;
const SRE_EL2_ENABLE = 1n << 3n;
/** ICC_CTLR_EL1's read-only part: A3V (bit 15), IDbits 0 (16-bit INTIDs), PRIbits 4 (5 priority bits). */
const CTLR_FIXED = (1n << 15n) | (4n << 8n);
const INTID_MASK = 0xff_ffffn;

export function readCpuInterface(gic: Gic, role: GicCpuRole, byCore: boolean): bigint {
  switch (role) {
    case 'PMR':
      return BigInt(gic.priorityMask);
    case 'IAR1':
      return BigInt(byCore ? gic.acknowledge() : gic.signalledIntid());
    case 'HPPIR1':
      return BigInt(gic.highestPending());
    case 'BPR1':
      return BigInt(gic.binaryPoint1);
    case 'CTLR':
      return CTLR_FIXED | BigInt((gic.eoiMode << 1) | gic.commonBinaryPoint);
    case 'SRE_EL1':
      return SRE_FIXED;
    case 'SRE_EL2':
      return SRE_FIXED | (gic.sreEl2Enable ? SRE_EL2_ENABLE : 0n);
    case 'IGRPEN1':
      return gic.group1Enabled ? 1n : 0n;
    case 'AP1R0':
      return BigInt(gic.activePriorities >>> 0);
    case 'RPR':
      return BigInt(gic.runningPriority());
    case 'EOIR1':
    case 'DIR':
    case 'SGI1R':
      return 0n; // write-only: only a debugger gets here
  }
}

export function writeCpuInterface(gic: Gic, role: GicCpuRole, value: bigint): void {
  const low = Number(value & 0xffff_ffffn);
  switch (role) {
    case 'PMR':
      gic.priorityMask = low & PRIORITY_MASK;
      break;
    case 'BPR1':
      gic.binaryPoint1 = Math.max(MIN_BPR1, low & 7);
      break;
    case 'CTLR':
      gic.eoiMode = (low >> 1) & 1;
      gic.commonBinaryPoint = low & 1;
      break;
    case 'SRE_EL1':
      return;
    case 'SRE_EL2':
      gic.sreEl2Enable = (value & SRE_EL2_ENABLE) !== 0n;
      return;
    case 'IGRPEN1':
      gic.group1Enabled = (low & 1) === 1;
      break;
    case 'AP1R0':
      gic.activePriorities = low;
      break;
    case 'EOIR1':
      return gic.endOfInterrupt(Number(value & INTID_MASK));
    case 'DIR':
      return gic.deactivate(Number(value & INTID_MASK));
    case 'SGI1R':
      return gic.generateSgi(value);
    case 'IAR1':
    case 'HPPIR1':
    case 'RPR':
      return; // read-only: the register table refuses the write first
  }
  gic.update();
}
