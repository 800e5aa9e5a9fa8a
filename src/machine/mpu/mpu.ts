// The PMSAv8-64 MPU of an Armv8-R AArch64 core: the EL2 regime and the EL1&0 regime, each with
// MPUIR, PRSELR, PRBAR/PRLAR (and their PRBAR<n>/PRLAR<n> aliases), PRENR, and the access
// check of DDI0600 as summarised in docs/mpu.md. Register writes are "programmed" at once;
// `synchronize()` (the machine calls it at DSB + ISB, or at once for debugger writes) makes them
// "effective" and rebuilds the segment index every check uses.

import { fieldValue } from '../../arch/aarch64/fields.js';
import { bitsOutsideFields, PRBAR_FIELDS, PRLAR_FIELDS, type FieldSpec } from '../../arch/aarch64/registers.js';
import { abortSyndrome, FSC } from '../../arch/aarch64/syndrome.js';
import { PHYS_ADDR_LIMIT, type Access } from '../access.js';
import { SegmentIndex, type Segment } from './segments.js';
import type {
  DecodedRegion,
  FaultStatus,
  FaultSyndrome,
  MpuControl,
  MpuDecision,
  MpuFault,
  MpuModel,
  MpuRegisterRole,
  MpuRule,
  Regime,
  RegimeControl,
} from './types.js';

export const MAX_REGIONS = 255;

/** The layouts come from the register table: the bits no field covers are RES0. */
const PRBAR_WRITABLE = ~bitsOutsideFields(PRBAR_FIELDS) & 0xffff_ffff_ffff_ffffn;
const PRLAR_WRITABLE = ~bitsOutsideFields(PRLAR_FIELDS) & 0xffff_ffff_ffff_ffffn;
const field = (fields: readonly FieldSpec[], name: string): FieldSpec => fields.find((f) => f.name === name)!;
const BAR = { xn: field(PRBAR_FIELDS, 'XN'), ap: field(PRBAR_FIELDS, 'AP'), sh: field(PRBAR_FIELDS, 'SH'), base: field(PRBAR_FIELDS, 'BASE') };
const LAR = { en: field(PRLAR_FIELDS, 'EN'), attrIndx: field(PRLAR_FIELDS, 'AttrIndx'), ns: field(PRLAR_FIELDS, 'NS'), limit: field(PRLAR_FIELDS, 'LIMIT') };
/** BASE and LIMIT hold address bits [47:6]: the field value shifted back to where it lies. */
const addressOf = (value: bigint, f: FieldSpec): number => Number(fieldValue(value, f) << BigInt(f.lsb));

/** One region as the check uses it: plain numbers, no BigInt on the hot path. */
interface CheckRegion {
  readonly index: number;
  readonly base: number;
  readonly limit: number;
  readonly readOnly: boolean; // AP[2] (AP[1] of the field): 1 = read-only
  readonly unprivileged: boolean; // AP[1] (AP[0] of the field): 1 = EL0 may access
  readonly executeNever: boolean; // XN[1]
}

export function decodeRegion(index: number, prbar: bigint, prlar: bigint): DecodedRegion {
  return {
    index,
    prbar,
    prlar,
    enabled: fieldValue(prlar, LAR.en) !== 0n,
    base: addressOf(prbar, BAR.base),
    // The limit is inclusive: LIMIT:0x3F.
    limit: addressOf(prlar, LAR.limit) + (1 << LAR.limit.lsb) - 1,
    // XN[1] forbids fetches; XN[0] is kept but has no effect here (docs/mpu.md).
    xn: (fieldValue(prbar, BAR.xn) & 2n) !== 0n,
    ap: Number(fieldValue(prbar, BAR.ap)),
    sh: Number(fieldValue(prbar, BAR.sh)),
    attrIndx: Number(fieldValue(prlar, LAR.attrIndx)),
    ns: fieldValue(prlar, LAR.ns) !== 0n,
  };
}

/** AP in words, as the architecture's table gives it (AP[2:1] of PRBAR). */
export function describeAp(ap: number, regime: Regime): string {
  const priv = regime === 'el2' ? 'EL2' : 'EL1';
  switch (ap) {
    case 0:
      return regime === 'el2' ? 'RW EL2' : `RW ${priv}, none EL0`;
    case 1:
      return regime === 'el2' ? 'RW EL2' : 'RW EL1 and EL0';
    case 2:
      return regime === 'el2' ? 'RO EL2' : `RO ${priv}, none EL0`;
    default:
      return regime === 'el2' ? 'RO EL2' : 'RO EL1 and EL0';
  }
}

