// The controls SCTLR_EL1 and HCR_EL2 put on instructions below EL2 (DDI0487 D1.11
// "Configurable instruction controls"), checked before the instruction does anything:
//
// - WFI/WFE at EL0 are trapped to EL1 unless SCTLR_EL1.nTWI/nTWE is set; at EL0 and EL1 to EL2
//   when HCR_EL2.TWI/TWE is set. EC 0x01, ISS.TI says which (CV = 1, COND = 0b1110 from AArch64).
// - At EL0, SCTLR_EL1 gates what an unprivileged task may reach, trapped to EL1 with EC 0x18
//   (the ISS names the instruction's op0, op1, CRn, CRm, op2, Rt and direction): DAIF through
//   MRS/MSR and MSR DAIFSet/DAIFClr (UMA), CTR_EL0 (UCT), DC ZVA (DZE), and DC CVAU, CIVAC,
//   CVAC, CVAP and IC IVAU (UCI). Every other cache, TLB or address-translation instruction is
//   UNDEFINED at EL0, and those with op1 = 4 (EL2's) below EL2.
// HCR_EL2.TGE sends what would go to EL1 from EL0 to EL2 (exceptionRouting.ts).

import { decodeEncodingNumber, encodingNumber, sysreg, type SysregEncoding } from '../../arch/aarch64/encoding.js';
import { register } from '../../arch/aarch64/registers.js';
import { EC } from '../../arch/aarch64/syndrome.js';
import type { Machine } from '../machine.js';
import { synchronousTarget } from './exceptionRouting.js';
import { Trapped, Undefined } from './outcomes.js';

const SCTLR_EL1 = register('SCTLR_EL1');
const HCR_EL2 = register('HCR_EL2');

const DAIF = encodingNumber(sysreg(3, 3, 4, 2, 1));
const CTR_EL0 = encodingNumber(sysreg(3, 3, 0, 0, 1));
const DC_ZVA = sysreg(1, 3, 7, 4, 1);
const DC_ZVA_NUMBER = encodingNumber(DC_ZVA);

/** The SCTLR_EL1 bit that lets EL0 do a thing, by the field's name. */
const SCTLR_EL1_ALLOWS = { UMA: 9, DZE: 14, UCT: 15, nTWI: 16, nTWE: 18, UCI: 26 } as const;
const HCR_TWI = 13;
const HCR_TWE = 14;

const bit = (value: bigint, n: number): boolean => ((value >> BigInt(n)) & 1n) === 1n;

/** Throws Trapped when WFI or WFE may not wait at the current EL. */
export function checkWaitTrap(machine: Machine, instruction: 'WFI' | 'WFE'): void {
  const el = machine.currentEl;
  if (el === 2) return;
  const wfe = instruction === 'WFE';
  const iss = (1 << 24) | (0xe << 20) | (wfe ? 1 : 0);
  const hcr = machine.sysregs.read(HCR_EL2.regnum);
  const control = wfe ? 'nTWE' : 'nTWI';
  if (el === 0 && !bit(machine.sysregs.read(SCTLR_EL1.regnum), SCTLR_EL1_ALLOWS[control])) {
    throw new Trapped(EC.wfx, iss, synchronousTarget('undefined', 0, hcr), `${instruction} at EL0 with SCTLR_EL1.${control}=0`);
  }
  if (bit(hcr, wfe ? HCR_TWE : HCR_TWI)) throw new Trapped(EC.wfx, iss, 2, `${instruction} at EL${el} with HCR_EL2.${wfe ? 'TWE' : 'TWI'}=1`);
}

/** An MRS/MSR, MSR (immediate) or SYS instruction as its trap syndrome names it. */
interface SystemAccess {
  readonly encoding: SysregEncoding;
  readonly rt: number;
  /** MRS (a read) rather than MSR or SYS. */
  readonly read: boolean;
}

