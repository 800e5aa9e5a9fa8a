// Xen's mapping flags (xen/arch/arm/include/asm/page.h) and their parsing from names.
//
// Layout of a flags word: bits [2:0] AttrIndx (an index into MAIR_EL2), bit 3 _PAGE_XN,
// bit 4 _PAGE_RO, bit 5 _PAGE_PRESENT, bits 6..8 _PAGE_POPULATE, _PAGE_BLOCK, _PAGE_CONTIG
// (the MPU code ignores those three). A request without _PAGE_PRESENT is a removal.

import { InputError, parseUnsigned } from './input.js';

export const MT_DEVICE_nGnRnE = 0x0;
export const MT_NORMAL_NC = 0x1;
export const MT_NORMAL_WT = 0x2;
export const MT_NORMAL_WB = 0x3;
export const MT_DEVICE_nGnRE = 0x4;
export const MT_NORMAL = 0x7;

export const _PAGE_XN = 1 << 3;
export const _PAGE_RO = 1 << 4;
export const _PAGE_PRESENT = 1 << 5;
export const _PAGE_POPULATE = 1 << 6;
export const _PAGE_BLOCK = 1 << 7;
export const _PAGE_CONTIG = 1 << 8;
/** Convenience names of page.h: device memory is never executable. */
export const _PAGE_DEVICE = _PAGE_XN;
export const _PAGE_NORMAL = MT_NORMAL;

export const PAGE_HYPERVISOR_RO = _PAGE_PRESENT | _PAGE_NORMAL | _PAGE_RO | _PAGE_XN; // 0x3F
export const PAGE_HYPERVISOR_RX = _PAGE_PRESENT | _PAGE_NORMAL | _PAGE_RO; // 0x37
export const PAGE_HYPERVISOR_RW = _PAGE_PRESENT | _PAGE_NORMAL | _PAGE_XN; // 0x2F
export const PAGE_HYPERVISOR = PAGE_HYPERVISOR_RW;
export const PAGE_HYPERVISOR_NOCACHE = _PAGE_PRESENT | _PAGE_DEVICE | MT_DEVICE_nGnRE; // 0x2C
export const PAGE_HYPERVISOR_WC = _PAGE_PRESENT | _PAGE_DEVICE | MT_NORMAL_NC; // 0x29

/** Flags are a C `unsigned int`. */
export const FLAGS_MAX = 0xffff_ffffn;

/** PAGE_AI_MASK(): the memory attribute index, bits [2:0]. */
export function attrIndexOf(flags: number): number {
  return flags & 0x7;
}
/** PAGE_XN_MASK() */
export function xnOf(flags: number): 0 | 1 {
  return (flags & _PAGE_XN) !== 0 ? 1 : 0;
}
/** PAGE_RO_MASK() */
export function roOf(flags: number): 0 | 1 {
  return (flags & _PAGE_RO) !== 0 ? 1 : 0;
}
export function isPresent(flags: number): boolean {
  return (flags & _PAGE_PRESENT) !== 0;
}

/** flags_has_rwx() (xen/arch/arm/mm.c): a mapping that would be writable and executable. */
export function flagsHaveRwx(flags: number): boolean {
  return isPresent(flags) && roOf(flags) === 0 && xnOf(flags) === 0;
}

/** Whole-word names, tried first when describing a flags value. */
const PRESETS: readonly (readonly [string, number])[] = [
  ['PAGE_HYPERVISOR_RW', PAGE_HYPERVISOR_RW],
  ['PAGE_HYPERVISOR_RO', PAGE_HYPERVISOR_RO],
  ['PAGE_HYPERVISOR_RX', PAGE_HYPERVISOR_RX],
  ['PAGE_HYPERVISOR_NOCACHE', PAGE_HYPERVISOR_NOCACHE],
  ['PAGE_HYPERVISOR_WC', PAGE_HYPERVISOR_WC],
];

const BIT_NAMES: readonly (readonly [string, number])[] = [
  ['_PAGE_PRESENT', _PAGE_PRESENT],
  ['_PAGE_RO', _PAGE_RO],
  ['_PAGE_XN', _PAGE_XN],
  ['_PAGE_POPULATE', _PAGE_POPULATE],
  ['_PAGE_BLOCK', _PAGE_BLOCK],
  ['_PAGE_CONTIG', _PAGE_CONTIG],
];