class RegimeState {
  prselr = 0;
  readonly programmedBar: bigint[];
  readonly programmedLar: bigint[];
  readonly effectiveBar: bigint[];
  readonly effectiveLar: bigint[];
  regions: CheckRegion[] = [];
  index = new SegmentIndex([]);

  constructor(readonly count: number) {
    this.programmedBar = new Array<bigint>(count).fill(0n);
    this.programmedLar = new Array<bigint>(count).fill(0n);
    this.effectiveBar = new Array<bigint>(count).fill(0n);
    this.effectiveLar = new Array<bigint>(count).fill(0n);
  }

  /** The region an access to PRBAR/PRLAR (alias n) reaches: PRSELR, or PRSELR[7:4]:n. */
  selected(alias: number): number {
    return alias === 0 ? this.prselr : (this.prselr & 0xf0) | alias;
  }

  synchronize(): void {
    for (let i = 0; i < this.count; i++) {
      this.effectiveBar[i] = this.programmedBar[i]!;
      this.effectiveLar[i] = this.programmedLar[i]!;
    }
    this.regions = [];
    const byIndex: CheckRegion[] = [];
    for (let i = 0; i < this.count; i++) {
      const d = decodeRegion(i, this.effectiveBar[i]!, this.effectiveLar[i]!);
      if (!d.enabled) continue;
      const region: CheckRegion = {
        index: i,
        base: d.base,
        limit: d.limit,
        readOnly: (d.ap & 2) !== 0,
        unprivileged: (d.ap & 1) !== 0,
        executeNever: d.xn,
      };
      byIndex[i] = region;
      this.regions.push(region);
    }
    this.byIndex = byIndex;
    this.index = new SegmentIndex(this.regions);
  }

  byIndex: CheckRegion[] = [];
}

const hex = (n: number): string => `0x${n.toString(16)}`;

export class Mpu implements MpuModel {
  private readonly regimes: Record<Regime, RegimeState>;

  constructor(counts: { readonly el2: number; readonly el10: number }) {
    for (const [name, count] of Object.entries(counts)) {
      if (!Number.isInteger(count) || count < 1 || count > MAX_REGIONS) {
        throw new RangeError(`${name} MPU region count ${count} is outside 1..${MAX_REGIONS}`);
      }
    }
    this.regimes = { el2: new RegimeState(counts.el2), el10: new RegimeState(counts.el10) };
  }

  reset(): void {
    for (const r of Object.values(this.regimes)) {
      r.prselr = 0;
      r.programmedBar.fill(0n);
      r.programmedLar.fill(0n);
      r.synchronize();
    }
  }

  regionCount(regime: Regime): number {
    return this.regimes[regime].count;
  }

  readRegister(regime: Regime, role: MpuRegisterRole): bigint {
    const r = this.regimes[regime];
    switch (role.kind) {
      case 'MPUIR':
        return BigInt(r.count);
      case 'PRSELR':
        return BigInt(r.prselr);
      case 'PRENR': {
        let mask = 0n;
        for (let i = 0; i < Math.min(32, r.count); i++) if (r.programmedLar[i]! & 1n) mask |= 1n << BigInt(i);
        return mask;
      }
      case 'PRBAR':
      case 'PRLAR': {
        // A selected region at or beyond MPUIR.REGION reads as zero (our choice for the
        // architecture's UNKNOWN; docs/mpu.md).
        const i = r.selected(role.alias);
        if (i >= r.count) return 0n;
        return role.kind === 'PRBAR' ? r.programmedBar[i]! : r.programmedLar[i]!;
      }
    }
  }

  selectedRegion(regime: Regime, alias: number): number {
    return this.regimes[regime].selected(alias);
  }

