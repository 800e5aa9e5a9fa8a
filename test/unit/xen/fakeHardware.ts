// A recording model of the EL2 MPU registers of an N-region Armv8-R core, implementing the
// MpuHardware interface the map service programs. It keeps PRSELR, the PRBAR/PRLAR pair of
// every region, PRENR as the view of regions 0..31's EN bits, MPUIR and SCTLR, and records
// every access as a line ("r PRSELR_EL2", "w PRBAR3_EL2 0x1032", "isb", "dsb") so table tests
// can state the exact sequence Xen's code produces. It also enforces the architecture's rule
// that an ISB must separate a PRSELR write from the PRBAR/PRLAR accesses that depend on it.

import type { MpuHardware, XenSysreg } from '../../../src/xen/hardware.js';

const U64 = 0xffff_ffff_ffff_ffffn;
const RES0_HIGH = 0xffffn << 48n;
/** SCTLR_EL2 RES1 bits: its value out of reset here. */
export const SCTLR_RESET = [4n, 5n, 11n, 16n, 18n, 22n, 23n, 28n, 29n].reduce((v, b) => v | (1n << b), 0n);

export interface FakeRegion {
  prbar: bigint;
  prlar: bigint;
}

function registerName(register: XenSysreg): string {
  if ((register.name === 'PRBAR_EL2' || register.name === 'PRLAR_EL2') && register.n !== 0) {
    return register.name.replace('_EL2', `${register.n}_EL2`);
  }
  return register.name;
}

export class FakeMpuHardware implements MpuHardware {
  readonly regions: FakeRegion[];
  prselr = 0n;
  sctlr = SCTLR_RESET;
  /** Every access, in order. */
  readonly log: string[] = [];
  private selectorNeedsIsb = false;
  /** Makes the next write to this register (e.g. "PRBAR3_EL2") throw, to test error paths. */
  failOnWriteTo: string | null = null;

  constructor(readonly regionCount: number) {
    if (regionCount < 0 || regionCount > 255) throw new RangeError('MPUIR_EL2.REGION is 8 bits');
    this.regions = Array.from({ length: regionCount }, () => ({ prbar: 0n, prlar: 0n }));
  }

  read(register: XenSysreg): bigint {
    this.log.push(`r ${registerName(register)}`);
    switch (register.name) {
      case 'MPUIR_EL2':
        return BigInt(this.regionCount);
      case 'PRSELR_EL2':
        return this.prselr;
      case 'PRENR_EL2':
        return this.prenr();
      case 'SCTLR_EL2':
        return this.sctlr;
      case 'PRBAR_EL2':
        return this.region(register.n).prbar;
      case 'PRLAR_EL2':
        return this.region(register.n).prlar;
    }
  }

  write(register: XenSysreg, value: bigint): void {
    const name = registerName(register);
    this.log.push(`w ${name} 0x${value.toString(16)}`);
    if (this.failOnWriteTo === name) {
      this.failOnWriteTo = null;
      throw new Error(`injected failure writing ${name}`);
    }
    if (value < 0n || value > U64) throw new RangeError(`${name}: 0x${value.toString(16)} is not a 64-bit value`);
    switch (register.name) {
      case 'MPUIR_EL2':
        throw new Error('MPUIR_EL2 is read-only');
      case 'PRSELR_EL2':
        if ((value & 0xffn) >= BigInt(this.regionCount)) throw new RangeError(`PRSELR_EL2 = ${value}: region not implemented`);
        this.prselr = value & 0xffn;
        this.selectorNeedsIsb = true;
        return;
      case 'PRENR_EL2':
        // Bits 0..31 are the EN bits of regions 0..31; the others are RES0.
        for (let i = 0; i < Math.min(32, this.regionCount); i++) {
          const r = this.regions[i]!;
          r.prlar = ((value >> BigInt(i)) & 1n) === 1n ? r.prlar | 1n : r.prlar & ~1n;
        }
        return;
      case 'SCTLR_EL2':
        this.sctlr = value;
        return;
      case 'PRBAR_EL2':
        this.region(register.n).prbar = value & ~RES0_HIGH;
        return;
      case 'PRLAR_EL2':
        this.region(register.n).prlar = value & ~RES0_HIGH;
        return;
    }
  }

  isb(): void {
    this.log.push('isb');
    this.selectorNeedsIsb = false;
  }

  dsb(): void {
    this.log.push('dsb');
  }

  /** The accesses recorded since the last call, then forgets them. */
  take(): string[] {
    return this.log.splice(0, this.log.length);
  }

  /** Writes and barriers only (reads dropped). */
  static writesOf(lines: readonly string[]): string[] {
    return lines.filter((l) => !l.startsWith('r '));
  }

  prenr(): bigint {
    let value = 0n;
    for (let i = 0; i < Math.min(32, this.regionCount); i++) value |= (this.regions[i]!.prlar & 1n) << BigInt(i);
    return value;
  }

  /** Enabled regions as [index, prbar, prlar], for assertions. */
  enabledRegions(): [number, bigint, bigint][] {
    return this.regions.flatMap((r, i) => ((r.prlar & 1n) === 1n ? [[i, r.prbar, r.prlar] as [number, bigint, bigint]] : []));
  }

  /** The region a PRBAR<n>/PRLAR<n> access reaches: PRSELR itself for n = 0, else PRSELR[7:4]:n. */
  private region(n: number): FakeRegion {
    if (this.selectorNeedsIsb) throw new Error('PRBAR/PRLAR accessed after a PRSELR write without an ISB');
    const index = n === 0 ? Number(this.prselr) : (Number(this.prselr) & 0xf0) | n;
    const region = this.regions[index];
    if (region === undefined) throw new RangeError(`region ${index} is not implemented`);
    return region;
  }
}
