// Board descriptions: what a simulated board is made of (MPU region counts, memory map with
// its devices, CPU identification, reset state), parsed from JSON with precise errors, and
// the embedded default: a Cortex-R82-like core at EL2 on the FVP BaseR's memory map (DRAM at
// 0x0, PL011 UARTs at 0x9C090000 and 0x9C0A0000, the GICv3 distributor at 0xAF000000 and
// redistributors at 0xAF100000), the addresses its device tree gives Xen and Zephyr.

import { PHYS_ADDR_LIMIT } from './access.js';
import { DEVICE_MODEL_NAMES, DEVICE_MODELS, isDeviceModelName, type DeviceModelName } from './devices/models.js';

export type MemoryKind = 'ram' | 'device';

export interface MemoryRange {
  readonly name: string;
  readonly kind: MemoryKind;
  readonly base: number;
  readonly size: number;
  /** Device model behind a `device` range (src/machine/devices/models.ts). */
  readonly model?: DeviceModelName;
}

export interface BoardConfig {
  readonly name: string;
  readonly mpuRegions: { readonly el2: number; readonly el1: number };
  readonly memory: readonly MemoryRange[];
  readonly cpu: { readonly midr: bigint; readonly mpidr: bigint; readonly mmfr0: bigint };
  readonly reset: { readonly pc: bigint; readonly sp: bigint };
}

/** Arm (0x41), architecture 0xF, part 0xD15 (Cortex-R82), r0p0. */
const CORTEX_R82_MIDR = 0x410f_d150n;
/** MSA_frac=2 (PMSA or VMSA at EL1&0), MSA=0b1111 (Armv8-R), PARange=0b0101 (48 bits). */
const ARMV8R_MMFR0 = 0x002f_0000_0000_0005n;

export const DEFAULT_BOARD: BoardConfig = {
  name: 'cortex-r82-fvp',
  mpuRegions: { el2: 32, el1: 32 },
  memory: [
    { name: 'dram', kind: 'ram', base: 0x0, size: 0x8000_0000 },
    { name: 'uart0', kind: 'device', base: 0x9c09_0000, size: 0x1000, model: 'pl011' },
    { name: 'uart1', kind: 'device', base: 0x9c0a_0000, size: 0x1000, model: 'pl011' },
    // The GICv3 frames, sized as Xen's boot maps them: the distributor's 64 KiB and a 1 MiB
    // redistributor window whose first 128 KiB frame is the one PE's.
    { name: 'gicd', kind: 'device', base: 0xaf00_0000, size: 0x1_0000, model: 'gicv3-dist' },
    { name: 'gicr', kind: 'device', base: 0xaf10_0000, size: 0x10_0000, model: 'gicv3-redist' },
  ],
  cpu: { midr: CORTEX_R82_MIDR, mpidr: 0x8000_0000n, mmfr0: ARMV8R_MMFR0 },
  reset: { pc: 0n, sp: 0n },
};

export class BoardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoardError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON integer or a "0x..." / decimal string, as a BigInt. */
function parseInteger(value: Json | undefined, where: string): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new BoardError(`${where}: ${value} is not a non-negative integer`);
    return BigInt(value);
  }
  if (typeof value === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(value.trim())) return BigInt(value.trim());
  throw new BoardError(`${where}: expected an integer or a "0x..." string, got ${JSON.stringify(value)}`);
}

function parseAddress(value: Json | undefined, where: string): number {
  const n = parseInteger(value, where);
  if (n >= BigInt(PHYS_ADDR_LIMIT)) throw new BoardError(`${where}: 0x${n.toString(16)} is beyond the 48-bit physical address space`);
  return Number(n);
}

