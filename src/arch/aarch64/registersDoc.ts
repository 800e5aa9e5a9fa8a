// Renders docs/registers.md from the register table, so the documentation cannot drift from
// what GDB sees (a unit test compares the file with this output).

import { encodingName } from './encoding.js';
import { REGISTERS, type RegisterSpec } from './registers.js';

const ACCESS: Record<RegisterSpec['access'], string> = { rw: 'read/write', ro: 'read-only', wo: 'write-only' };

function fieldsOf(reg: RegisterSpec): string {
  return (reg.fields ?? []).map((f) => (f.msb === f.lsb ? `${f.name}[${f.lsb}]` : `${f.name}[${f.msb}:${f.lsb}]`)).join(' ');
}

export function registersMarkdown(): string {
  const core = REGISTERS.filter((r) => !r.encoding);
  const system = REGISTERS.filter((r) => r.encoding);
  const lines = [
    '# Registers',
    '',
    '<!-- Generated from src/arch/aarch64/registers.ts by `npm run docs:registers`; do not edit by hand. -->',
    '',
    'GDB register numbers are stable. Core and FPU registers keep GDB\'s AArch64 numbering',
    '(0..67). The `g` packet carries the core registers, 0..33 (268 bytes, as QEMU\'s gdbstub);',
    'GDB fetches the FPU registers with `p` when it needs them. A system register\'s number is its',
    'encoding packed as `op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2` (so SCTLR_EL2, S3_4_C1_C0_0, is',
    '0xe080); `p`/`P` reach them, and `info registers system` lists them. Names are case-sensitive in',
    'GDB: use them as written here (`p/x $PRBAR_EL2`). Fields in brackets are printed by GDB',
    '(`<flags>` types; `serve --register-types plain` gives IDEs plain `uint64` registers instead,',
    'see docs/clients.md) and by `monitor reg NAME`.',
    '',
    '## Core and FPU',
    '',
    '| number | name | bits | fields |',
    '|---|---|---|---|',
    ...core.map((r) => `| ${r.regnum} | ${r.name} | ${r.bitsize} | ${fieldsOf(r)} |`),
    '',
    '## System registers',
    '',
    '| number | name | encoding | access | fields | description |',
    '|---|---|---|---|---|---|',
    ...system.map(
      (r) => `| 0x${r.regnum.toString(16)} | ${r.name} | ${encodingName(r.encoding!)} | ${ACCESS[r.access]} | ${fieldsOf(r)} | ${r.doc} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
