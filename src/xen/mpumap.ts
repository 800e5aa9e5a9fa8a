// The port of Xen's EL2 MPU map code (xen/arch/arm/mpu/mm.c and setup.c, Xen 4.22): the shadow
// table, the hardware programmer and the disable mode, with one method per Xen entry point.
// Methods are synchronous and assume the caller serialises them (service.ts holds the lock);
// plan.ts decides, this file applies, so a refused call writes nothing anywhere.
//
//   xenMpumapUpdate              <-> xen_mpumap_update()
//   destroyXenMappingContaining  <-> destroy_xen_mapping_containing()
//   mapPagesToXen / destroyXenMappings / modifyXenMappings / ioremapAttr <-> the same names
//   enableBootCpuMm              <-> arm64/mpu/head.S enable_boot_cpu_mm (with cpu_init's SCTLR)
//   freeInitMemory               <-> free_init_memory()
//   modifyAfterInitMappings      <-> modify_after_init_mappings() (mpu/setup.c)

import { errnoName, XEN_ERRNO } from './errno.js';
import type { MpuHardware } from './hardware.js';
import { PAGE_HYPERVISOR_RW } from './flags.js';
import { BOOT_REGION_OVERFLOW_MESSAGE, bootRegions, SCTLR_EL2_SET, sctlrAfterEnableMpu, ZEROED_BOOT_REGION } from './boot.js';
import type { XenImageLayout } from './layout.js';
import { checkMapping, PAGE_SIZE, planFreeEntry, planUpdateEntry, refuse, type Refusal, type UpdatePlan } from './plan.js';
import { MpuProgrammer, type DisableMode } from './programmer.js';
import { regionIsValid, withBase, withLimit } from './region.js';
import { regionView, type Effect, type PortResult } from './result.js';
import { FREE_ENTRY, ShadowTable, type RegionLookup } from './shadow.js';

const U64 = 0xffff_ffff_ffff_ffffn;
const PAGE_MASK = ~(PAGE_SIZE - 1n);

export interface XenMpuMapOptions {
  /** How freed regions are disabled in hardware; 'upstream' (Xen as written) by default. */
  readonly disableMode?: DisableMode;
}

/**
 * Hardware for rehearsals: nothing is read from or written to the real MPU. Decisions never
 * depend on register values (only the shadow), so reads can answer 0.
 */
class DiscardingHardware implements MpuHardware {
  read(): bigint {
    return 0n;
  }
  write(): void {}
  isb(): void {}
  dsb(): void {}
}

/**
 * The exclusive limit map_pages_to_xen() hands to xen_mpumap_update(): mfn_to_maddr(mfn_add(mfn,
 * nr)), exact. Shared with the request checks (requests.ts) so that they refuse precisely the
 * ends the port would otherwise receive.
 */
export function mapPagesLimit(mfn: bigint, nr: bigint): bigint {
  return (mfn + nr) << 12n;
}

/** MPUMAP_REGION_* values, used only where Xen prints them ("rc = %d" of a panic). */
function lookupCode(lookup: RegionLookup): number {
  switch (lookup.kind) {
    case 'overlap':
      return -1;
    case 'not-found':
      return 0;
    case 'found':
      return 1;
    case 'inclusive':
      return 2;
  }
}

export class XenMpuMap {
  readonly shadow: ShadowTable;
  private readonly programmer: MpuProgrammer;
  disableMode: DisableMode;

  constructor(
    hardware: MpuHardware,
    options: XenMpuMapOptions = {},
    shadow?: ShadowTable,
  ) {
    this.programmer = new MpuProgrammer(hardware);
    this.disableMode = options.disableMode ?? 'upstream';
    // max_mpu_regions comes from MPUIR_EL2.REGION.
    this.shadow = shadow ?? new ShadowTable(this.programmer.implementedRegions());
  }

  get maxRegions(): number {
    return this.shadow.maxRegions;
  }

  /** xen_mpumap_update(base, limit, flags): [base, limit) half-open. */
  xenMpumapUpdate(base: bigint, limit: bigint, flags: number): PortResult {
    const refusal = checkMapping(base, limit, flags);
    if (refusal !== null) return this.refused(refusal);
    return this.carryOut(planUpdateEntry(this.shadow, base, limit, flags));
  }

  /** map_pages_to_xen(): VA == PA on MPU systems, so virt is the base. */
  mapPagesToXen(virt: bigint, mfn: bigint, nr: bigint, flags: number): PortResult {
    // In 64-bit unsigned arithmetic, as Xen computes it.
    return this.xenMpumapUpdate(virt, mapPagesLimit(mfn, nr) & U64, flags);
  }

  /** destroy_xen_mappings(s, e): its ASSERTs are the same checks xen_mpumap_update() makes. */
  destroyXenMappings(start: bigint, end: bigint): PortResult {
    return this.xenMpumapUpdate(start, end, 0);
  }

  /** modify_xen_mappings(s, e, nf) */
  modifyXenMappings(start: bigint, end: bigint, flags: number): PortResult {
    return this.xenMpumapUpdate(start, end, flags);
  }

