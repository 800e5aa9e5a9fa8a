// The two shapes of the generated target description (`serve --register-types`): `fields`
// keeps <flags> types on system registers for command-line GDB; `plain` types them `uint64`
// so that GDB accepts a plain number written from an IDE, with the same registers, numbers,
// sizes and groups.

import { describe, expect, it } from 'vitest';
import { REGISTERS, registerByName } from '../../../src/arch/aarch64/registers.js';
import { buildTargetXml } from '../../../src/arch/aarch64/targetXml.js';

interface RegLine {
  readonly name: string;
  readonly bitsize: string;
  readonly regnum: string;
  readonly type: string;
  readonly group: string;
}

function regs(xml: string): RegLine[] {
  return [...xml.matchAll(/<reg name="([^"]+)" bitsize="(\d+)" regnum="(\d+)" type="([^"]+)" group="([^"]+)"/g)].map(
    ([, name, bitsize, regnum, type, group]) => ({ name: name!, bitsize: bitsize!, regnum: regnum!, type: type!, group: group! }),
  );
}

function typeOf(xml: string, name: string): string | undefined {
  return regs(xml).find((r) => r.name === name)?.type;
}

describe('target description register types', () => {
  const fields = buildTargetXml({ registerTypes: 'fields' });
  const plain = buildTargetXml({ registerTypes: 'plain' });

  it('is the fields shape by default', () => {
    expect(buildTargetXml()).toBe(fields);
    expect(typeOf(fields, 'SCTLR_EL2')).toBe('sctlr_flags');
    expect(fields).toContain('<flags id="sctlr_flags" size="8"><field name="M" start="0" end="0"/>');
  });

  it('types every system register without a flags type under plain', () => {
    for (const reg of regs(plain).filter((r) => r.group === 'system')) {
      expect(reg.type, reg.name).not.toMatch(/_flags$/);
    }
    expect(typeOf(plain, 'SCTLR_EL2')).toBe('uint64');
    expect(typeOf(plain, 'PRBAR_EL2')).toBe('uint64');
    expect(typeOf(plain, 'ESR_EL2')).toBe('uint64');
  });

  it('keeps pointer types and the core registers as they are under plain', () => {
    expect(typeOf(plain, 'ELR_EL2')).toBe('code_ptr');
    expect(typeOf(plain, 'SP_EL1')).toBe('data_ptr');
    expect(typeOf(plain, 'x0')).toBe('int');
    // cpsr is 4 bytes like a plain int, so GDB already accepts `set $cpsr = 5`.
    expect(typeOf(plain, 'cpsr')).toBe('cpsr_flags');
    expect(plain).toContain('<flags id="cpsr_flags" size="4">');
  });

  it('defines only the flags types that plain still uses', () => {
    const defined = [...plain.matchAll(/<flags id="([^"]+)"/g)].map((m) => m[1]);
    expect(defined).toEqual(['cpsr_flags']);
  });

  it('changes nothing but types: same registers, numbers, sizes and groups', () => {
    const a = regs(fields);
    const b = regs(plain);
    expect(b.length).toBe(REGISTERS.length);
    expect(b.map(({ type: _t, ...rest }) => rest)).toEqual(a.map(({ type: _t, ...rest }) => rest));
    for (const reg of b) expect(Number(reg.regnum)).toBe(registerByName(reg.name)!.regnum);
  });
});