  writeRegister(regime: Regime, role: MpuRegisterRole, value: bigint): void {
    const r = this.regimes[regime];
    switch (role.kind) {
      case 'MPUIR':
        return; // read-only: the caller refuses the write before it gets here
      case 'PRSELR':
        r.prselr = Number(value & 0xffn);
        return;
      case 'PRENR':
        for (let i = 0; i < Math.min(32, r.count); i++) {
          const on = (value >> BigInt(i)) & 1n;
          r.programmedLar[i] = (r.programmedLar[i]! & ~1n) | on;
        }
        return;
      case 'PRBAR':
      case 'PRLAR': {
        const i = r.selected(role.alias);
        if (i >= r.count) return; // writes to an unimplemented region are ignored
        if (role.kind === 'PRBAR') r.programmedBar[i] = value & PRBAR_WRITABLE;
        else r.programmedLar[i] = value & PRLAR_WRITABLE;
        return;
      }
    }
  }

  programmedRegion(regime: Regime, index: number): DecodedRegion {
    const r = this.regimes[regime];
    this.checkIndex(r, index);
    return decodeRegion(index, r.programmedBar[index]!, r.programmedLar[index]!);
  }

  effectiveRegion(regime: Regime, index: number): DecodedRegion {
    const r = this.regimes[regime];
    this.checkIndex(r, index);
    return decodeRegion(index, r.effectiveBar[index]!, r.effectiveLar[index]!);
  }