  /** ioremap_attr(): maps the pages covering [start, start + len) and returns start (or NULL). */
  ioremapAttr(start: bigint, len: bigint, flags: number): PortResult {
    const startPage = start & PAGE_MASK;
    const endPage = (start + len + PAGE_SIZE - 1n) & PAGE_MASK;
    const result = this.xenMpumapUpdate(startPage, endPage, flags);
    return { ...result, address: result.rc === 0 ? start : null };
  }

  /**
   * destroy_xen_mapping_containing(s): drops one use of the whole region containing
   * [s, s + PAGE_SIZE), freeing it when no other use remains.
   */
  destroyXenMappingContaining(address: bigint): PortResult {
    // Xen only ASSERTs alignment; a refusal is the defined behaviour chosen here.
    if (address % PAGE_SIZE !== 0n) return this.refused(refuse(XEN_ERRNO.EINVAL, ["Assertion 'IS_ALIGNED(s, PAGE_SIZE)' failed"]));
    const lookup = this.shadow.lookup(address, address + PAGE_SIZE);
    switch (lookup.kind) {
      case 'not-found':
        return this.refused(refuse(XEN_ERRNO.EINVAL, ['Cannot remove entry that does not exist']));
      case 'overlap':
        // Xen would go on with an invalid index here; refusing is the defined behaviour chosen.
        return this.refused(refuse(XEN_ERRNO.EINVAL, [lookup.message], null, lookup.index));
      case 'found':
      case 'inclusive':
        // The whole region goes, so it is treated as found whatever the page's position.
        return this.carryOut(planFreeEntry(this.shadow, lookup.index, 'found'));
    }
  }

  /**
   * enable_boot_cpu_mm: cpu_init's SCTLR_EL2, the image sections from index 0 (empty ones
   * skipped), the shadow entries and bitmap bits head.S stores beside them, zero_mpu for the
   * remaining regions, then enable_mpu. Starts from an empty table, as Xen's .data does.
   */
  enableBootCpuMm(layout: XenImageLayout): PortResult {
    const regions = bootRegions(layout);
    const implemented = this.programmer.implementedRegions();
    if (regions.length > implemented) {
      // head.S prints this and parks the CPU; here the boot is refused before any write.
      return this.refused(refuse(XEN_ERRNO.ENOENT, [BOOT_REGION_OVERFLOW_MESSAGE], implemented));
    }
    this.programmer.writeSctlr(SCTLR_EL2_SET);
    this.shadow.clear();
    let sel = 0;
    for (const { region } of regions) {
      this.programmer.bootRegion(sel, region);
      this.shadow.setEntry(sel, { ...region, refcount: 0 });
      this.shadow.setUsed(sel, regionIsValid(region));
      sel++;
    }
    for (; sel < implemented; sel++) {
      this.programmer.bootRegion(sel, ZEROED_BOOT_REGION);
      this.shadow.setEntry(sel, { ...ZEROED_BOOT_REGION, refcount: 0 });
      this.shadow.setUsed(sel, false);
    }
    this.programmer.writeSctlr(sctlrAfterEnableMpu(this.programmer.readSctlr()));
    return this.succeeded('booted', null);
  }

  /**
   * free_init_memory(): init text becomes RW then is unmapped, and the init-data-and-bss region
   * is shrunk to start at __bss_start. Xen panics when a step fails; the service rehearses the
   * whole sequence first, so a failure leaves everything as it was.
   */
  freeInitMemory(layout: XenImageLayout): PortResult {
    return this.rehearsed((map) => map.freeInitMemorySteps(layout));
  }

  /**
   * modify_after_init_mappings(): rodata is extended and the RW data region shrunk so that
   * [__ro_after_init_start, __ro_after_init_end) becomes read-only. Rehearsed like free-init.
   */
  modifyAfterInitMappings(layout: XenImageLayout): PortResult {
    return this.rehearsed((map) => map.modifyAfterInitSteps(layout));
  }

  private freeInitMemorySteps(layout: XenImageLayout): PortResult {
    const initText: [bigint, bigint] = [layout.__init_begin, layout.__init_data_begin];
    const modified = this.modifyXenMappings(...initText, PAGE_HYPERVISOR_RW);
    if (modified.rc !== 0) return this.panicked(modified, `Unable to map RW the init text section (rc = ${modified.rc})`);
    const destroyed = this.destroyXenMappings(...initText);
    if (destroyed.rc !== 0) {
      return this.panicked(destroyed, `Unable to remove init text section (rc = ${destroyed.rc})`, modified.messages);
    }
    const lookup = this.shadow.lookup(layout.__init_data_begin, layout.__bss_end);
    if (lookup.kind !== 'found' && lookup.kind !== 'inclusive') {
      const printed = lookup.kind === 'overlap' ? [lookup.message] : [];
      return this.panicked(
        { ...destroyed, rc: XEN_ERRNO.EINVAL, errno: 'EINVAL', effect: 'refused', index: null, conflict: null, messages: printed },
        `Unable to find bss data section (rc = ${lookupCode(lookup)})`,
        [...modified.messages, ...destroyed.messages],
      );
    }
    const index = lookup.index;
    const shrunk = withBase(this.shadow.entry(index), layout.__bss_start);
    this.programmer.writeRegion(index, shrunk);
    this.shadow.setEntry(index, { ...this.shadow.entry(index), prbar: shrunk.prbar, prlar: shrunk.prlar });
    this.programmer.contextSync();
    return { ...this.succeeded('freed-init', index), messages: [...modified.messages, ...destroyed.messages] };
  }

