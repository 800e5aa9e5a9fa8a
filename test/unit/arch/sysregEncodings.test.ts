// Every system register's encoding in the table against the assembler's: `mrs x0, NAME` (or
// `msr NAME, x0` for write-only registers) assembled by Debian's aarch64-linux-gnu-as for
// Armv8-R (with SVE, so that it knows ID_AA64ZFR0_EL1), decoded field by field. A wrong op1,
// CRn, CRm or op2 in the table would put a register where software does not look for it.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodingName } from '../../../src/arch/aarch64/encoding.js';
import { REGISTERS } from '../../../src/arch/aarch64/registers.js';

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args);
  if (result.error) throw new Error(`${command} is needed: apt-get install gcc-aarch64-linux-gnu (${result.error.message})`);
  if (result.status !== 0) throw new Error(`${command} failed:\n${result.stderr.toString()}`);
}

describe('system register encodings', () => {
  it('agree with the assembler for every system register in the table', () => {
    const system = REGISTERS.filter((r) => r.encoding);
    const dir = mkdtempSync(join(tmpdir(), 'mpustub-sysregs-'));
    const source = system.map((r) => (r.access === 'wo' ? `msr ${r.name.toLowerCase()}, x0` : `mrs x0, ${r.name.toLowerCase()}`)).join('\n');
    writeFileSync(join(dir, 'regs.s'), `${source}\n`);
    run('aarch64-linux-gnu-as', ['-march=armv8-r+sve', '-o', join(dir, 'regs.o'), join(dir, 'regs.s')]);
    run('aarch64-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'regs.o'), join(dir, 'regs.bin')]);
    const code = readFileSync(join(dir, 'regs.bin'));
    expect(code.length).toBe(system.length * 4);
    const assembled = system.map((_, i) => {
      const word = code.readUInt32LE(i * 4);
      return `S${2 + ((word >>> 19) & 1)}_${(word >>> 16) & 7}_C${(word >>> 12) & 15}_C${(word >>> 8) & 15}_${(word >>> 5) & 7}`;
    });
    expect(assembled).toEqual(system.map((r) => encodingName(r.encoding!)));
  });
});