  private checkIndex(r: RegimeState, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= r.count) throw new RangeError(`region ${index} is outside 0..${r.count - 1}`);
  }

  pendingRegions(regime: Regime): readonly number[] {
    const r = this.regimes[regime];
    const out: number[] = [];
    for (let i = 0; i < r.count; i++) {
      if (r.programmedBar[i] !== r.effectiveBar[i] || r.programmedLar[i] !== r.effectiveLar[i]) out.push(i);
    }
    return out;
  }

  synchronize(): void {
    this.regimes.el2.synchronize();
    this.regimes.el10.synchronize();
  }

  /** Overlapping enabled regions of a regime (the architecture forbids them). */
  overlaps(regime: Regime): ReturnType<SegmentIndex['overlaps']> {
    return this.regimes[regime].index.overlaps();
  }

  effectiveSegmentAt(regime: Regime, address: number): Segment {
    return this.regimes[regime].index.segmentAt(address);
  }

  check(access: Access, control: MpuControl): MpuDecision {
    const end = access.address + access.size;
    if (access.address < 0 || end > PHYS_ADDR_LIMIT) {
      const first = access.address < PHYS_ADDR_LIMIT ? PHYS_ADDR_LIMIT : access.address;
      return this.refuse(access, first, access.el === 2 ? 'el2' : 'el10', false, 'address-size', 'outside-physical-range', [], `${hex(first)} is beyond the 48-bit physical address space`);
    }
    const stage1Regime: Regime = access.el === 2 ? 'el2' : 'el10';
    const stage1Control = access.el === 2 ? control.el2 : control.el10;
    if (stage1Control.alignment && access.kind !== 'fetch' && access.size > 1 && access.address % access.size !== 0) {
      return this.refuse(access, access.address, stage1Regime, false, 'alignment', 'alignment', [], `a ${access.size}-byte access at ${hex(access.address)} is misaligned and SCTLR_${access.el === 2 ? 'EL2' : 'EL1'}.A is set`);
    }
    const first = this.checkRegime(access, stage1Regime, stage1Control, false);
    if (access.el === 2 || !control.stage2 || !control.el2.enabled) return first;
    const second = this.checkRegime(access, 'el2', control.el2, true);
    // Bytes are translated in order: the fault reported is the one at the lowest address, and
    // for the same byte stage 1 comes before stage 2.
    if (!first.allowed) return second.allowed || first.fault.faultAddress <= second.fault.faultAddress ? first : second;
    if (!second.allowed) return second;
    return { allowed: true, rule: first.rule === 'mpu-disabled' ? second.rule : first.rule, regions: first.regions };
  }

  private checkRegime(access: Access, regime: Regime, control: RegimeControl, stage2: boolean): MpuDecision {
    if (!control.enabled) return { allowed: true, rule: 'mpu-disabled', regions: [] };
    const state = this.regimes[regime];
    const end = access.address + access.size;
    // Segments are visited in address order, so a region can only repeat back to back.
    const matched: number[] = [];
    let rule: MpuRule = 'region-permits';
    let address = access.address;
    while (address < end) {
      const segment = state.index.segmentAt(address);
      const regions = segment.regions;
      if (regions.length > 1) {
        const list = regions.join(' and ');
        return this.refuse(access, address, regime, stage2, 'permission', 'multiple-regions', regions, `${hex(address)} is in more than one enabled region (${list}); overlapping regions are forbidden and any access to the overlap faults`);
      }
      if (regions.length === 0) {
        // The background region serves privileged accesses only, and only at stage 1.
        const privileged = access.el !== 0;
        if (!(control.background && privileged && !stage2)) {
          const why = control.background ? (stage2 ? 'the background region does not apply at stage 2' : 'the background region is for privileged accesses only') : `SCTLR_${regime === 'el2' ? 'EL2' : 'EL1'}.BR is 0`;
          return this.refuse(access, address, regime, stage2, 'permission', 'no-region', [], `no enabled ${regime === 'el2' ? 'EL2' : 'EL1&0'} MPU region contains ${hex(address)} and ${why}`);
        }
        rule = 'background-region';
      } else {
        const region = state.byIndex[regions[0]!]!;
        const refusal = this.permission(access, region, regime, control);
        if (refusal) return this.refuse(access, address, regime, stage2, 'permission', refusal.rule, [region.index], refusal.reason);
        if (matched[matched.length - 1] !== region.index) matched.push(region.index);
        rule = 'region-permits';
      }
      address = Math.min(end, segment.end);
    }
    return { allowed: true, rule: matched.length > 0 ? 'region-permits' : rule, regions: matched };
  }

  private permission(access: Access, region: CheckRegion, regime: Regime, control: RegimeControl): { rule: MpuRule; reason: string } | undefined {
    // The region's description only for a refusal: every core access that misses the page cache comes here.
    const name = (): string => `region ${region.index} [${hex(region.base)}..${hex(region.limit)}]`;
    const ap = (region.readOnly ? 2 : 0) | (region.unprivileged ? 1 : 0);
    // AP[0] (unprivileged access) only matters in the EL1&0 regime; EL2 always has access.
    if (access.el === 0 && !region.unprivileged) {
      return { rule: 'ap-privileged-only', reason: `${name()} is privileged only (AP=0b${ap.toString(2).padStart(2, '0')}): EL0 has no access` };
    }
    if (access.kind === 'write' && region.readOnly) {
      return { rule: 'ap-read-only', reason: `${name()} is read-only (AP=0b${ap.toString(2).padStart(2, '0')}) and this is a write` };
    }
    if (access.kind === 'fetch') {
      if (region.executeNever) return { rule: 'execute-never', reason: `${name()} is execute-never (XN=1)` };
      if (control.wxn && !region.readOnly) {
        return { rule: 'wxn', reason: `${name()} is writable and SCTLR_${regime === 'el2' ? 'EL2' : 'EL1'}.WXN makes writable memory execute-never` };
      }
    }
    return undefined;
  }

  private refuse(access: Access, faultAddress: number, regime: Regime, stage2: boolean, status: FaultStatus, rule: MpuRule, regions: readonly number[], reason: string): MpuDecision {
    const fault: MpuFault = { access, faultAddress, regime, stage2, status, level: 0, rule, regions, reason };
    return { allowed: false, fault };
  }

  syndrome(fault: MpuFault, takenTo: 1 | 2): FaultSyndrome {
    const kind = fault.access.kind;
    const esr = abortSyndrome({ fetch: kind === 'fetch', write: kind === 'write', sameEl: fault.access.el === takenTo }, FAULT_STATUS_CODES[fault.status]);
    const far = BigInt(fault.faultAddress);
    if (!fault.stage2) return { takenTo, esr, far };
    // HPFAR_EL2.FIPA [43:4] holds the faulting IPA [51:12].
    return { takenTo, esr, far, hpfar: BigInt(Math.floor(fault.faultAddress / 4096)) << 4n };
  }
}

/** The FSC of each fault the MPU raises (level 0: PMSA has no translation levels). */
const FAULT_STATUS_CODES: Record<FaultStatus, number> = {
  'address-size': FSC.addressSize,
  translation: FSC.translation,
  permission: FSC.permission,
  alignment: FSC.alignment,
};