function checkKeys(obj: { [key: string]: Json }, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new BoardError(`${where}: unknown key "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function parseRegionCount(value: Json | undefined, where: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(parseInteger(value, where));
  if (n < 1 || n > 255) throw new BoardError(`${where}: region count ${n} is outside 1..255`);
  return n;
}

function parseMemoryRange(value: Json, index: number): MemoryRange {
  const where = `memory[${index}]`;
  if (!isObject(value)) throw new BoardError(`${where}: expected an object`);
  checkKeys(value, ['name', 'kind', 'base', 'size', 'model'], where);
  const name = value['name'];
  if (typeof name !== 'string' || name === '') throw new BoardError(`${where}.name: expected a non-empty string`);
  const kind = value['kind'];
  if (kind !== 'ram' && kind !== 'device') throw new BoardError(`${where}.kind: expected "ram" or "device"`);
  const base = parseAddress(value['base'], `${where}.base`);
  const size = parseAddress(value['size'], `${where}.size`);
  if (size === 0) throw new BoardError(`${where}.size: must not be zero`);
  if (base + size > PHYS_ADDR_LIMIT) throw new BoardError(`${where}: ends beyond the 48-bit physical address space`);
  const model = value['model'];
  if (model !== undefined && (typeof model !== 'string' || !isDeviceModelName(model))) {
    throw new BoardError(`${where}.model: expected one of ${DEVICE_MODEL_NAMES.map((m) => `"${m}"`).join(', ')}`);
  }
  if (model !== undefined && kind !== 'device') throw new BoardError(`${where}.model: only device ranges have a model`);
  if (model !== undefined && size < DEVICE_MODELS[model].minimumSize) {
    throw new BoardError(`${where}.size: a ${model} needs at least 0x${DEVICE_MODELS[model].minimumSize.toString(16)} bytes`);
  }
  return { name, kind, base, size, ...(kind === 'device' ? { model: model ?? 'plain' } : {}) };
}

/** Models that stand for the board's one instance of something (the GIC) appear at most once. */
function checkSingleDevices(ranges: readonly MemoryRange[]): void {
  for (const model of DEVICE_MODEL_NAMES) {
    if (!DEVICE_MODELS[model].single) continue;
    const named = ranges.filter((r) => r.model === model).map((r) => `"${r.name}"`);
    if (named.length > 1) throw new BoardError(`memory ranges ${named.join(' and ')} are both a ${model}: a board has one`);
  }
}

function checkNoOverlap(ranges: readonly MemoryRange[]): void {
  const sorted = [...ranges].sort((a, b) => a.base - b.base);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.base < prev.base + prev.size) throw new BoardError(`memory ranges "${prev.name}" and "${cur.name}" overlap`);
  }
}

/** Parses a board description; every key is optional and falls back to the default board. */
export function parseBoard(text: string): BoardConfig {
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (err) {
    throw new BoardError(`not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(json)) throw new BoardError('a board description is a JSON object');
  checkKeys(json, ['name', 'mpuRegions', 'memory', 'cpu', 'reset'], 'board');

  const name = json['name'] ?? DEFAULT_BOARD.name;
  if (typeof name !== 'string') throw new BoardError('name: expected a string');

  const regions = json['mpuRegions'] ?? {};
  if (!isObject(regions)) throw new BoardError('mpuRegions: expected an object {"el2": N, "el1": N}');
  checkKeys(regions, ['el2', 'el1'], 'mpuRegions');

  const memoryJson = json['memory'];
  let memory = DEFAULT_BOARD.memory;
  if (memoryJson !== undefined) {
    if (!Array.isArray(memoryJson) || memoryJson.length === 0) throw new BoardError('memory: expected a non-empty array of ranges');
    memory = memoryJson.map(parseMemoryRange);
    checkNoOverlap(memory);
    checkSingleDevices(memory);
  }

  const cpu = json['cpu'] ?? {};
  if (!isObject(cpu)) throw new BoardError('cpu: expected an object');
  checkKeys(cpu, ['midr', 'mpidr', 'mmfr0'], 'cpu');
  const reset = json['reset'] ?? {};
  if (!isObject(reset)) throw new BoardError('reset: expected an object');
  checkKeys(reset, ['pc', 'sp'], 'reset');

  return {
    name,
    mpuRegions: {
      el2: parseRegionCount(regions['el2'], 'mpuRegions.el2', DEFAULT_BOARD.mpuRegions.el2),
      el1: parseRegionCount(regions['el1'], 'mpuRegions.el1', DEFAULT_BOARD.mpuRegions.el1),
    },
    memory,
    cpu: {
      midr: cpu['midr'] === undefined ? DEFAULT_BOARD.cpu.midr : parseInteger(cpu['midr'], 'cpu.midr'),
      mpidr: cpu['mpidr'] === undefined ? DEFAULT_BOARD.cpu.mpidr : parseInteger(cpu['mpidr'], 'cpu.mpidr'),
      mmfr0: cpu['mmfr0'] === undefined ? DEFAULT_BOARD.cpu.mmfr0 : parseInteger(cpu['mmfr0'], 'cpu.mmfr0'),
    },
    reset: {
      pc: reset['pc'] === undefined ? DEFAULT_BOARD.reset.pc : parseInteger(reset['pc'], 'reset.pc'),
      sp: reset['sp'] === undefined ? DEFAULT_BOARD.reset.sp : parseInteger(reset['sp'], 'reset.sp'),
    },
  };
}
