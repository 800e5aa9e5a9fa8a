// AT (address translation) on a PMSA core: the instruction asks the MPU what an access at an
// address would get, and writes the answer to PAR_EL1 instead of taking a fault (DDI0600,
// "Address translation instructions", after DDI0487 D8 for the PAR_EL1 layout). VA = PA, so a
// success gives back the address's page with the region's attributes (ATTR from MAIR_ELx by
// the region's AttrIndx, SH); a refusal gives F = 1 with the fault status the abort would
// have had (FST) and S = 1 when stage 2 (the EL2 MPU over EL1&0) refused it. Nothing is
// latched: ESR and FAR keep their values. RTOSes validate system-call buffers this way
// (Zephyr's arch_buffer_validate: AT S1E0R/S1E0W, then PAR_EL1.F).

import { register } from '../../arch/aarch64/registers.js';
import { PHYS_ADDR_LIMIT } from '../access.js';
import type { Machine } from '../machine.js';
import type { InstructionOf } from './decode.js';
import { Undefined } from './outcomes.js';

const PAR_EL1 = register('PAR_EL1');
const MAIR_EL1 = register('MAIR_EL1');
const MAIR_EL2 = register('MAIR_EL2');
const PAGE_BITS = 0x0000_ffff_ffff_f000n;
const F = 1n;
const S = 1n << 9n;
/** FST for an address beyond the 48-bit physical address space: address size fault, level 0. */
const ADDRESS_SIZE_FAULT = 0x00;

export function addressTranslate(machine: Machine, insn: InstructionOf<'address-translate'>, va: bigint): void {
  const el = machine.currentEl;
  if (el < insn.minEl) throw new Undefined(`AT ${insn.name} at EL${el}: it needs EL${insn.minEl} or higher`);
  if (va >= BigInt(PHYS_ADDR_LIMIT)) {
    machine.sysregs.write(PAR_EL1.regnum, F | (BigInt(ADDRESS_SIZE_FAULT) << 1n));
    return;
  }
  const control = machine.mpuControl();
  const access = { address: Number(va), size: 1, kind: insn.write ? 'write' : 'read', el: insn.el } as const;
  const decision = machine.mpu.check(access, insn.stage2 ? control : { ...control, stage2: false });
  if (!decision.allowed) {
    const fst = machine.mpu.syndrome(decision.fault, 1).esr & 0x3fn;
    machine.sysregs.write(PAR_EL1.regnum, F | (fst << 1n) | (decision.fault.stage2 ? S : 0n));
    return;
  }
  const regime = insn.el === 2 ? 'el2' : 'el10';
  const region = decision.regions[0];
  let attributes = 0n;
  if (region !== undefined) {
    const { attrIndx, sh } = machine.mpu.effectiveRegion(regime, region);
    const mair = machine.sysregs.read((regime === 'el2' ? MAIR_EL2 : MAIR_EL1).regnum);
    attributes = (((mair >> BigInt(attrIndx * 8)) & 0xffn) << 56n) | (BigInt(sh) << 7n);
  }
  machine.sysregs.write(PAR_EL1.regnum, attributes | (va & PAGE_BITS));
}
