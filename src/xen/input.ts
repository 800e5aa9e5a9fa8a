// Validation of numbers that come from outside (HTTP bodies, scenario files, monitor and CLI
// arguments): JSON integers or strings ("0x..." hex or decimal). Every refusal names the field
// and says what was wrong, so the HTTP API can answer 400 with a precise message.

/** Physical addresses are 48 bits wide on this board (PRBAR/PRLAR bits [47:6]; [63:48] RES0). */
export const PHYSICAL_ADDRESS_BITS = 48n;
/** The first byte beyond the physical address space: the largest exclusive limit allowed. */
export const PHYSICAL_ADDRESS_END = 1n << PHYSICAL_ADDRESS_BITS;

/** A refusal of one input value; `field` is a JSON-path-like name ("ops[2].base"). */
export class InputError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'InputError';
  }
}

const HEX = /^0x[0-9a-f]+$/i;
const DECIMAL = /^[0-9]+$/;

/**
 * Parses a non-negative integer given as a JSON number or a string. JSON numbers above 2^53 - 1
 * are refused because they have already lost precision; give those as "0x..." strings.
 */
export function parseUnsigned(value: unknown, field: string): bigint {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InputError(field, 'expected an integer, got a non-finite number');
    if (!Number.isInteger(value)) throw new InputError(field, `expected an integer, got ${value}`);
    if (value < 0) throw new InputError(field, `must not be negative (got ${value})`);
    if (!Number.isSafeInteger(value)) {
      throw new InputError(field, 'JSON numbers above 2^53-1 lose precision; give the value as a "0x..." string');
    }
    return BigInt(value);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') throw new InputError(field, 'expected a number, got an empty string');
    if (text.startsWith('-')) throw new InputError(field, `must not be negative (got "${value}")`);
    if (HEX.test(text) || DECIMAL.test(text)) return BigInt(text);
    throw new InputError(field, `"${value}" is not an integer (use "0x..." hex or decimal digits)`);
  }
  if (value === undefined) throw new InputError(field, 'missing');
  throw new InputError(field, `expected a number or a "0x..." string, got ${describeType(value)}`);
}

/** A base address: below 2^48. */
export function parseAddress(value: unknown, field: string): bigint {
  const address = parseUnsigned(value, field);
  if (address >= PHYSICAL_ADDRESS_END) {
    throw new InputError(field, `0x${address.toString(16)} is beyond the 48-bit physical address space`);
  }
  return address;
}

/** An exclusive limit: up to and including 2^48 (the end of the physical address space). */
export function parseLimit(value: unknown, field: string): bigint {
  const limit = parseUnsigned(value, field);
  if (limit > PHYSICAL_ADDRESS_END) {
    throw new InputError(field, `0x${limit.toString(16)} is beyond the 48-bit physical address space (largest limit 0x1000000000000)`);
  }
  return limit;
}

/**
 * Refuses a range whose exclusive end lies beyond the 48-bit physical address space. Needed
 * where the end is computed from several inputs (mfn + nr pages, start + len): each input is
 * in range on its own but their sum need not be, and PRLAR_EL2.LIMIT keeps only address bits
 * [47:6], so an end past 2^48 would be stored wrapped below the region's base, leaving an entry
 * that no destroy can name. Xen has no check of its own (its callers map memory that exists),
 * hence an input error rather than one of Xen's return codes. An end below the start is not
 * refused here: Xen refuses that itself with -EINVAL, and the sums made by callers are exact
 * (bigint), so an overflow can never masquerade as one.
 *
 * `how` says how the end was computed, for the message ("mfn 0x10 + nr 0x4 pages").
 */
export function checkRangeEnd(endExclusive: bigint, field: string, how: string): void {
  if (endExclusive > PHYSICAL_ADDRESS_END) {
    throw new InputError(
      field,
      `${how} ends at 0x${endExclusive.toString(16)}, beyond the 48-bit physical address space (largest end 0x${PHYSICAL_ADDRESS_END.toString(16)})`,
    );
  }
}

/** An unsigned integer no larger than `max` (inclusive). */
export function parseBounded(value: unknown, field: string, max: bigint): bigint {
  const n = parseUnsigned(value, field);
  if (n > max) throw new InputError(field, `0x${n.toString(16)} is out of range (at most 0x${max.toString(16)})`);
  return n;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses keys outside `allowed` and requires every key in `required`. */
export function checkFields(
  value: Record<string, unknown>,
  allowed: readonly string[],
  required: readonly string[],
  where: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new InputError(where === '' ? key : `${where}.${key}`, `unknown field (expected ${allowed.map((k) => `"${k}"`).join(', ')})`);
    }
  }
  for (const key of required) {
    if (!(key in value)) throw new InputError(where === '' ? key : `${where}.${key}`, 'missing');
  }
}
