// The register table and what is derived from it: numbering, encodings, the g layout and the
// target description GDB loads.

import { describe, expect, it } from 'vitest';
import { decodeEncodingNumber, encodingNumber, sysreg } from '../../../src/arch/aarch64/encoding.js';
import { formatFields } from '../../../src/arch/aarch64/fields.js';
import { G_PACKET_REGISTERS, REGISTERS, register, registerByName, registerByNumber, type RegisterName } from '../../../src/arch/aarch64/registers.js';
import { buildTargetXml } from '../../../src/arch/aarch64/targetXml.js';

describe('register numbering', () => {
  it('numbers SCTLR_EL2 by its encoding (0xE080)', () => {
    expect(encodingNumber(sysreg(3, 4, 1, 0, 0))).toBe(0xe080);
    expect(registerByName('SCTLR_EL2')?.regnum).toBe(0xe080);
  });

  it('round-trips encodings through their numbers', () => {
    for (const reg of REGISTERS.filter((r) => r.encoding)) {
      expect(decodeEncodingNumber(reg.regnum)).toEqual(reg.encoding);
    }
  });

  it('gives every register a unique number and name', () => {
    expect(new Set(REGISTERS.map((r) => r.regnum)).size).toBe(REGISTERS.length);
    expect(new Set(REGISTERS.map((r) => r.name.toLowerCase())).size).toBe(REGISTERS.length);
  });

  it('keeps GDB core numbering: x0..x30, sp, pc, cpsr, v0..v31, fpsr, fpcr', () => {
    expect(registerByNumber(0)?.name).toBe('x0');
    expect(registerByNumber(31)?.name).toBe('sp');
    expect(registerByNumber(32)?.name).toBe('pc');
    expect(registerByNumber(33)?.name).toBe('cpsr');
    expect(registerByNumber(34)?.name).toBe('v0');
    expect(registerByNumber(67)?.name).toBe('fpcr');
  });

  it('places the PRBAR<n>/PRLAR<n> aliases at CRm = 8 + n/2, op2 = (n & 1) * 4 (+1)', () => {
    expect(registerByName('PRBAR1_EL2')?.encoding).toEqual(sysreg(3, 4, 6, 8, 4));
    expect(registerByName('PRLAR1_EL2')?.encoding).toEqual(sysreg(3, 4, 6, 8, 5));
    expect(registerByName('PRBAR15_EL2')?.encoding).toEqual(sysreg(3, 4, 6, 15, 4));
    expect(registerByName('PRLAR14_EL1')?.encoding).toEqual(sysreg(3, 0, 6, 15, 1));
  });

  it('is case-insensitive by name and accepts a $ prefix', () => {
    expect(registerByName('$prbar_el2')).toBe(registerByName('PRBAR_EL2'));
  });

  it('lays out the g packet as the core registers only, as QEMU does: x0..x30, sp, pc, cpsr, 268 bytes', () => {
    expect(G_PACKET_REGISTERS.map((r) => r.name)).toEqual([...Array.from({ length: 31 }, (_, n) => `x${n}`), 'sp', 'pc', 'cpsr']);
    expect(G_PACKET_REGISTERS.reduce((n, r) => n + r.bitsize / 8, 0)).toBe(268);
  });

  it('marks identification registers read-only', () => {
    for (const name of ['MPUIR_EL2', 'MPUIR_EL1', 'MIDR_EL1', 'MPIDR_EL1', 'ID_AA64MMFR0_EL1', 'CurrentEL']) {
      expect(registerByName(name)?.access, name).toBe('ro');
    }
  });
});

describe('field decoding', () => {
  it('renders fields as GDB prints <flags>', () => {
    const prlar = register('PRLAR_EL2');
    expect(formatFields(prlar, 0x1fffcfn)).toBe('[ EN AttrIndx=0x7 LIMIT=0x7fff ]');
  });
});

describe('target description', () => {
  const xml = buildTargetXml();

  it('names the architecture and the core and fpu features', () => {
    expect(xml).toContain('<architecture>aarch64</architecture>');
    expect(xml).toContain('<feature name="org.gnu.gdb.aarch64.core">');
    expect(xml).toContain('<feature name="org.gnu.gdb.aarch64.fpu">');
  });

  it('has one <reg> per table entry with its number and group', () => {
    const regs = [...xml.matchAll(/<reg name="([^"]+)" bitsize="(\d+)" regnum="(\d+)" type="([^"]+)" group="([^"]+)"/g)];
    expect(regs.length).toBe(REGISTERS.length);
    for (const [, name, bitsize, regnum, , group] of regs) {
      const spec = registerByName(name!)!;
      expect(Number(regnum)).toBe(spec.regnum);
      expect(Number(bitsize)).toBe(spec.bitsize);
      expect(group).toBe(spec.group);
    }
  });

  it('defines every flags type a register uses, once', () => {
    const defined = [...xml.matchAll(/<flags id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(defined).size).toBe(defined.length);
    const used = new Set(REGISTERS.filter((r) => r.gdbType.endsWith('_flags')).map((r) => r.gdbType));
    for (const type of used) expect(defined).toContain(type);
  });

  it('describes PRBAR fields by name', () => {
    expect(xml).toMatch(/<flags id="prbar_flags" size="8"><field name="XN" start="0" end="1"\/><field name="AP" start="2" end="3"\/>/);
  });
});

describe('docs/registers.md', () => {
  it('is the table rendered (run `npm run docs:registers` after changing the table)', async () => {
    const { readFileSync } = await import('node:fs');
    const { registersMarkdown } = await import('../../../src/arch/aarch64/registersDoc.js');
    const onDisk = readFileSync(new URL('../../../docs/registers.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(registersMarkdown());
  });
});

describe('RegisterName', () => {
  it('names exactly the registers of the table', () => {
    const mpu = ['EL1', 'EL2'].flatMap((el) => [
      `MPUIR_${el}`,
      `PRSELR_${el}`,
      `PRENR_${el}`,
      ...Array.from({ length: 16 }, (_, n) => [`PRBAR${n || ''}_${el}`, `PRLAR${n || ''}_${el}`]).flat(),
    ]);
    const core = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc', 'cpsr', ...Array.from({ length: 32 }, (_, i) => `v${i}`), 'fpsr', 'fpcr'];
    const typed = [...core, ...mpu];
    for (const name of typed) expect(register(name as RegisterName).name).toBe(name);
    // Every other register is a control register, whose names the type takes from its table.
    const rest = REGISTERS.filter((r) => !typed.includes(r.name));
    for (const reg of rest) expect(register(reg.name as RegisterName)).toBe(reg);
    expect(() => register('SCTLR_EL3' as RegisterName)).toThrow(/no SCTLR_EL3/);
  });
});