  private modifyAfterInitSteps(layout: XenImageLayout): PortResult {
    const rodata = this.shadow.lookup(layout._srodata, layout._erodata);
    if (rodata.kind !== 'found' && rodata.kind !== 'inclusive') {
      return this.panicked(this.lookupFailure(rodata), `Unable to find rodata section (rc = ${lookupCode(rodata)})`);
    }
    const rwdata = this.shadow.lookup(layout.__ro_after_init_start, layout.__init_begin);
    if (rwdata.kind !== 'found' && rwdata.kind !== 'inclusive') {
      return this.panicked(this.lookupFailure(rwdata), `Unable to find rwdata section (rc = ${lookupCode(rwdata)})`);
    }
    const rw = withBase(this.shadow.entry(rwdata.index), layout.__ro_after_init_end);
    this.shadow.setEntry(rwdata.index, { ...this.shadow.entry(rwdata.index), prbar: rw.prbar, prlar: rw.prlar });
    const ro = withLimit(this.shadow.entry(rodata.index), layout.__ro_after_init_end);
    this.shadow.setEntry(rodata.index, { ...this.shadow.entry(rodata.index), prbar: ro.prbar, prlar: ro.prlar });
    this.programmer.writeRegion(rwdata.index, this.shadow.entry(rwdata.index));
    this.programmer.writeRegion(rodata.index, this.shadow.entry(rodata.index));
    this.programmer.contextSync();
    return this.succeeded('after-init', rodata.index);
  }

  private lookupFailure(lookup: RegionLookup): PortResult {
    const messages = lookup.kind === 'overlap' ? [lookup.message] : [];
    const conflictIndex = lookup.kind === 'overlap' ? lookup.index : null;
    return this.refused(refuse(XEN_ERRNO.EINVAL, messages, null, conflictIndex));
  }

  /** panic(): the failed step's lines, then Xen's panic banner and message. */
  private panicked(failed: PortResult, message: string, earlier: readonly string[] = []): PortResult {
    return { ...failed, messages: [...earlier, ...failed.messages, 'Panic on CPU 0:', message] };
  }

  /**
   * Runs `steps` first on a copy of the shadow with writes discarded; only when that succeeds
   * does it run them for real (same shadow, same inputs: the same outcome).
   */
  private rehearsed(steps: (map: XenMpuMap) => PortResult): PortResult {
    const rehearsal = new XenMpuMap(new DiscardingHardware(), { disableMode: this.disableMode }, this.shadow.clone());
    const outcome = steps(rehearsal);
    if (outcome.rc !== 0) return outcome;
    return steps(this);
  }

  /** Applies a plan and, on success, synchronises the MPU (still inside the caller's lock). */
  private carryOut(plan: UpdatePlan): PortResult {
    if (plan.kind === 'refuse') return this.refused(plan);
    const effect = this.apply(plan);
    this.programmer.contextSync();
    return this.succeeded(effect, plan.index);
  }

  private apply(plan: Exclude<UpdatePlan, Refusal>): Effect {
    const entry = this.shadow.entry(plan.index);
    switch (plan.kind) {
      case 'add-reference':
        this.shadow.setEntry(plan.index, { ...entry, refcount: entry.refcount + 1 });
        return 'referenced';
      case 'drop-reference':
        this.shadow.setEntry(plan.index, { ...entry, refcount: entry.refcount - 1 });
        return 'unreferenced';
      case 'change-permissions':
        // Registers first: if the hardware throws, the shadow still tells the truth about intent.
        this.programmer.writeRegion(plan.index, plan.region);
        this.shadow.setEntry(plan.index, { ...plan.region, refcount: entry.refcount });
        return 'modified';
      case 'insert':
        this.programmer.writeRegion(plan.index, plan.region);
        this.shadow.setEntry(plan.index, { ...plan.region, refcount: 0 });
        this.shadow.setUsed(plan.index, true);
        return 'inserted';
      case 'remove':
        // disable_mpu_region_from_index(): the entry is zeroed (EN included) and its bit cleared.
        this.programmer.disableRegion(plan.index, this.disableMode);
        this.shadow.setEntry(plan.index, FREE_ENTRY);
        this.shadow.setUsed(plan.index, false);
        return 'removed';
    }
  }

  private refused(refusal: Refusal): PortResult {
    return {
      rc: refusal.rc,
      errno: errnoName(refusal.rc),
      messages: refusal.messages,
      index: refusal.index,
      effect: 'refused',
      conflict: refusal.conflictIndex === null ? null : regionView(refusal.conflictIndex, this.shadow.entry(refusal.conflictIndex)),
    };
  }

  private succeeded(effect: Effect, index: number | null): PortResult {
    return { rc: 0, errno: null, messages: [], index, effect, conflict: null };
  }
}

