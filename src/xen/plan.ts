// The decisions of xen_mpumap_update() and its helpers, as pure functions of the shadow table:
// each returns a plan (what to change) or a refusal (rc and Xen's printed lines). Nothing here
// writes anything, so a refused request cannot have side effects; mpumap.ts applies plans.
//
// Side by side with xen/arch/arm/mpu/mm.c:
//   checkMapping      <-> the three checks at the top of xen_mpumap_update() (check_mpu_mapping)
//   planUpdateEntry   <-> xen_mpumap_update_entry() with is_mm_attr_match(), xen_mpumap_alloc_entry()
//   planFreeEntry     <-> xen_mpumap_free_entry()

import { XEN_ERRNO, type XenErrorCode } from './errno.js';
import { flagsHaveRwx, isPresent } from './flags.js';
import { formatPaddr } from './printk.js';
import { compareAttributes, regionFromFlags, withPermissions, type RegionRegisters } from './region.js';
import { REFCOUNT_MAX, type ShadowTable } from './shadow.js';

export const PAGE_SIZE = 0x1000n;

export interface Refusal {
  readonly kind: 'refuse';
  readonly rc: XenErrorCode;
  readonly messages: readonly string[];
  /** The entry the refusal is about, when there is one. */
  readonly index: number | null;
  /** The region that conflicts with the request (overlap, partial region, attributes...). */
  readonly conflictIndex: number | null;
}

export type UpdatePlan =
  | Refusal
  /** Identical or contained mapping with the same attributes: refcount + 1, no register write. */
  | { readonly kind: 'add-reference'; readonly index: number }
  /** Removal of a region still referenced: refcount - 1, no register write. */
  | { readonly kind: 'drop-reference'; readonly index: number }
  /** RO/XN of a whole, singly-mapped region change: rewrite the entry and its registers. */
  | { readonly kind: 'change-permissions'; readonly index: number; readonly region: RegionRegisters }
  /** A new region in the lowest free entry. */
  | { readonly kind: 'insert'; readonly index: number; readonly region: RegionRegisters }
  /** The last user of a whole region goes: free the entry and disable the region. */
  | { readonly kind: 'remove'; readonly index: number };

export function refuse(rc: XenErrorCode, messages: readonly string[], index: number | null = null, conflictIndex: number | null = null): Refusal {
  return { kind: 'refuse', rc, messages, index, conflictIndex };
}

/** The entry checks of xen_mpumap_update(), in Xen's order; null when the request passes. */
export function checkMapping(base: bigint, limit: bigint, flags: number): Refusal | null {
  if (flagsHaveRwx(flags)) {
    return refuse(XEN_ERRNO.EINVAL, ['Mappings should not be both Writeable and Executable']);
  }
  if (base >= limit) {
    return refuse(XEN_ERRNO.EINVAL, [`Base address ${formatPaddr(base)} must be smaller than limit address ${formatPaddr(limit)}`]);
  }
  if (base % PAGE_SIZE !== 0n || limit % PAGE_SIZE !== 0n) {
    return refuse(XEN_ERRNO.EINVAL, [`base address ${formatPaddr(base)}, or limit address ${formatPaddr(limit)} is not page aligned`]);
  }
  return null;
}

/** xen_mpumap_update_entry(): what to do with [base, limit) and flags (checks already passed). */
export function planUpdateEntry(shadow: ShadowTable, base: bigint, limit: bigint, flags: number): UpdatePlan {
  const lookup = shadow.lookup(base, limit);
  if (lookup.kind === 'overlap') return refuse(XEN_ERRNO.EINVAL, [lookup.message], null, lookup.index);

  if (!isPresent(flags)) {
    // Removing a mapping.
    if (lookup.kind === 'not-found') return refuse(XEN_ERRNO.EINVAL, ['Cannot remove an entry that does not exist']);
    return planFreeEntry(shadow, lookup.index, lookup.kind);
  }

  if (lookup.kind === 'not-found') {
    // Inserting a mapping: take the lowest free entry of the bitmap.
    const index = shadow.lowestFreeEntry();
    if (index === undefined) return refuse(XEN_ERRNO.ENOENT, ['EL2 MPU memory region mapping pool exhausted']);
    return { kind: 'insert', index, region: regionFromFlags(base, limit, flags) };
  }

  // The range is an existing region (found) or lies inside one (inclusive).
  const { index } = lookup;
  const entry = shadow.entry(index);
  switch (compareAttributes(entry, flags)) {
    case 'attr-index-mismatch':
      return refuse(XEN_ERRNO.EINVAL, ['Modifying AI attribute is not supported'], index, index);
    case 'xn-ro-mismatch':
      // RO and XN change only for a whole region that nobody else maps. A differing AttrIndx is
      // not looked at on this path: the region keeps its own (as in Xen).
      if (lookup.kind === 'inclusive') return refuse(XEN_ERRNO.EINVAL, ['Cannot modify partial region attributes'], index, index);
      if (entry.refcount !== 0) {
        return refuse(XEN_ERRNO.EINVAL, ['Cannot modify RO,XN attributes for a region mapped multiple times'], index, index);
      }
      return { kind: 'change-permissions', index, region: withPermissions(entry, flags) };
    case 'match':
      if (entry.refcount === REFCOUNT_MAX) {
        return refuse(XEN_ERRNO.ENOENT, ['Cannot allocate region as it would cause refcount overflow'], index, index);
      }
      return { kind: 'add-reference', index };
  }
}

/**
 * xen_mpumap_free_entry(): a removal of a region Xen found. A reference is dropped first, even
 * for a sub-range (Xen does not track which sub-range took it); only a whole region is freed.
 */
export function planFreeEntry(shadow: ShadowTable, index: number, found: 'found' | 'inclusive'): UpdatePlan {
  const entry = shadow.entry(index);
  if (entry.refcount > 0) return { kind: 'drop-reference', index };
  if (found !== 'found') return refuse(XEN_ERRNO.EINVAL, ['Cannot remove a partial region'], index, index);
  return { kind: 'remove', index };
}
