// Generates the GDB target description (target.xml) from the register table.
//
// One document with three features: GDB's required core feature, the FPU feature, and our
// system-register feature whose registers are in the `system` group (so `info registers
// system` lists them) and carry <flags> types (so GDB prints PRBAR/PRLAR/SCTLR/ESR fields by
// name). Types are derived from each register's `fields`; nothing here is written by hand
// per register.
//
// Register types come in two shapes (`serve --register-types`). `fields`, the default, is
// for command-line GDB. `plain` gives every system register a plain `uint64` type: GDB 13
// converts an assigned value to a <flags> (or <struct>/<union>) type only when the value has
// the register's own size, so `set $SCTLR_EL2 = 5` and an IDE's `-var-assign` of a plain
// number fail with "Invalid cast" under `fields`; with `uint64` they write the register.
// docs/clients.md has the measurements of each shape.

import { REGISTERS, type FeatureName, type RegisterSpec } from './registers.js';

/** How system registers are typed: with their fields decoded, or as plain numbers. */
export type RegisterTypes = 'fields' | 'plain';
export const REGISTER_TYPES: readonly RegisterTypes[] = ['fields', 'plain'];

export interface TargetXmlOptions {
  readonly registerTypes?: RegisterTypes;
}

const SYSREG_FEATURE: FeatureName = 'org.mpustub.aarch64.sysregs';

/**
 * The GDB type a register gets in the description. Under `plain` a system register's flags
 * type becomes `uint64`; pointer types stay (GDB converts a plain number to a pointer), and so
 * do the core registers' own (GDB's aarch64 description gives cpsr a 4-byte flags type, which
 * a plain `int` matches in size).
 */
function typeOf(reg: RegisterSpec, registerTypes: RegisterTypes): string {
  if (registerTypes === 'plain' && reg.feature === SYSREG_FEATURE && reg.gdbType.endsWith('_flags')) return 'uint64';
  return reg.gdbType;
}

const VECTOR_TYPES = `
  <vector id="v2d" type="ieee_double" count="2"/>
  <vector id="v2u" type="uint64" count="2"/>
  <vector id="v2i" type="int64" count="2"/>
  <vector id="v4f" type="ieee_single" count="4"/>
  <vector id="v4u" type="uint32" count="4"/>
  <vector id="v4i" type="int32" count="4"/>
  <vector id="v8u" type="uint16" count="8"/>
  <vector id="v8i" type="int16" count="8"/>
  <vector id="v16u" type="uint8" count="16"/>
  <vector id="v16i" type="int8" count="16"/>
  <union id="vnd"><field name="f" type="v2d"/><field name="u" type="v2u"/><field name="s" type="v2i"/></union>
  <union id="vns"><field name="f" type="v4f"/><field name="u" type="v4u"/><field name="s" type="v4i"/></union>
  <union id="vnh"><field name="u" type="v8u"/><field name="s" type="v8i"/></union>
  <union id="vnb"><field name="u" type="v16u"/><field name="s" type="v16i"/></union>
  <union id="vnq"><field name="u" type="uint128"/><field name="s" type="int128"/></union>
  <union id="aarch64v"><field name="d" type="vnd"/><field name="s" type="vns"/><field name="h" type="vnh"/><field name="b" type="vnb"/><field name="q" type="vnq"/></union>`;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One <flags> definition per distinct flags type used by the registers of a feature. */
function flagsTypes(registers: readonly RegisterSpec[], registerTypes: RegisterTypes): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const reg of registers) {
    const type = typeOf(reg, registerTypes);
    if (!reg.fields || !type.endsWith('_flags') || seen.has(type)) continue;
    seen.add(type);
    const fields = reg.fields
      .map((field) => `<field name="${escapeXml(field.name)}" start="${field.lsb}" end="${field.msb}"/>`)
      .join('');
    out.push(`  <flags id="${type}" size="${reg.bitsize / 8}">${fields}</flags>`);
  }
  return out.join('\n');
}

function regElement(reg: RegisterSpec, registerTypes: RegisterTypes): string {
  const saveRestore = reg.feature === SYSREG_FEATURE ? ' save-restore="no"' : '';
  return `  <reg name="${reg.name}" bitsize="${reg.bitsize}" regnum="${reg.regnum}" type="${typeOf(reg, registerTypes)}" group="${reg.group}"${saveRestore}/>`;
}

function feature(name: FeatureName, registerTypes: RegisterTypes, extraTypes = ''): string {
  const registers = REGISTERS.filter((r) => r.feature === name);
  return [`<feature name="${name}">`, flagsTypes(registers, registerTypes), extraTypes, ...registers.map((r) => regElement(r, registerTypes)), '</feature>']
    .filter((line) => line !== '')
    .join('\n');
}

export function buildTargetXml(options: TargetXmlOptions = {}): string {
  const registerTypes = options.registerTypes ?? 'fields';
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '<architecture>aarch64</architecture>',
    feature('org.gnu.gdb.aarch64.core', registerTypes),
    feature('org.gnu.gdb.aarch64.fpu', registerTypes, VECTOR_TYPES),
    feature(SYSREG_FEATURE, registerTypes),
    '</target>',
    '',
  ].join('\n');
}
