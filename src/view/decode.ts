// PRBAR/PRLAR and MAIR in words for the region map (page and SVG alike): the access class a
// region is coloured by, its memory type, and the decoded registers shown on hover. Runs in
// the browser too, so it depends on nothing but the board JSON's types; the machine's own
// decoders (src/machine/mpu/mpu.ts) pull in the whole register table, which the page does not
// need. The words follow `monitor mpu` and gdbscripts/mpustub.py.

import type { RegimeName, RegisterPairJson } from './boardJson.js';

/** An address from the API ("0x..."); the 48-bit physical space fits a double exactly. */
export function addressOf(text: string): number {
  return Number(BigInt(text));
}

export const hexOf = (v: number | bigint): string => `0x${v.toString(16)}`;

/** How a region may be used; the map's colour follows it. */
export type AccessClass = 'ro-x' | 'ro-xn' | 'rw-xn' | 'rw-x';

export interface RegionLook {
  readonly access: AccessClass;
  /** MAIR's attribute for AttrIndx is a Device type. */
  readonly device: boolean;
  /** "RW XN dev" and the like, for labels. */
  readonly short: string;
}

/** The pair decoded from the raw register values (shadow entries carry only those). */
export function decodePair(prbarText: string, prlarText: string): RegisterPairJson {
  const prbar = BigInt(prbarText);
  const prlar = BigInt(prlarText);
  const address = 0xffff_ffff_ffc0n;
  return {
    prbar: prbarText,
    prlar: prlarText,
    enabled: (prlar & 1n) === 1n,
    base: hexOf(prbar & address),
    limit: hexOf((prlar & address) | 0x3fn),
    ap: Number((prbar >> 2n) & 3n),
    xn: ((prbar >> 1n) & 1n) === 1n,
    sh: Number((prbar >> 4n) & 3n),
    attrIndx: Number((prlar >> 1n) & 7n),
    ns: ((prlar >> 4n) & 1n) === 1n,
  };
}

/** The attribute byte AttrIndx selects in MAIR_ELx. */
export function mairAttribute(mair: string, attrIndx: number): number {
  return Number((BigInt(mair) >> BigInt(8 * attrIndx)) & 0xffn);
}

const DEVICE_TYPES = ['Device-nGnRnE', 'Device-nGnRE', 'Device-nGRE', 'Device-GRE'];

/** One half of a Normal attribute byte: its cacheability and allocation hints. */
function normalHalf(nibble: number): string {
  if (nibble === 0b0100) return 'NC';
  const kind = ['WT transient', 'WB transient', 'WT', 'WB'][nibble >> 2]!;
  const alloc = [(nibble & 2) !== 0 ? 'R' : '', (nibble & 1) !== 0 ? 'W' : ''].join('');
  return alloc === '' ? kind : `${kind} ${alloc}-alloc`;
}

/** A MAIR attribute byte in words, e.g. "Device-nGnRE" or "Normal WB R-alloc". */
export function memoryTypeName(attribute: number): string {
  if (attribute >> 4 === 0) return (attribute & 3) === 0 ? DEVICE_TYPES[attribute >> 2]! : `Device (MAIR 0x${attribute.toString(16).padStart(2, '0')}, unpredictable)`;
  const outer = normalHalf(attribute >> 4);
  const inner = normalHalf(attribute & 0xf);
  return outer === inner ? `Normal ${outer}` : `Normal outer ${outer}, inner ${inner}`;
}

/** AP[2:1] in words, as the architecture's table gives it. */
export function apWords(ap: number, regime: RegimeName): string {
  const readOnly = (ap & 2) !== 0;
  if (regime === 'el2') return readOnly ? 'RO EL2' : 'RW EL2';
  const el0 = (ap & 1) !== 0;
  return `${readOnly ? 'RO' : 'RW'} ${el0 ? 'EL1 and EL0' : 'EL1, none EL0'}`;
}

const SHAREABILITY = ['non-shareable', 'reserved', 'outer shareable', 'inner shareable'];

/**
 * How a region looks on the map. With SCTLR.WXN set a writable region is never executable,
 * whatever its XN says, so it is drawn as XN: the colour shows what the MPU enforces.
 */
export function regionLook(pair: RegisterPairJson, mair: string, wxn: boolean): RegionLook {
  const readOnly = (pair.ap & 2) !== 0;
  const executable = !pair.xn && !(wxn && !readOnly);
  const access: AccessClass = readOnly ? (executable ? 'ro-x' : 'ro-xn') : executable ? 'rw-x' : 'rw-xn';
  const device = mairAttribute(mair, pair.attrIndx) >> 4 === 0;
  return { access, device, short: `${readOnly ? 'RO' : 'RW'} ${executable ? 'X' : 'XN'}${device ? ' dev' : ''}` };
}

/** The pair decoded field by field: the lines shown on hover and in the SVG's tooltips. */
export function describePair(pair: RegisterPairJson, regime: RegimeName, mair: string, wxn: boolean): string[] {
  const readOnly = (pair.ap & 2) !== 0;
  const wxnNote = !pair.xn && wxn && !readOnly ? ' (not executable: SCTLR.WXN=1 and the region is writable)' : '';
  const attribute = mairAttribute(mair, pair.attrIndx);
  const size = addressOf(pair.limit) - addressOf(pair.base) + 1;
  return [
    `PRBAR ${pair.prbar}: BASE ${pair.base}, SH ${pair.sh} (${SHAREABILITY[pair.sh]}), AP ${pair.ap} (${apWords(pair.ap, regime)}), XN ${pair.xn ? 1 : 0}${wxnNote}`,
    `PRLAR ${pair.prlar}: LIMIT ${pair.limit}, AttrIndx ${pair.attrIndx} (MAIR 0x${attribute.toString(16).padStart(2, '0')}: ${memoryTypeName(attribute)}), NS ${pair.ns ? 1 : 0}, EN ${pair.enabled ? 1 : 0}`,
    size > 0 ? `${pair.base}..${pair.limit}, ${sizeWords(size)}` : `empty: LIMIT ${pair.limit} is below BASE ${pair.base}`,
  ];
}

/** A size in the largest binary unit that divides it, e.g. "4 KiB", "2 GiB", "0x1040 bytes". */
export function sizeWords(size: number): string {
  const units: readonly [number, string][] = [
    [2 ** 40, 'TiB'],
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
    [2 ** 10, 'KiB'],
  ];
  for (const [unit, name] of units) if (size >= unit && size % unit === 0) return `${size / unit} ${name}`;
  return `${hexOf(size)} bytes`;
}
