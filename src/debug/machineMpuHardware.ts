// The simulated machine seen as the hardware Xen's MPU code programs: MRS/MSR of the EL2 MPU
// registers and the DSB/ISB barriers. Writes are made as the core's own (origin 'core'), so
// they follow the architecture's rule — programmed at once, effective only after DSB + ISB —
// and a missing synchronisation shows up exactly as it would on silicon. They are reported as
// the map service's (not code on the core) in the MPU's events: no catchpoint stops on them.

import { registerByName, type RegisterSpec } from '../arch/aarch64/registers.js';
import type { Machine } from '../machine/machine.js';
import type { MpuHardware, XenSysreg } from '../xen/hardware.js';

function specOf(register: XenSysreg): RegisterSpec {
  const name =
    register.name === 'PRBAR_EL2' || register.name === 'PRLAR_EL2'
      ? register.n === 0
        ? register.name
        : register.name.replace('_EL2', `${register.n}_EL2`)
      : register.name;
  const spec = registerByName(name);
  if (!spec) throw new RangeError(`no register ${name}`);
  return spec;
}

export class MachineMpuHardware implements MpuHardware {
  constructor(private readonly machine: Machine) {}

  read(register: XenSysreg): bigint {
    return this.machine.readRegister(specOf(register));
  }

  write(register: XenSysreg, value: bigint): void {
    this.machine.performedBy('map-service', () => this.machine.writeRegister(specOf(register), value, 'core'));
  }

  isb(): void {
    this.machine.performedBy('map-service', () => this.machine.isb());
  }

  dsb(): void {
    this.machine.performedBy('map-service', () => this.machine.dsb());
  }

  /** The programmed EL2 registers straight from the model: what MRS would read, with no side effect. */
  inspect(): ReturnType<NonNullable<MpuHardware['inspect']>> {
    const mpu = this.machine.mpu;
    const regions = [];
    for (let index = 0; index < mpu.regionCount('el2'); index++) {
      const { prbar, prlar } = mpu.programmedRegion('el2', index);
      regions.push({ index, prbar, prlar });
    }
    return {
      mpuir: this.read({ name: 'MPUIR_EL2' }),
      prselr: this.read({ name: 'PRSELR_EL2' }),
      prenr: this.read({ name: 'PRENR_EL2' }),
      sctlr: this.read({ name: 'SCTLR_EL2' }),
      regions,
    };
  }
}
