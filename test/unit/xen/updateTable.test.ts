// Table-driven tests of xen_mpumap_update() and its wrappers, in the style of Xen's
// tools/tests/rangeset: each case is the operations that set the table up, one operation
// under test, and everything expected afterwards: rc, errno, Xen's printed lines, the entry
// touched, the conflicting region, the whole shadow table, the bitmap, the enabled hardware
// regions, and the exact register accesses made by the operation under test.

import { describe, expect, it } from 'vitest';
import type { DisableMode } from '../../../src/xen/programmer.js';
import type { Effect, OperationRequest } from '../../../src/xen/result.js';
import { bitmapIndices, containing, destroy, ioremap, mapPages, modify, newService, NOCACHE, pages, RO, RW, RX, shadowTable, update, WC } from './harness.js';

/** Expected register values: base | PRBAR attribute bits, inclusive limit | PRLAR attribute bits. */
function regs(base: bigint, limit: bigint, prbarLow: bigint, prlarLow: bigint): [bigint, bigint] {
  return [base | prbarLow, ((limit - 1n) & ~0x3fn) | prlarLow];
}
const rwRegs = (r: [bigint, bigint]) => regs(r[0], r[1], 0x32n, 0x0fn);
const roRegs = (r: [bigint, bigint]) => regs(r[0], r[1], 0x3an, 0x0fn);
const rxRegs = (r: [bigint, bigint]) => regs(r[0], r[1], 0x38n, 0x0fn);
const devRegs = (r: [bigint, bigint]) => regs(r[0], r[1], 0x22n, 0x09n);

type Row = [index: number, prbar: bigint, prlar: bigint, refcount: number];
const row = (index: number, r: [bigint, bigint], refcount = 0): Row => [index, r[0], r[1], refcount];

interface TableCase {
  readonly name: string;
  readonly regions?: number;
  readonly mode?: DisableMode;
  /** Operations that set the table up; each must succeed. */
  readonly given?: readonly OperationRequest[];
  readonly when: OperationRequest;
  readonly rc: number;
  readonly errno: 'EINVAL' | 'ENOENT' | null;
  readonly messages?: readonly string[];
  readonly index: number | null;
  readonly effect: Effect;
  readonly conflict?: number | null;
  /** Every enabled shadow entry afterwards (the bitmap must list the same indices). */
  readonly table: readonly Row[];
  /** Enabled hardware regions afterwards as [index, prbar, prlar]; defaults to the table's. */
  readonly hardware?: readonly [number, bigint, bigint][];
  /** The exact accesses of the operation under test (reads included). */
  readonly accesses?: readonly string[];
  readonly address?: bigint | null;
}

const A = pages(1); // [0x1000, 0x2000)
const B = pages(2); // [0x2000, 0x3000)
const C = pages(3); // [0x3000, 0x4000)
const AB = pages(1, 2); // [0x1000, 0x3000)
const SYNC = ['dsb', 'isb'];

const fill = (count: number, firstPage = 0x100): OperationRequest[] =>
  Array.from({ length: count }, (_, i) => update(...pages(firstPage + i), RW));
const fillRows = (count: number, firstPage = 0x100): Row[] => Array.from({ length: count }, (_, i) => row(i, rwRegs(pages(firstPage + i))));

