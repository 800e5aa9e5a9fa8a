// The shadow table as Xen lays it out in memory, so that the wiring can place it in board
// memory and GDB users can `x` it exactly as they would on a Xen build:
//
//   xen_mpumap       pr_t[MAX_MPU_REGION_NR], 32 bytes per entry, little-endian:
//                      +0  prbar    u64
//                      +8  prlar    u64
//                      +16 refcount u8
//                      +17 pad[15]  (zero)
//   xen_mpumap_mask  DECLARE_BITMAP(255): 4 unsigned longs = 32 bytes, bit i = entry i
//   max_mpu_regions  u8
//
// Encoding is done by hand (it is a few fixed offsets); decoding uses binary-parser, so the
// decoder is an independent reading of the same layout.

// binary-parser's ESM entry ships no type declarations that NodeNext resolution finds (its
// exports map has no "types" condition), so the typed CommonJS build is imported directly.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import { MAX_MPU_REGION_NR, type ShadowEntry } from './shadow.js';

export const XEN_MPUMAP_ENTRY_SIZE = 32;
export const XEN_MPUMAP_SIZE = XEN_MPUMAP_ENTRY_SIZE * MAX_MPU_REGION_NR; // 8160
/** BITS_TO_LONGS(255) * sizeof(unsigned long) */
export const XEN_MPUMAP_MASK_SIZE = Math.ceil(MAX_MPU_REGION_NR / 64) * 8; // 32
export const MAX_MPU_REGIONS_SIZE = 1;

const ENTRY_PRBAR = 0;
const ENTRY_PRLAR = 8;
const ENTRY_REFCOUNT = 16;

export function encodeXenMpumap(entries: readonly ShadowEntry[]): Uint8Array {
  if (entries.length !== MAX_MPU_REGION_NR) throw new RangeError(`xen_mpumap has ${MAX_MPU_REGION_NR} entries, not ${entries.length}`);
  const bytes = new Uint8Array(XEN_MPUMAP_SIZE);
  const view = new DataView(bytes.buffer);
  entries.forEach((entry, index) => {
    const at = index * XEN_MPUMAP_ENTRY_SIZE;
    view.setBigUint64(at + ENTRY_PRBAR, entry.prbar, true);
    view.setBigUint64(at + ENTRY_PRLAR, entry.prlar, true);
    view.setUint8(at + ENTRY_REFCOUNT, entry.refcount);
  });
  return bytes;
}

export function encodeXenMpumapMask(bitmap: bigint): Uint8Array {
  const bytes = new Uint8Array(XEN_MPUMAP_MASK_SIZE);
  const view = new DataView(bytes.buffer);
  for (let word = 0; word < XEN_MPUMAP_MASK_SIZE / 8; word++) {
    view.setBigUint64(word * 8, (bitmap >> BigInt(word * 64)) & 0xffff_ffff_ffff_ffffn, true);
  }
  return bytes;
}

export function encodeMaxMpuRegions(maxRegions: number): Uint8Array {
  return Uint8Array.of(maxRegions);
}

const entryParser = new Parser()
  .endianness('little')
  .uint64('prbar')
  .uint64('prlar')
  .uint8('refcount')
  .seek(XEN_MPUMAP_ENTRY_SIZE - ENTRY_REFCOUNT - 1);

const mpumapParser = new Parser().array('entries', { type: entryParser, length: MAX_MPU_REGION_NR });

const maskParser = new Parser()
  .endianness('little')
  .array('words', { type: 'uint64le', length: XEN_MPUMAP_MASK_SIZE / 8 });

function isEntry(value: unknown): value is ShadowEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['prbar'] === 'bigint' && typeof v['prlar'] === 'bigint' && typeof v['refcount'] === 'number';
}

/** Reads xen_mpumap back from its memory image. */
export function decodeXenMpumap(bytes: Uint8Array): ShadowEntry[] {
  if (bytes.length < XEN_MPUMAP_SIZE) throw new RangeError(`xen_mpumap needs ${XEN_MPUMAP_SIZE} bytes, got ${bytes.length}`);
  const parsed: unknown = mpumapParser.parse(bytes);
  const entries = (parsed as { entries?: unknown }).entries;
  if (!Array.isArray(entries) || !entries.every(isEntry)) throw new TypeError('xen_mpumap image did not decode into entries');
  return entries.map((e: ShadowEntry) => ({ prbar: e.prbar, prlar: e.prlar, refcount: e.refcount }));
}

/** Reads xen_mpumap_mask back from its memory image. */
export function decodeXenMpumapMask(bytes: Uint8Array): bigint {
  if (bytes.length < XEN_MPUMAP_MASK_SIZE) throw new RangeError(`xen_mpumap_mask needs ${XEN_MPUMAP_MASK_SIZE} bytes, got ${bytes.length}`);
  const parsed: unknown = maskParser.parse(bytes);
  const words = (parsed as { words?: unknown }).words;
  if (!Array.isArray(words) || !words.every((w): w is bigint => typeof w === 'bigint')) throw new TypeError('xen_mpumap_mask image did not decode');
  return words.reduce((acc: bigint, word: bigint, i: number) => acc | (word << BigInt(i * 64)), 0n);
}
