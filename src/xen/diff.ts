// Reading the programmed MPU back, for display only: the register view shown by
// `GET /v1/regions`, and the list of every disagreement between the shadow and the hardware.
// Nothing here feeds a decision of the map service.
//
// Region registers are reached the way Xen reaches them, through PRSELR_EL2 banks of 16 and
// the PRBAR<n>/PRLAR<n> aliases; the selector found on entry is restored (with an ISB) before
// returning, so a later write_protection_region() sees the bank it left.

import type { MpuHardware } from './hardware.js';
import { regionIsValid, type RegionRegisters } from './region.js';
import type { ShadowTable } from './shadow.js';

export interface HardwareView {
  readonly mpuir: bigint;
  readonly prselr: bigint;
  /** PRENR_EL2: the enable bits of regions 0..31. */
  readonly prenr: bigint;
  readonly sctlr: bigint;
  /** Regions 0..MPUIR.REGION-1 as programmed. */
  readonly regions: readonly (RegionRegisters & { readonly index: number })[];
}

export function readHardware(hardware: MpuHardware): HardwareView {
  if (hardware.inspect) return hardware.inspect();
  const mpuir = hardware.read({ name: 'MPUIR_EL2' });
  const implemented = Number(mpuir & 0xffn);
  const original = hardware.read({ name: 'PRSELR_EL2' });
  let selected = original;
  const regions: (RegionRegisters & { index: number })[] = [];
  for (let index = 0; index < implemented; index++) {
    const bank = BigInt(index & 0xf0);
    if (selected !== bank) {
      hardware.write({ name: 'PRSELR_EL2' }, bank);
      hardware.isb();
      selected = bank;
    }
    const n = index & 0xf;
    regions.push({ index, prbar: hardware.read({ name: 'PRBAR_EL2', n }), prlar: hardware.read({ name: 'PRLAR_EL2', n }) });
  }
  if (selected !== original) {
    hardware.write({ name: 'PRSELR_EL2' }, original);
    hardware.isb();
  }
  return {
    mpuir,
    prselr: original,
    prenr: hardware.read({ name: 'PRENR_EL2' }),
    sctlr: hardware.read({ name: 'SCTLR_EL2' }),
    regions,
  };
}

export type DisagreementKind =
  /** The hardware region is enabled but the shadow entry is not (upstream's disable quirk). */
  | 'enabled-in-hardware-only'
  /** The shadow entry is enabled but the hardware region is not. */
  | 'enabled-in-shadow-only'
  /** Both enabled, with different base, limit or attributes: the MPU enforces something else. */
  | 'enabled-values-differ'
  /** Both disabled, with different register values: stale, enforces nothing. */
  | 'disabled-values-differ';

export interface Disagreement {
  readonly index: number;
  readonly kind: DisagreementKind;
  /** True when what the MPU enforces differs from what the shadow says. */
  readonly effective: boolean;
  readonly shadow: RegionRegisters & { readonly refcount: number; readonly used: boolean };
  readonly hardware: RegionRegisters;
}

/**
 * Every region whose registers differ from its shadow entry, in index order. Only a table's
 * lookups are needed, so a display can pass a snapshot of the shadow.
 */
export function diffShadowAndHardware(shadow: Pick<ShadowTable, 'maxRegions' | 'entry' | 'isUsed'>, view: HardwareView): Disagreement[] {
  const out: Disagreement[] = [];
  for (const hw of view.regions) {
    if (hw.index >= shadow.maxRegions) break;
    const entry = shadow.entry(hw.index);
    if (entry.prbar === hw.prbar && entry.prlar === hw.prlar) continue;
    const shadowOn = regionIsValid(entry);
    const hardwareOn = regionIsValid(hw);
    const kind: DisagreementKind =
      hardwareOn && !shadowOn
        ? 'enabled-in-hardware-only'
        : shadowOn && !hardwareOn
          ? 'enabled-in-shadow-only'
          : shadowOn
            ? 'enabled-values-differ'
            : 'disabled-values-differ';
    out.push({
      index: hw.index,
      kind,
      effective: kind !== 'disabled-values-differ',
      shadow: { prbar: entry.prbar, prlar: entry.prlar, refcount: entry.refcount, used: shadow.isUsed(hw.index) },
      hardware: { prbar: hw.prbar, prlar: hw.prlar },
    });
  }
  return out;
}
