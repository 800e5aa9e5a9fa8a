// Field decoding of register values, driven by the register table's field lists. Used by
// monitor commands and logs so that they print fields exactly as GDB's <flags> types do.

import type { FieldSpec, RegisterSpec } from './registers.js';

export interface FieldValue {
  readonly name: string;
  readonly value: bigint;
  readonly width: number;
}

export function fieldValue(value: bigint, field: FieldSpec): bigint {
  const width = field.msb - field.lsb + 1;
  return (value >> BigInt(field.lsb)) & ((1n << BigInt(width)) - 1n);
}

export function decodeFields(reg: RegisterSpec, value: bigint): FieldValue[] {
  return (reg.fields ?? []).map((field) => ({
    name: field.name,
    value: fieldValue(value, field),
    width: field.msb - field.lsb + 1,
  }));
}

/** GDB's flags rendering: set single-bit fields by name, multi-bit fields as NAME=value. */
export function formatFields(reg: RegisterSpec, value: bigint): string {
  const parts = decodeFields(reg, value)
    .filter((f) => f.width > 1 || f.value !== 0n)
    .map((f) => (f.width === 1 ? f.name : `${f.name}=0x${f.value.toString(16)}`));
  return `[ ${parts.join(' ')} ]`;
}

/** A field of the register table: `name` over bits [msb:lsb]. */
export function field(name: string, msb: number, lsb: number, doc: string): FieldSpec {
  return { name, msb, lsb, doc };
}