const MEMORY_TYPES: readonly (readonly [string, number])[] = [
  ['MT_DEVICE_nGnRnE', MT_DEVICE_nGnRnE],
  ['MT_NORMAL_NC', MT_NORMAL_NC],
  ['MT_NORMAL_WT', MT_NORMAL_WT],
  ['MT_NORMAL_WB', MT_NORMAL_WB],
  ['MT_DEVICE_nGnRE', MT_DEVICE_nGnRE],
  ['MT_NORMAL', MT_NORMAL],
];

/** Every name accepted in a flags expression; memory types are flagged because they are indices. */
const NAMES = new Map<string, { readonly canonical: string; readonly value: number; readonly memoryType: boolean }>([
  ...PRESETS.map(([n, v]) => [n.toUpperCase(), { canonical: n, value: v, memoryType: true }] as const),
  ['PAGE_HYPERVISOR', { canonical: 'PAGE_HYPERVISOR', value: PAGE_HYPERVISOR, memoryType: true }],
  ...BIT_NAMES.map(([n, v]) => [n.toUpperCase(), { canonical: n, value: v, memoryType: false }] as const),
  ['_PAGE_DEVICE', { canonical: '_PAGE_DEVICE', value: _PAGE_DEVICE, memoryType: false }],
  ['_PAGE_NORMAL', { canonical: '_PAGE_NORMAL', value: _PAGE_NORMAL, memoryType: true }],
  ...MEMORY_TYPES.map(([n, v]) => [n.toUpperCase(), { canonical: n, value: v, memoryType: true }] as const),
]);

export const FLAG_NAMES: readonly string[] = [...NAMES.values()].map((n) => n.canonical);

/**
 * Parses flags: a JSON integer, a "0x..."/decimal string, or names and numbers joined by '|'
 * (e.g. "PAGE_HYPERVISOR_RO", "_PAGE_PRESENT|_PAGE_XN|MT_NORMAL"). Names are matched without
 * regard to case. At most one term may carry a memory type (MT_*, _PAGE_NORMAL or a
 * PAGE_HYPERVISOR* preset): memory types are indices, and OR-ing two of them would name a third.
 */
export function parseFlags(value: unknown, field: string): number {
  if (typeof value !== 'string' || /^\s*(0x[0-9a-f]+|[0-9]+)\s*$/i.test(value)) {
    const n = parseUnsigned(value, field);
    if (n > FLAGS_MAX) throw new InputError(field, `0x${n.toString(16)} does not fit Xen's 32-bit flags`);
    return Number(n);
  }
  const terms = value.split('|').map((t) => t.trim());
  let flags = 0;
  let memoryTypeTerm: string | undefined;
  for (const term of terms) {
    if (term === '') throw new InputError(field, `empty term in "${value}"`);
    const named = NAMES.get(term.toUpperCase());
    if (named !== undefined) {
      if (named.memoryType) {
        if (memoryTypeTerm !== undefined) {
          throw new InputError(field, `"${memoryTypeTerm}" and "${named.canonical}" both set the memory type (bits [2:0] are an index: use one)`);
        }
        memoryTypeTerm = named.canonical;
      }
      flags |= named.value;
      continue;
    }
    if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(term)) {
      const n = BigInt(term);
      if (n > FLAGS_MAX) throw new InputError(field, `${term} does not fit Xen's 32-bit flags`);
      flags = (flags | Number(n)) >>> 0;
      continue;
    }
    throw new InputError(field, `unknown flag "${term}" (known: ${FLAG_NAMES.join(', ')})`);
  }
  return flags >>> 0;
}

/** Names a flags value for humans: a preset when it is one, else the bits and the memory type. */
export function describeFlags(flags: number): string {
  if (flags === 0) return '0';
  const preset = PRESETS.find(([, v]) => v === flags);
  if (preset !== undefined) return preset[0];
  const parts: string[] = [];
  for (const [name, bit] of BIT_NAMES) if ((flags & bit) !== 0) parts.push(name);
  const type = MEMORY_TYPES.find(([, v]) => v === attrIndexOf(flags));
  parts.push(type !== undefined ? type[0] : `AttrIndx ${attrIndexOf(flags)}`);
  const known = BIT_NAMES.reduce((acc, [, bit]) => acc | bit, 0x7);
  const rest = flags & ~known;
  if (rest !== 0) parts.push(`0x${(rest >>> 0).toString(16)}`);
  return parts.join('|');
}
