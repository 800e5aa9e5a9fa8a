// The MPU the benchmarks measure: `count` regions of `size` bytes side by side from 0, RW at
// EL2, synchronised. Shared by bench:mpu and the chart so both measure the same thing.

import { Mpu } from '../machine/mpu/mpu.js';
import type { MpuControl } from '../machine/mpu/types.js';

export function mpuWithAdjacentRegions(count: number, size: number): Mpu {
  const mpu = new Mpu({ el2: count, el10: 1 });
  for (let i = 0; i < count; i++) {
    mpu.writeRegister('el2', { kind: 'PRSELR' }, BigInt(i));
    mpu.writeRegister('el2', { kind: 'PRBAR', alias: 0 }, BigInt(i * size) | 0x32n);
    mpu.writeRegister('el2', { kind: 'PRLAR', alias: 0 }, BigInt(i * size + size - 0x40) | 0xfn);
  }
  mpu.synchronize();
  return mpu;
}

/** EL2 MPU on, no background region; EL1&0 MPU off. */
export const EL2_ONLY: MpuControl = {
  el2: { enabled: true, background: false, wxn: false, alignment: false },
  el10: { enabled: false, background: false, wxn: false, alignment: false },
  stage2: false,
};
