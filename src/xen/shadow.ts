// The software shadow of the EL2 MPU: Xen's `xen_mpumap` table (MAX_MPU_REGION_NR entries of
// {prbar, prlar, refcount}) and the `xen_mpumap_mask` bitmap of used entries. Every decision of
// the map service is taken on this shadow; hardware is never read back to decide anything.
//
// The lookup (Xen's mpumap_contains_region) answers with a discriminated union, never with a
// number whose order carries meaning.

import { formatPaddr } from './printk.js';
import { EMPTY_REGION, regionBase, regionIsValid, regionLimit, type RegionRegisters } from './region.js';

/** MAX_MPU_REGION_NR: the table has room for every region MPUIR_EL2.REGION can announce. */
export const MAX_MPU_REGION_NR = 255;
/** refcount is a u8. */
export const REFCOUNT_MAX = 0xff;

export interface ShadowEntry extends RegionRegisters {
  /** How many further identical or contained mappings rely on this region (0 = one user). */
  readonly refcount: number;
}

export const FREE_ENTRY: ShadowEntry = { ...EMPTY_REGION, refcount: 0 };

/** The result of mpumap_contains_region() for [base, limit). */
export type RegionLookup =
  /** An enabled region covers exactly [base, limit). */
  | { readonly kind: 'found'; readonly index: number }
  /** [base, limit) lies inside an enabled region. */
  | { readonly kind: 'inclusive'; readonly index: number }
  /**
   * The first enabled region that intersects [base, limit) neither equals nor contains it.
   * Xen leaves the index invalid here; the service keeps it to report the conflicting region.
   */
  | { readonly kind: 'overlap'; readonly index: number; readonly message: string }
  | { readonly kind: 'not-found' };

export class ShadowTable {
  private readonly entries: ShadowEntry[] = Array.from({ length: MAX_MPU_REGION_NR }, () => FREE_ENTRY);
  /** xen_mpumap_mask: bit i set = entry i in use. */
  private mask = 0n;

  /** max_mpu_regions: MPUIR_EL2.REGION, the number of regions the hardware implements. */
  constructor(readonly maxRegions: number) {
    if (!Number.isInteger(maxRegions) || maxRegions < 0 || maxRegions > MAX_MPU_REGION_NR) {
      throw new RangeError(`an EL2 MPU has 0..${MAX_MPU_REGION_NR} regions, not ${maxRegions}`);
    }
  }

  entry(index: number): ShadowEntry {
    this.checkIndex(index);
    return this.entries[index]!;
  }

  isUsed(index: number): boolean {
    this.checkIndex(index);
    return ((this.mask >> BigInt(index)) & 1n) === 1n;
  }

  /** The bitmap as a number (bit i = entry i). */
  get bitmap(): bigint {
    return this.mask;
  }

  setEntry(index: number, entry: ShadowEntry): void {
    this.checkIndex(index);
    if (!Number.isInteger(entry.refcount) || entry.refcount < 0 || entry.refcount > REFCOUNT_MAX) {
      throw new RangeError(`refcount ${entry.refcount} does not fit a u8`);
    }
    this.entries[index] = { prbar: entry.prbar, prlar: entry.prlar, refcount: entry.refcount };
  }

  setUsed(index: number, used: boolean): void {
    this.checkIndex(index);
    const bit = 1n << BigInt(index);
    this.mask = used ? this.mask | bit : this.mask & ~bit;
  }

  /** Forgets everything: the state of Xen's .data before head.S runs. */
  clear(): void {
    this.entries.fill(FREE_ENTRY);
    this.mask = 0n;
  }

  /** find_first_zero_bit() below max_mpu_regions: the entry xen_mpumap_alloc_entry() takes. */
  lowestFreeEntry(): number | undefined {
    for (let i = 0; i < this.maxRegions; i++) if (!this.isUsed(i)) return i;
    return undefined;
  }

  /** Indices of the enabled entries (PRLAR.EN set in the shadow), in index order. */
  enabledIndices(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.maxRegions; i++) if (regionIsValid(this.entries[i]!)) out.push(i);
    return out;
  }

  /**
   * mpumap_contains_region(): scans the enabled entries below max_mpu_regions in index order;
   * the first one that intersects [base, limit) decides. Requires base < limit.
   */
  lookup(base: bigint, limit: bigint): RegionLookup {
    if (base >= limit) throw new RangeError('lookup needs a non-empty range');
    for (let index = 0; index < this.maxRegions; index++) {
      const entry = this.entries[index]!;
      if (!regionIsValid(entry)) continue;
      const entryBase = regionBase(entry);
      const entryLimit = regionLimit(entry);
      if (entryLimit <= base || entryBase >= limit) continue;
      if (entryBase === base && entryLimit === limit) return { kind: 'found', index };
      if (base >= entryBase && limit <= entryLimit) return { kind: 'inclusive', index };
      return {
        kind: 'overlap',
        index,
        message: `Range ${formatPaddr(base)} - ${formatPaddr(limit)} overlaps with the existing region ${formatPaddr(entryBase)} - ${formatPaddr(entryLimit)}`,
      };
    }
    return { kind: 'not-found' };
  }

  /** An independent copy (the service rehearses composite operations on one). */
  clone(): ShadowTable {
    const copy = new ShadowTable(this.maxRegions);
    for (let i = 0; i < MAX_MPU_REGION_NR; i++) copy.entries[i] = this.entries[i]!;
    copy.mask = this.mask;
    return copy;
  }

  /** A copy for tests and displays. */
  snapshot(): { readonly entries: readonly ShadowEntry[]; readonly bitmap: bigint; readonly maxRegions: number } {
    return { entries: [...this.entries], bitmap: this.mask, maxRegions: this.maxRegions };
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= MAX_MPU_REGION_NR) {
      throw new RangeError(`entry ${index} is outside xen_mpumap (0..${MAX_MPU_REGION_NR - 1})`);
    }
  }
}