const cases: TableCase[] = [
  // --- the three entry checks, in Xen's order ---
  {
    name: 'writable and executable at once is refused',
    when: update(...A, 0x27),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ['Mappings should not be both Writeable and Executable'],
    table: [], accesses: [],
  },
  {
    name: 'W+X is checked before base >= limit',
    when: update(0x2000n, 0x1000n, 0x27),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ['Mappings should not be both Writeable and Executable'],
    table: [], accesses: [],
  },
  {
    name: 'base >= limit is refused with both addresses',
    when: update(0x2000n, 0x1000n, RW),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ['Base address 0x00000000002000 must be smaller than limit address 0x00000000001000'],
    table: [], accesses: [],
  },
  {
    name: 'an empty range at 0 prints zeros without 0x, as Xen\'s %#016lx does',
    when: update(0n, 0n, RW),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ['Base address 0000000000000000 must be smaller than limit address 0000000000000000'],
    table: [], accesses: [],
  },
  {
    name: 'base >= limit is checked before alignment',
    when: update(0x3800n, 0x1800n, RW),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ['Base address 0x00000000003800 must be smaller than limit address 0x00000000001800'],
    table: [], accesses: [],
  },
  {
    name: 'an unaligned base or limit is refused',
    when: update(0x1800n, 0x3000n, RW),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ['base address 0x00000000001800, or limit address 0x00000000003000 is not page aligned'],
    table: [], accesses: [],
  },
  {
    name: 'a removal skips the W+X check (no _PAGE_PRESENT) and fails on lookup',
    when: update(...A, 0x07),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ['Cannot remove an entry that does not exist'],
    table: [], accesses: [],
  },
  // --- insertion ---
  {
    name: 'the first mapping goes to entry 0 through PRBAR_EL2/PRLAR_EL2',
    when: update(...A, RW),
    rc: 0, errno: null, index: 0, effect: 'inserted', messages: [],
    table: [row(0, [0x1032n, 0x1fcfn])],
    accesses: ['r PRSELR_EL2', 'w PRBAR_EL2 0x1032', 'w PRLAR_EL2 0x1fcf', ...SYNC],
  },
  {
    name: 'the second mapping goes to entry 1 through PRBAR1/PRLAR1',
    given: [update(...A, RW)],
    when: update(...C, RO),
    rc: 0, errno: null, index: 1, effect: 'inserted',
    table: [row(0, rwRegs(A)), row(1, [0x303an, 0x3fcfn])],
    accesses: ['r PRSELR_EL2', 'w PRBAR1_EL2 0x303a', 'w PRLAR1_EL2 0x3fcf', ...SYNC],
  },
  {
    name: 'a new mapping takes the lowest free entry',
    given: [update(...A, RW), update(...B, RW), update(...C, RW), destroy(...A)],
    when: update(...pages(8), RX),
    rc: 0, errno: null, index: 0, effect: 'inserted',
    table: [row(0, rxRegs(pages(8))), row(1, rwRegs(B)), row(2, rwRegs(C))],
  },
  {
    name: 'device memory is outer shareable with AttrIndx 4 (NOCACHE)',
    when: update(0x9c09_0000n, 0x9c09_1000n, NOCACHE),
    rc: 0, errno: null, index: 0, effect: 'inserted',
    table: [row(0, [0x9c09_0022n, 0x9c09_0fc9n])],
  },
  {
    name: 'write-combining memory is outer shareable with AttrIndx 1 (WC)',
    when: update(...A, WC),
    rc: 0, errno: null, index: 0, effect: 'inserted',
    table: [row(0, [0x1022n, 0x1fc3n])],
  },
  {
    name: 'entry 16 switches PRSELR to bank 0x10 (then ISB) and uses PRBAR_EL2',
    given: fill(16),
    when: update(...A, RW),
    regions: 32,
    rc: 0, errno: null, index: 16, effect: 'inserted',
    table: [...fillRows(16), row(16, rwRegs(A))],
    accesses: ['r PRSELR_EL2', 'w PRSELR_EL2 0x10', 'isb', 'w PRBAR_EL2 0x1032', 'w PRLAR_EL2 0x1fcf', ...SYNC],
  },
  {
    name: 'entry 17 stays in bank 0x10: no PRSELR write, PRBAR1/PRLAR1',
    given: fill(17),
    when: update(...A, RW),
    regions: 32,
    rc: 0, errno: null, index: 17, effect: 'inserted',
    table: [...fillRows(17), row(17, rwRegs(A))],
    accesses: ['r PRSELR_EL2', 'w PRBAR1_EL2 0x1032', 'w PRLAR1_EL2 0x1fcf', ...SYNC],
  },
  {
    name: 'the last region of a 16-region board is entry 15',
    given: fill(15),
    when: update(...A, RW),
    rc: 0, errno: null, index: 15, effect: 'inserted',
    table: [...fillRows(15), row(15, rwRegs(A))],
    accesses: ['r PRSELR_EL2', 'w PRBAR15_EL2 0x1032', 'w PRLAR15_EL2 0x1fcf', ...SYNC],
  },
  {
    name: 'a full pool refuses a new region with -ENOENT',
    regions: 4,
    given: fill(4),
    when: update(...A, RW),
    rc: -2, errno: 'ENOENT', index: null, effect: 'refused', conflict: null,
    messages: ['EL2 MPU memory region mapping pool exhausted'],
    table: fillRows(4), accesses: [],
  },
  {
    name: 'a full pool still takes a reference on an existing region',
    regions: 4,
    given: fill(4),
    when: update(...pages(0x100), RW),
    rc: 0, errno: null, index: 0, effect: 'referenced',
    table: [row(0, rwRegs(pages(0x100)), 1), ...fillRows(4).slice(1)],
    accesses: SYNC,
  },
  // --- lookup: first hit decides ---
  {
    name: 'a range overlapping the end of a region is refused, naming that region',
    given: [update(...AB, RW)],
    when: update(0x2000n, 0x4000n, RW),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused', conflict: 0,
    messages: ['Range 0x00000000002000 - 0x00000000004000 overlaps with the existing region 0x00000000001000 - 0x00000000003000'],
    table: [row(0, rwRegs(AB))], accesses: [],
  },
  {
    name: 'a range that strictly contains a region is an overlap',
    given: [update(...B, RW)],
    when: update(0x1000n, 0x4000n, RW),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused', conflict: 0,
    messages: ['Range 0x00000000001000 - 0x00000000004000 overlaps with the existing region 0x00000000002000 - 0x00000000003000'],
    table: [row(0, rwRegs(B))], accesses: [],
  },
  {
    name: 'the first intersecting entry in index order decides (overlap with entry 0 before entry 1 contains)',
    given: [update(...A, RW), update(0x2000n, 0x8000n, RW)],
    when: update(0x1000n, 0x3000n, RW),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused', conflict: 0,
    messages: ['Range 0x00000000001000 - 0x00000000003000 overlaps with the existing region 0x00000000001000 - 0x00000000002000'],
    table: [row(0, rwRegs(A)), row(1, rwRegs([0x2000n, 0x8000n]))], accesses: [],
  },
  {
    name: 'entries that do not intersect are skipped: a range inside entry 1 references entry 1',
    given: [update(...pages(9), RW), update(0x1000n, 0x5000n, RW)],
    when: update(...B, RW),
    rc: 0, errno: null, index: 1, effect: 'referenced',
    table: [row(0, rwRegs(pages(9))), row(1, rwRegs([0x1000n, 0x5000n]), 1)],
    accesses: SYNC,
  },
  // --- references ---
  {
    name: 'an identical mapping takes a reference: no register write, still DSB; ISB',
    given: [update(...A, RW)],
    when: update(...A, RW),
    rc: 0, errno: null, index: 0, effect: 'referenced',
    table: [row(0, rwRegs(A), 1)], accesses: SYNC,
  },
  {
    name: 'a contained mapping with the same attributes takes a reference on the container',
    given: [update(...AB, RO)],
    when: update(...B, RO),
    rc: 0, errno: null, index: 0, effect: 'referenced',
    table: [row(0, roRegs(AB), 1)], accesses: SYNC,
  },
  {
    name: 'the 256th use of a region would overflow the u8 refcount: -ENOENT',
    given: Array.from({ length: 256 }, () => update(...A, RW)),
    when: update(...A, RW),
    rc: -2, errno: 'ENOENT', index: 0, effect: 'refused', conflict: 0,
    messages: ['Cannot allocate region as it would cause refcount overflow'],
    table: [row(0, rwRegs(A), 0xff)], accesses: [],
  },
  // --- attributes: XN/RO first, then AttrIndx ---
  {
    name: 'RO/XN of a whole singly-mapped region are rewritten (RW -> RO)',
    given: [update(...A, RW)],
    when: modify(...A, RO),
    rc: 0, errno: null, index: 0, effect: 'modified',
    table: [row(0, [0x103an, 0x1fcfn])],
    accesses: ['r PRSELR_EL2', 'w PRBAR_EL2 0x103a', 'w PRLAR_EL2 0x1fcf', ...SYNC],
  },
  {
    name: 'RX -> RW rewrite keeps the refcount at 0 and the entry index',
    given: [update(...A, RW), update(...B, RX)],
    when: modify(...B, RW),
    rc: 0, errno: null, index: 1, effect: 'modified',
    table: [row(0, rwRegs(A)), row(1, rwRegs(B))],
    accesses: ['r PRSELR_EL2', 'w PRBAR1_EL2 0x2032', 'w PRLAR1_EL2 0x2fcf', ...SYNC],
  },
  {
    name: 'RO/XN of part of a region cannot change',
    given: [update(...AB, RW)],
    when: modify(...B, RO),
    rc: -22, errno: 'EINVAL', index: 0, effect: 'refused', conflict: 0,
    messages: ['Cannot modify partial region attributes'],
    table: [row(0, rwRegs(AB))], accesses: [],
  },
  {
    name: 'RO/XN of a region mapped twice cannot change',
    given: [update(...A, RW), update(...A, RW)],
    when: modify(...A, RO),
    rc: -22, errno: 'EINVAL', index: 0, effect: 'refused', conflict: 0,
    messages: ['Cannot modify RO,XN attributes for a region mapped multiple times'],
    table: [row(0, rwRegs(A), 1)], accesses: [],
  },
  {
    name: 'only AttrIndx differs: refused',
    given: [update(...A, RW)],
    when: update(...A, WC),
    rc: -22, errno: 'EINVAL', index: 0, effect: 'refused', conflict: 0,
    messages: ['Modifying AI attribute is not supported'],
    table: [row(0, rwRegs(A))], accesses: [],
  },
  {
    name: 'only AttrIndx differs on a contained range: refused the same way',
    given: [update(...AB, RW)],
    when: update(...B, WC),
    rc: -22, errno: 'EINVAL', index: 0, effect: 'refused', conflict: 0,
    messages: ['Modifying AI attribute is not supported'],
    table: [row(0, rwRegs(AB))], accesses: [],
  },
  {
    name: 'RO/XN and AttrIndx both differ: RO/XN are rewritten and AttrIndx silently kept',
    given: [update(...A, RW)],
    when: modify(...A, 0x3c), // PRESENT|RO|XN|MT_DEVICE_nGnRE
    rc: 0, errno: null, index: 0, effect: 'modified',
    table: [row(0, [0x103an, 0x1fcfn])],
    accesses: ['r PRSELR_EL2', 'w PRBAR_EL2 0x103a', 'w PRLAR_EL2 0x1fcf', ...SYNC],
  },
  {
    name: 'RO/XN differ on a contained range with AttrIndx differing too: the partial message wins',
    given: [update(...AB, RW)],
    when: update(...B, 0x3c),
    rc: -22, errno: 'EINVAL', index: 0, effect: 'refused', conflict: 0,
    messages: ['Cannot modify partial region attributes'],
    table: [row(0, rwRegs(AB))], accesses: [],
  },
  // --- removal ---
  {
    name: 'removing a range nobody mapped is refused',
    given: [update(...A, RW)],
    when: destroy(...C),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ['Cannot remove an entry that does not exist'],
    table: [row(0, rwRegs(A))], accesses: [],
  },
  {
    name: 'removing an overlapping range is refused with the overlap line',
    given: [update(...A, RW)],
    when: destroy(...AB),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused', conflict: 0,
    messages: ['Range 0x00000000001000 - 0x00000000003000 overlaps with the existing region 0x00000000001000 - 0x00000000002000'],
    table: [row(0, rwRegs(A))], accesses: [],
  },
  {
    name: 'removing a referenced region drops one reference, no register write',
    given: [update(...A, RW), update(...A, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 0, effect: 'unreferenced',
    table: [row(0, rwRegs(A))], accesses: SYNC,
  },
  {
    name: 'removing a sub-range of a referenced region drops a reference (Xen does not track sub-ranges)',
    given: [update(...AB, RW), update(...AB, RW)],
    when: destroy(...B),
    rc: 0, errno: null, index: 0, effect: 'unreferenced',
    table: [row(0, rwRegs(AB))], accesses: SYNC,
  },
  {
    name: 'removing part of a singly-mapped region is refused',
    given: [update(...AB, RW)],
    when: destroy(...B),
    rc: -22, errno: 'EINVAL', index: 0, effect: 'refused', conflict: 0,
    messages: ['Cannot remove a partial region'],
    table: [row(0, rwRegs(AB))], accesses: [],
  },
  {
    name: 'upstream: region 0 is disabled by rewriting it with zeros',
    given: [update(...A, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 0, effect: 'removed',
    table: [], accesses: ['r PRSELR_EL2', 'w PRBAR_EL2 0x0', 'w PRLAR_EL2 0x0', ...SYNC],
  },
  {
    name: 'intended: region 0 is disabled through PRENR',
    mode: 'intended',
    given: [update(...A, RW), update(...B, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 0, effect: 'removed',
    table: [row(1, rwRegs(B))], accesses: ['r PRENR_EL2', 'w PRENR_EL2 0x2', ...SYNC],
  },
  {
    name: 'upstream: region 1 is disabled through PRENR (hardware keeps base/limit with EN clear)',
    given: [update(...A, RW), update(...B, RW)],
    when: destroy(...B),
    rc: 0, errno: null, index: 1, effect: 'removed',
    table: [row(0, rwRegs(A))], accesses: ['r PRENR_EL2', 'w PRENR_EL2 0x1', ...SYNC],
  },
  {
    name: 'upstream: region 31 is disabled through PRENR bit 31',
    regions: 32,
    given: [...fill(31), update(...A, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 31, effect: 'removed',
    table: fillRows(31), accesses: ['r PRENR_EL2', 'w PRENR_EL2 0x7fffffff', ...SYNC],
  },
  {
    name: 'intended: region 31 is disabled through PRENR bit 31',
    regions: 32, mode: 'intended',
    given: [...fill(31), update(...A, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 31, effect: 'removed',
    table: fillRows(31), accesses: ['r PRENR_EL2', 'w PRENR_EL2 0x7fffffff', ...SYNC],
  },
  {
    name: 'upstream: region 32 takes the PRENR path, which controls nothing: it stays enabled in hardware',
    regions: 64,
    given: [...fill(32), update(...A, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 32, effect: 'removed',
    table: fillRows(32),
    hardware: [...fillRows(32).map(([i, b, l]) => [i, b, l] as [number, bigint, bigint]), [32, ...rwRegs(A)]],
    accesses: ['r PRENR_EL2', 'w PRENR_EL2 0xffffffff', ...SYNC],
  },
  {
    name: 'intended: region 32 is rewritten with zeros (bank 0x20 already selected)',
    regions: 64, mode: 'intended',
    given: [...fill(32), update(...A, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 32, effect: 'removed',
    table: fillRows(32), accesses: ['r PRSELR_EL2', 'w PRBAR_EL2 0x0', 'w PRLAR_EL2 0x0', ...SYNC],
  },
  {
    name: 'upstream: the last region of a 64-region board (63) stays enabled in hardware',
    regions: 64,
    given: [...fill(63), update(...A, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 63, effect: 'removed',
    table: fillRows(63),
    hardware: [...fillRows(63).map(([i, b, l]) => [i, b, l] as [number, bigint, bigint]), [63, ...rwRegs(A)]],
    accesses: ['r PRENR_EL2', 'w PRENR_EL2 0xffffffff', ...SYNC],
  },
  {
    name: 'intended: the last region of a 64-region board (63) is rewritten through PRBAR15/PRLAR15',
    regions: 64, mode: 'intended',
    given: [...fill(63), update(...A, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 63, effect: 'removed',
    table: fillRows(63), accesses: ['r PRSELR_EL2', 'w PRBAR15_EL2 0x0', 'w PRLAR15_EL2 0x0', ...SYNC],
  },
  {
    name: 'upstream: freeing region 64 shifts by 64 mod 64 and disables region 0 in hardware',
    regions: 255,
    given: [...fill(64), update(...A, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 64, effect: 'removed',
    table: fillRows(64),
    hardware: [...fillRows(64).slice(1).map(([i, b, l]) => [i, b, l] as [number, bigint, bigint]), [64, ...rwRegs(A)]],
    accesses: ['r PRENR_EL2', 'w PRENR_EL2 0xfffffffe', ...SYNC],
  },
  {
    name: 'intended: the last region of a 255-region board (254) is rewritten in bank 0xf0',
    regions: 255, mode: 'intended',
    given: [...fill(254), update(...A, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 254, effect: 'removed',
    table: fillRows(254), accesses: ['r PRSELR_EL2', 'w PRBAR14_EL2 0x0', 'w PRLAR14_EL2 0x0', ...SYNC],
  },
  {
    name: 'upstream: the last region of a 255-region board (254) stays enabled in hardware',
    regions: 255,
    given: [...fill(254), update(...A, RW)],
    when: destroy(...A),
    rc: 0, errno: null, index: 254, effect: 'removed',
    table: fillRows(254),
    hardware: [...fillRows(254).map(([i, b, l]) => [i, b, l] as [number, bigint, bigint]), [254, ...rwRegs(A)]],
    accesses: ['r PRENR_EL2', 'w PRENR_EL2 0xffffffff', ...SYNC],
  },
  // --- wrappers ---
  {
    name: 'map_pages_to_xen maps [virt, (mfn + nr) << 12)',
    when: mapPages(0x1000n, 1n, 2n, RW),
    rc: 0, errno: null, index: 0, effect: 'inserted',
    table: [row(0, rwRegs(AB))],
  },
  {
    name: 'map_pages_to_xen passes virt straight through: a virt above the end is base >= limit',
    when: mapPages(0x5000n, 1n, 2n, RW),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ['Base address 0x00000000005000 must be smaller than limit address 0x00000000003000'],
    table: [], accesses: [],
  },
  {
    name: 'ioremap_attr rounds down the start and up the end, and returns the start',
    when: ioremap(0x1800n, 0x1000n, NOCACHE),
    rc: 0, errno: null, index: 0, effect: 'inserted', address: 0x1800n,
    table: [row(0, devRegs(AB))],
  },
  {
    name: 'ioremap_attr of an already-mapped device takes a reference and still returns the start',
    given: [update(0x9c09_0000n, 0x9c09_1000n, NOCACHE)],
    when: ioremap(0x9c09_0010n, 0x20n, NOCACHE),
    rc: 0, errno: null, index: 0, effect: 'referenced', address: 0x9c09_0010n,
    table: [row(0, devRegs([0x9c09_0000n, 0x9c09_1000n]), 1)], accesses: SYNC,
  },
  {
    name: 'ioremap_attr of nothing at a page boundary is an empty range: NULL',
    when: ioremap(0x2000n, 0n, NOCACHE),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused', address: null,
    messages: ['Base address 0x00000000002000 must be smaller than limit address 0x00000000002000'],
    table: [], accesses: [],
  },
  {
    name: 'destroy_xen_mapping_containing frees the whole region containing the page',
    given: [update(...pages(1, 4), RW)],
    when: containing(0x3000n),
    rc: 0, errno: null, index: 0, effect: 'removed',
    table: [], accesses: ['r PRSELR_EL2', 'w PRBAR_EL2 0x0', 'w PRLAR_EL2 0x0', ...SYNC],
  },
  {
    name: 'destroy_xen_mapping_containing drops a reference when the region is mapped twice',
    given: [update(...pages(1, 4), RW), update(...B, RW)],
    when: containing(0x1000n),
    rc: 0, errno: null, index: 0, effect: 'unreferenced',
    table: [row(0, rwRegs(pages(1, 4)))], accesses: SYNC,
  },
  {
    name: 'destroy_xen_mapping_containing of an unmapped page prints Xen\'s line',
    when: containing(0x1000n),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ['Cannot remove entry that does not exist'],
    table: [], accesses: [],
  },
  {
    name: 'destroy_xen_mapping_containing of an unaligned address is refused (an ASSERT in Xen)',
    given: [update(...A, RW)],
    when: containing(0x1800n),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ["Assertion 'IS_ALIGNED(s, PAGE_SIZE)' failed"],
    table: [row(0, rwRegs(A))], accesses: [],
  },
  {
    name: 'destroy_xen_mapping_containing of the page just below a region finds nothing',
    given: [update(...A, RW)],
    when: containing(0x0n),
    rc: -22, errno: 'EINVAL', index: null, effect: 'refused',
    messages: ['Cannot remove entry that does not exist'],
    table: [row(0, rwRegs(A))], accesses: [],
  },
];

describe('xen_mpumap_update table', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { service, hardware } = newService(c.regions ?? 16, c.mode ?? 'upstream');
      for (const [i, request] of (c.given ?? []).entries()) {
        const result = await service.execute(request);
        if (result.rc !== 0) throw new Error(`given[${i}] failed: ${result.messages.join(' / ')}`);
      }
      hardware.take();
      const before = service.shadowEntries();
      const regionsBefore = hardware.regions.map((r) => ({ ...r }));

      const result = await service.execute(c.when);
      const accesses = hardware.take();

      expect({ rc: result.rc, errno: result.errno, index: result.index, effect: result.effect }).toEqual({
        rc: c.rc,
        errno: c.errno,
        index: c.index,
        effect: c.effect,
      });
      if (c.messages !== undefined) expect(result.messages).toEqual(c.messages);
      if (c.conflict !== undefined) expect(result.conflict?.index ?? null).toBe(c.conflict);
      if (c.address !== undefined) expect(result.address).toBe(c.address);
      expect(shadowTable(service)).toEqual(c.table);
      expect(bitmapIndices(service)).toEqual(c.table.map(([i]) => i));
      const hardwareRows = c.hardware ?? c.table.map(([i, prbar, prlar]) => [i, prbar, prlar] as [number, bigint, bigint]);
      expect(hardware.enabledRegions()).toEqual(hardwareRows);
      if (c.accesses !== undefined) expect(accesses).toEqual(c.accesses);
      if (result.rc !== 0) {
        // All or nothing: a refusal changes neither the shadow, nor the bitmap, nor a register.
        expect(FakeWrites(accesses)).toEqual([]);
        expect(service.shadowEntries()).toEqual(before);
        expect(hardware.regions).toEqual(regionsBefore);
        expect(service.lastFailure()?.sequence).toBe(result.sequence);
      }
    });
  }
});

function FakeWrites(lines: readonly string[]): string[] {
  return lines.filter((l) => !l.startsWith('r '));
}