/** MRS/MSR of `regnum` (the decoder's number): the checks below, its encoding built only at EL0. */
export function checkEl0RegisterAccess(machine: Machine, regnum: number, rt: number, read: boolean): void {
  if (machine.currentEl === 0) checkEl0SystemAccess(machine, { encoding: decodeEncodingNumber(regnum), rt, read });
}

/** DC ZVA (under SCTLR_EL1.DZE at EL0). */
export function checkEl0DcZva(machine: Machine, rt: number): void {
  if (machine.currentEl === 0) checkEl0SystemAccess(machine, { encoding: DC_ZVA, rt, read: false });
}

/** MSR DAIFSet (op2 6) or DAIFClr (op2 7) with its immediate in CRm. */
export function checkEl0DaifImmediate(machine: Machine, op2: 6 | 7, crm: number): void {
  if (machine.currentEl === 0) checkEl0SystemAccess(machine, { encoding: sysreg(0, 3, 4, crm, op2), rt: 31, read: false });
}

/** Throws Trapped (or Undefined) when SCTLR_EL1 keeps this access from EL0; nothing above EL0. */
function checkEl0SystemAccess(machine: Machine, access: SystemAccess): void {
  if (machine.currentEl !== 0) return;
  const control = el0Control(access.encoding);
  if (control === undefined) return;
  if (bit(machine.sysregs.read(SCTLR_EL1.regnum), SCTLR_EL1_ALLOWS[control])) return;
  const { op0, op1, crn, crm, op2 } = access.encoding;
  const iss = (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (access.rt << 5) | (crm << 1) | (access.read ? 1 : 0);
  const target = synchronousTarget('undefined', 0, machine.sysregs.read(HCR_EL2.regnum));
  throw new Trapped(EC.systemAccess, iss, target, `${describe(access.encoding)} at EL0 with SCTLR_EL1.${control}=0`);
}

/**
 * A SYS instruction (op0 = 1) other than DC ZVA and AT, which have no effect on this memory
 * model: at EL0 only the op1 = 3 cache maintenance is an instruction (under UCI), and op1 = 4
 * is EL2's.
 */
export function checkCacheMaintenance(machine: Machine, op1: number, crn: number, crm: number, op2: number, rt: number): void {
  const el = machine.currentEl;
  if (el === 2) return; // every SYS instruction is EL2's to execute
  const encoding = sysreg(1, op1, crn, crm, op2);
  if (encoding.op1 === 4) throw new Undefined(`${describe(encoding)} at EL${el}: it needs EL2`);
  if (el === 0 && !(encoding.op1 === 3 && el0CacheMaintenance(encoding))) throw new Undefined(`${describe(encoding)} at EL0: it needs EL1 or higher`);
  checkEl0SystemAccess(machine, { encoding, rt, read: false });
}

function el0Control(e: SysregEncoding): keyof typeof SCTLR_EL1_ALLOWS | undefined {
  const n = encodingNumber(e);
  if (n === DAIF) return 'UMA';
  if (e.op0 === 0 && e.op1 === 3 && e.crn === 4 && (e.op2 === 6 || e.op2 === 7)) return 'UMA'; // MSR DAIFSet/DAIFClr
  if (n === CTR_EL0) return 'UCT';
  if (n === DC_ZVA_NUMBER) return 'DZE';
  if (e.op0 === 1 && e.op1 === 3 && el0CacheMaintenance(e)) return 'UCI';
  return undefined;
}

/** DC CVAU (C11), CIVAC (C14), CVAC (C10), CVAP (C12) and IC IVAU (C5), all op2 = 1. */
function el0CacheMaintenance(e: SysregEncoding): boolean {
  return e.crn === 7 && e.op2 === 1 && [5, 10, 11, 12, 14].includes(e.crm);
}

function describe(e: SysregEncoding): string {
  if (encodingNumber(e) === DAIF) return 'DAIF';
  if (encodingNumber(e) === CTR_EL0) return 'CTR_EL0';
  if (e.op0 === 0) return e.op2 === 6 ? 'MSR DAIFSet' : 'MSR DAIFClr';
  return `SYS #${e.op1}, C${e.crn}, C${e.crm}, #${e.op2}`;
}
