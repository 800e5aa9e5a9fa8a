// Generates the GDB target description (target.xml) from the register table.
//
// One document with three features: GDB's required core feature, the FPU feature, and our
// system-register feature whose registers are in the `system` group (so `info registers
// system` lists them) and carry <flags> types (so GDB prints PRBAR/PRLAR/SCTLR/ESR fields by
// name). Types are derived from each register's `fields`; nothing here is written by hand
// per register.

import { REGISTERS, type FeatureName, type RegisterSpec } from './registers.js';

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
function flagsTypes(registers: readonly RegisterSpec[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const reg of registers) {
    if (!reg.fields || !reg.gdbType.endsWith('_flags') || seen.has(reg.gdbType)) continue;
    seen.add(reg.gdbType);
    const fields = reg.fields
      .map((field) => `<field name="${escapeXml(field.name)}" start="${field.lsb}" end="${field.msb}"/>`)
      .join('');
    out.push(`  <flags id="${reg.gdbType}" size="${reg.bitsize / 8}">${fields}</flags>`);
  }
  return out.join('\n');
}

function regElement(reg: RegisterSpec): string {
  const saveRestore = reg.feature === 'org.mpustub.aarch64.sysregs' ? ' save-restore="no"' : '';
  return `  <reg name="${reg.name}" bitsize="${reg.bitsize}" regnum="${reg.regnum}" type="${reg.gdbType}" group="${reg.group}"${saveRestore}/>`;
}

function feature(name: FeatureName, extraTypes = ''): string {
  const registers = REGISTERS.filter((r) => r.feature === name);
  return [`<feature name="${name}">`, flagsTypes(registers), extraTypes, ...registers.map(regElement), '</feature>']
    .filter((line) => line !== '')
    .join('\n');
}

export function buildTargetXml(): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '<architecture>aarch64</architecture>',
    feature('org.gnu.gdb.aarch64.core'),
    feature('org.gnu.gdb.aarch64.fpu', VECTOR_TYPES),
    feature('org.mpustub.aarch64.sysregs'),
    '</target>',
    '',
  ].join('\n');
}
