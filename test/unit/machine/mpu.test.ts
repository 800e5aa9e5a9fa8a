// The MPU model on its own: register semantics (RES0, banks and aliases, PRENR, RAZ/WI beyond
// MPUIR), programmed versus effective state, every rule of the access check, syndromes, and
// a property that the segment index agrees with a naive per-byte reference.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Access, AccessKind, ExceptionLevel } from '../../../src/machine/access.js';
import { Mpu } from '../../../src/machine/mpu/mpu.js';
import type { MpuControl, MpuRule, Regime, RegimeControl } from '../../../src/machine/mpu/types.js';
import { referenceCheck, type ReferenceRegion } from './mpuReference.js';

const ON: RegimeControl = { enabled: true, background: false, wxn: false, alignment: false };
const OFF: RegimeControl = { enabled: false, background: false, wxn: false, alignment: false };
const control = (el2: Partial<RegimeControl> = {}, el10: Partial<RegimeControl> = {}, stage2 = false): MpuControl => ({
  el2: { ...ON, ...el2 },
  el10: { ...ON, ...el10 },
  stage2,
});

/** PRBAR: base | SH=11 | AP | XN[1]. */
const prbar = (base: number, ap: number, xn: boolean) => BigInt(base) | (3n << 4n) | (BigInt(ap) << 2n) | (xn ? 2n : 0n);
/** PRLAR: limit (inclusive, 64-byte granule) | AttrIndx | EN. */
const prlar = (limitInclusive: number, attr = 7) => (BigInt(limitInclusive) & ~0x3fn) | (BigInt(attr) << 1n) | 1n;

function program(mpu: Mpu, regime: Regime, index: number, bar: bigint, lar: bigint): void {
  mpu.writeRegister(regime, { kind: 'PRSELR' }, BigInt(index));
  mpu.writeRegister(regime, { kind: 'PRBAR', alias: 0 }, bar);
  mpu.writeRegister(regime, { kind: 'PRLAR', alias: 0 }, lar);
}

const access = (address: number, kind: AccessKind = 'read', el: ExceptionLevel = 2, size = 1): Access => ({ address, size, kind, el });

function ruleOf(mpu: Mpu, a: Access, c: MpuControl = control()): MpuRule {
  const d = mpu.check(a, c);
  return d.allowed ? d.rule : d.fault.rule;
}

describe('MPU registers', () => {
  it('reports its region count in MPUIR and refuses bad counts', () => {
    expect(new Mpu({ el2: 32, el10: 16 }).readRegister('el10', { kind: 'MPUIR' })).toBe(16n);
    expect(() => new Mpu({ el2: 0, el10: 16 })).toThrow(/1\.\.255/);
    expect(() => new Mpu({ el2: 256, el10: 16 })).toThrow(RangeError);
  });

  it('masks RES0 bits', () => {
    const mpu = new Mpu({ el2: 32, el10: 32 });
    mpu.writeRegister('el2', { kind: 'PRSELR' }, 0x1234n);
    expect(mpu.readRegister('el2', { kind: 'PRSELR' })).toBe(0x34n);
    mpu.writeRegister('el2', { kind: 'PRSELR' }, 1n);
    mpu.writeRegister('el2', { kind: 'PRBAR', alias: 0 }, 0xffff_ffff_ffff_ffffn);
    mpu.writeRegister('el2', { kind: 'PRLAR', alias: 0 }, 0xffff_ffff_ffff_ffffn);
    expect(mpu.readRegister('el2', { kind: 'PRBAR', alias: 0 })).toBe(0x0000_ffff_ffff_ffffn);
    expect(mpu.readRegister('el2', { kind: 'PRLAR', alias: 0 })).toBe(0x0000_ffff_ffff_ffdfn);
  });

  it('reaches region PRSELR[7:4]:n through the PRBAR<n>/PRLAR<n> aliases', () => {
    const mpu = new Mpu({ el2: 64, el10: 32 });
    mpu.writeRegister('el2', { kind: 'PRSELR' }, 0x23n); // bank 0x20
    mpu.writeRegister('el2', { kind: 'PRBAR', alias: 5 }, 0x1000n);
    expect(mpu.programmedRegion('el2', 0x25).prbar).toBe(0x1000n);
    expect(mpu.readRegister('el2', { kind: 'PRBAR', alias: 0 })).toBe(0n); // region 0x23
    mpu.writeRegister('el2', { kind: 'PRSELR' }, 0x25n);
    expect(mpu.readRegister('el2', { kind: 'PRBAR', alias: 0 })).toBe(0x1000n);
  });

  it('keeps the two regimes apart', () => {
    const mpu = new Mpu({ el2: 32, el10: 32 });
    program(mpu, 'el10', 1, prbar(0x1000, 1, false), prlar(0x1fff));
    expect(mpu.programmedRegion('el2', 1).enabled).toBe(false);
    expect(mpu.programmedRegion('el10', 1).enabled).toBe(true);
  });

  it('reads regions at or beyond MPUIR as zero and ignores writes to them', () => {
    const mpu = new Mpu({ el2: 20, el10: 32 });
    mpu.writeRegister('el2', { kind: 'PRSELR' }, 0x10n);
    mpu.writeRegister('el2', { kind: 'PRBAR', alias: 4 }, 0x1000n); // region 0x14 = 20: beyond
    expect(mpu.readRegister('el2', { kind: 'PRBAR', alias: 4 })).toBe(0n);
    mpu.writeRegister('el2', { kind: 'PRBAR', alias: 3 }, 0x1000n); // region 19: exists
    expect(mpu.readRegister('el2', { kind: 'PRBAR', alias: 3 })).toBe(0x1000n);
  });

  it('shows EN of regions 0..31 in PRENR and sets them from it', () => {
    const mpu = new Mpu({ el2: 40, el10: 8 });
    program(mpu, 'el2', 3, prbar(0, 0, true), prlar(0xfff));
    program(mpu, 'el2', 35, prbar(0x10000, 0, true), prlar(0x10fff));
    expect(mpu.readRegister('el2', { kind: 'PRENR' })).toBe(8n);
    mpu.writeRegister('el2', { kind: 'PRENR' }, 0xffff_ffffn);
    expect(mpu.programmedRegion('el2', 0).enabled).toBe(true);
    expect(mpu.programmedRegion('el2', 35).enabled).toBe(true); // beyond PRENR's reach
    mpu.writeRegister('el2', { kind: 'PRENR' }, 0n);
    expect(mpu.programmedRegion('el2', 3).enabled).toBe(false);
    expect(mpu.programmedRegion('el2', 35).enabled).toBe(true);
    expect(mpu.programmedRegion('el2', 3).prlar & ~1n).toBe(prlar(0xfff) & ~1n); // LIMIT kept
    // A board with 8 regions has PRENR bits 0..7 only.
    mpu.writeRegister('el10', { kind: 'PRENR' }, 0xffff_ffffn);
    expect(mpu.readRegister('el10', { kind: 'PRENR' })).toBe(0xffn);
  });
});

describe('programmed and effective', () => {
  it('checks accesses against the effective state until synchronize()', () => {
    const mpu = new Mpu({ el2: 32, el10: 32 });
    program(mpu, 'el2', 0, prbar(0, 0, true), prlar(0xffff));
    expect(mpu.pendingRegions('el2')).toEqual([0]);
    expect(ruleOf(mpu, access(0x100))).toBe('no-region');
    mpu.synchronize();
    expect(mpu.pendingRegions('el2')).toEqual([]);
    expect(ruleOf(mpu, access(0x100))).toBe('region-permits');
    expect(mpu.effectiveRegion('el2', 0)).toMatchObject({ base: 0, limit: 0xffff, enabled: true, ap: 0, xn: true, sh: 3, attrIndx: 7 });
  });
});

function withRegions(regions: Array<[number, bigint, bigint]>, regime: Regime = 'el2', count = 32): Mpu {
  const mpu = new Mpu({ el2: count, el10: count });
  for (const [i, b, l] of regions) program(mpu, regime, i, b, l);
  mpu.synchronize();
  return mpu;
}

describe('the access check', () => {
  it('allows everything with the MPU off', () => {
    expect(ruleOf(new Mpu({ el2: 1, el10: 1 }), access(0x1234), control(OFF))).toBe('mpu-disabled');
  });

  it('applies AP, XN and WXN at EL2', () => {
    const mpu = withRegions([
      [0, prbar(0x0000, 0, false), prlar(0x0fff)], // RW, executable
      [1, prbar(0x1000, 2, false), prlar(0x1fff)], // RO, executable
      [2, prbar(0x2000, 0, true), prlar(0x2fff)], // RW, XN
    ]);
    expect(ruleOf(mpu, access(0x10, 'write'))).toBe('region-permits');
    expect(ruleOf(mpu, access(0x10, 'fetch'))).toBe('region-permits');
    expect(ruleOf(mpu, access(0x10, 'fetch'), control({ wxn: true }))).toBe('wxn');
    expect(ruleOf(mpu, access(0x1010, 'write'))).toBe('ap-read-only');
    expect(ruleOf(mpu, access(0x1010, 'fetch'), control({ wxn: true }))).toBe('region-permits');
    expect(ruleOf(mpu, access(0x2010, 'fetch'))).toBe('execute-never');
    expect(ruleOf(mpu, access(0x2010, 'write'))).toBe('region-permits');
  });

  it('applies AP[0] to EL0 in the EL1&0 regime', () => {
    const mpu = withRegions(
      [
        [0, prbar(0x0000, 0, true), prlar(0x0fff)], // RW EL1 only
        [1, prbar(0x1000, 1, true), prlar(0x1fff)], // RW EL1 and EL0
        [2, prbar(0x2000, 3, true), prlar(0x2fff)], // RO EL1 and EL0
      ],
      'el10',
    );
    const c = control(OFF);
    expect(ruleOf(mpu, access(0x10, 'read', 1), c)).toBe('region-permits');
    expect(ruleOf(mpu, access(0x10, 'read', 0), c)).toBe('ap-privileged-only');
    expect(ruleOf(mpu, access(0x1010, 'write', 0), c)).toBe('region-permits');
    expect(ruleOf(mpu, access(0x2010, 'write', 0), c)).toBe('ap-read-only');
    expect(ruleOf(mpu, access(0x2010, 'read', 0), c)).toBe('region-permits');
  });

  it('uses the background region for privileged accesses only', () => {
    const mpu = withRegions([], 'el10');
    expect(ruleOf(mpu, access(0x5000, 'read', 2), control({ background: true }))).toBe('background-region');
    expect(ruleOf(mpu, access(0x5000, 'read', 2), control({ background: false }))).toBe('no-region');
    expect(ruleOf(mpu, access(0x5000, 'read', 1), control(OFF, { background: true }))).toBe('background-region');
    expect(ruleOf(mpu, access(0x5000, 'read', 0), control(OFF, { background: true }))).toBe('no-region');
  });

  it('faults on overlapping enabled regions and names both', () => {
    const mpu = withRegions([
      [2, prbar(0x0000, 0, true), prlar(0x1fff)],
      [5, prbar(0x1000, 0, true), prlar(0x2fff)],
    ]);
    const d = mpu.check(access(0x1800), control());
    expect(d.allowed).toBe(false);
    if (!d.allowed) {
      expect(d.fault.rule).toBe('multiple-regions');
      expect(d.fault.regions).toEqual([2, 5]);
      expect(d.fault.status).toBe('permission');
    }
    expect(ruleOf(mpu, access(0x800))).toBe('region-permits');
    expect(mpu.overlaps('el2')).toEqual([{ a: 2, b: 5, start: 0x1000, end: 0x2000 }]);
  });

  it('checks multi-byte accesses across region boundaries and reports the first refused byte', () => {
    const mpu = withRegions([
      [0, prbar(0x0000, 0, true), prlar(0x0fff)],
      [1, prbar(0x1000, 2, true), prlar(0x1fff)], // read-only
    ]);
    const read = mpu.check(access(0xff0, 'read', 2, 0x20), control());
    expect(read).toEqual({ allowed: true, rule: 'region-permits', regions: [0, 1] });
    const write = mpu.check(access(0xff0, 'write', 2, 0x20), control());
    expect(write.allowed).toBe(false);
    if (!write.allowed) expect(write.fault.faultAddress).toBe(0x1000);
    const past = mpu.check(access(0x1ff0, 'read', 2, 0x20), control());
    expect(past.allowed).toBe(false);
    if (!past.allowed) expect([past.fault.rule, past.fault.faultAddress]).toEqual(['no-region', 0x2000]);
  });

  it('checks alignment of data accesses when SCTLR.A is set', () => {
    const mpu = withRegions([[0, prbar(0, 0, false), prlar(0xffff)]]);
    expect(ruleOf(mpu, access(0x102, 'read', 2, 4), control({ alignment: true }))).toBe('alignment');
    expect(ruleOf(mpu, access(0x104, 'read', 2, 4), control({ alignment: true }))).toBe('region-permits');
    expect(ruleOf(mpu, access(0x102, 'fetch', 2, 4), control({ alignment: true }))).toBe('region-permits');
    expect(ruleOf(mpu, access(0x102, 'read', 2, 4), control())).toBe('region-permits');
  });

  it('refuses bytes beyond the 48-bit physical address space', () => {
    const mpu = withRegions([]);
    expect(ruleOf(mpu, access(2 ** 48 - 2, 'read', 2, 4), control(OFF))).toBe('outside-physical-range');
  });

  it('checks EL1 accesses again with the EL2 MPU as stage 2', () => {
    const mpu = new Mpu({ el2: 16, el10: 16 });
    program(mpu, 'el10', 0, prbar(0, 1, true), prlar(0xffff));
    program(mpu, 'el2', 0, prbar(0, 2, true), prlar(0x7fff)); // read-only at stage 2
    mpu.synchronize();
    const c = control({}, {}, true);
    expect(ruleOf(mpu, access(0x100, 'read', 1), c)).toBe('region-permits');
    const d = mpu.check(access(0x100, 'write', 1), c);
    expect(d.allowed).toBe(false);
    if (!d.allowed) {
      expect(d.fault).toMatchObject({ rule: 'ap-read-only', stage2: true, regime: 'el2' });
      expect(mpu.syndrome(d.fault, 2)).toEqual({ takenTo: 2, esr: BigInt(((0x24 << 26) | (1 << 25) | (1 << 6) | 0x0c) >>> 0), far: 0x100n, hpfar: 0n });
    }
    const beyond = mpu.check(access(0x9000, 'read', 1), c);
    expect(!beyond.allowed && beyond.fault.rule).toBe('no-region');
    if (!beyond.allowed) expect(mpu.syndrome(beyond.fault, 2).hpfar).toBe(0x9n << 4n);
    expect(ruleOf(mpu, access(0x9000, 'read', 1), control({}, {}, false))).toBe('region-permits');
  });
});

describe('syndromes', () => {
  const mpu = withRegions([[0, prbar(0, 2, true), prlar(0xffff)]]);
  const fault = (a: Access, c = control()) => {
    const d = mpu.check(a, c);
    if (d.allowed) throw new Error('expected a fault');
    return d.fault;
  };

  it('encodes EC, IL, WnR and FSC', () => {
    expect(mpu.syndrome(fault(access(0x10, 'write')), 2)).toEqual({ takenTo: 2, esr: 0x9600004cn, far: 0x10n });
    expect(mpu.syndrome(fault(access(0x10, 'fetch')), 2)).toEqual({ takenTo: 2, esr: 0x8600000cn, far: 0x10n });
    expect(mpu.syndrome(fault(access(0x20000, 'read')), 2)).toEqual({ takenTo: 2, esr: 0x9600000cn, far: 0x20000n });
    expect(mpu.syndrome(fault(access(0x11, 'read', 2, 2), control({ alignment: true })), 2).esr).toBe(0x96000021n);
  });

  it('says whether the EL changed relative to the EL that takes the fault', () => {
    const from = (el: 0 | 1, kind: 'write' | 'fetch') => ({ ...fault(access(0x10, kind)), access: access(0x10, kind, el) });
    expect(mpu.syndrome(from(1, 'write'), 2).esr >> 26n).toBe(0x24n);
    expect(mpu.syndrome(from(1, 'write'), 1).esr >> 26n).toBe(0x25n);
    expect(mpu.syndrome(from(0, 'write'), 1).esr >> 26n).toBe(0x24n);
    expect(mpu.syndrome(from(0, 'fetch'), 1).esr >> 26n).toBe(0x20n);
    expect(mpu.syndrome(from(1, 'fetch'), 1)).toMatchObject({ takenTo: 1 });
    expect(mpu.syndrome(from(1, 'fetch'), 1).esr >> 26n).toBe(0x21n);
  });
});

describe('scale', () => {
  it('handles 1 and 255 regions', () => {
    const one = withRegions([[0, prbar(0, 0, true), prlar(0xfff)]], 'el2', 1);
    expect(ruleOf(one, access(0x10))).toBe('region-permits');
    const regions: Array<[number, bigint, bigint]> = [];
    for (let i = 0; i < 255; i++) regions.push([i, prbar(i * 0x1000, 0, true), prlar(i * 0x1000 + 0xfff)]);
    const many = withRegions(regions, 'el2', 255);
    expect(mpu255Rule(many, 254 * 0x1000 + 8)).toEqual([254]);
    expect(ruleOf(many, access(255 * 0x1000))).toBe('no-region');
    expect(many.check(access(0, 'read', 2, 255 * 0x1000), control())).toMatchObject({ allowed: true });
  });
});

function mpu255Rule(mpu: Mpu, address: number): readonly number[] {
  const d = mpu.check(access(address), control());
  return d.allowed ? d.regions : [];
}

describe('segment index against a per-byte reference', () => {
  it('agrees on every byte of random small layouts', () => {
    const region = fc.record({ start: fc.integer({ min: 0, max: 15 }), length: fc.integer({ min: 0, max: 6 }), ap: fc.integer({ min: 0, max: 3 }), enabled: fc.boolean() });
    fc.assert(
      fc.property(fc.array(region, { maxLength: 6 }), fc.integer({ min: 0, max: 24 * 64 }), fc.integer({ min: 1, max: 200 }), fc.constantFrom<AccessKind>('read', 'write'), fc.boolean(), (layout, address, size, kind, background) => {
        const mpu = new Mpu({ el2: 8, el10: 8 });
        layout.forEach((r, i) => {
          if (!r.enabled) return;
          const base = r.start * 64;
          // length 0: a limit below the base, which matches nothing.
          if (r.length === 0) program(mpu, 'el2', i, prbar(base + 64, r.ap, true), prlar(base));
          else program(mpu, 'el2', i, prbar(base, r.ap, true), prlar(base + r.length * 64 - 1));
        });
        mpu.synchronize();
        const decision = mpu.check(access(address, kind, 2, size), control({ background }));
        // Reference: walk every byte.
        let expected: { allowed: true } | { allowed: false; at: number; rule: MpuRule } = { allowed: true };
        for (let b = address; b < address + size; b++) {
          const hits: number[] = [];
          for (let i = 0; i < 8; i++) {
            const r = mpu.effectiveRegion('el2', i);
            if (r.enabled && r.base <= b && b <= r.limit) hits.push(i);
          }
          let rule: MpuRule | undefined;
          if (hits.length > 1) rule = 'multiple-regions';
          else if (hits.length === 0) rule = background ? undefined : 'no-region';
          else if (kind === 'write' && mpu.effectiveRegion('el2', hits[0]!).ap & 2) rule = 'ap-read-only';
          if (rule) {
            expected = { allowed: false, at: b, rule };
            break;
          }
        }
        if (expected.allowed) expect(decision.allowed).toBe(true);
        else {
          expect(decision.allowed).toBe(false);
          if (!decision.allowed) expect([decision.fault.faultAddress, decision.fault.rule]).toEqual([expected.at, expected.rule]);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('the whole check against the reference checker', () => {
  const region = fc.record({
    enabled: fc.boolean(),
    start: fc.integer({ min: 0, max: 31 }),
    length: fc.integer({ min: 0, max: 8 }),
    ap: fc.integer({ min: 0, max: 3 }),
    xn: fc.boolean(),
  });
  const regimeControl = fc.record({ enabled: fc.boolean(), background: fc.boolean(), wxn: fc.boolean(), alignment: fc.boolean() });

  it('agrees on random tables, addresses, sizes, ELs, kinds and controls, in both regimes and at stage 2', () => {
    fc.assert(
      fc.property(
        fc.array(region, { maxLength: 8 }),
        fc.array(region, { maxLength: 8 }),
        fc.record({ el2: regimeControl, el10: regimeControl, stage2: fc.boolean() }),
        fc.integer({ min: 0, max: 40 * 64 }),
        fc.constantFrom(1, 2, 4, 8, 16, 64, 200, 700),
        fc.constantFrom<AccessKind>('read', 'write', 'fetch'),
        fc.constantFrom<ExceptionLevel>(0, 1, 2),
        (el2Table, el10Table, mpuControl, address, size, kind, el) => {
          const mpu = new Mpu({ el2: 8, el10: 8 });
          const toReference = (table: typeof el2Table, regime: Regime): ReferenceRegion[] =>
            table.map((r, i) => {
              const base = r.start * 64;
              if (r.length === 0) {
                // An enabled region whose limit is below its base matches nothing.
                program(mpu, regime, i, prbar(base + 64, r.ap, r.xn), r.enabled ? BigInt(base) | 0xfn : 0n);
                return { enabled: false, base, limit: base, ap: r.ap, xn: r.xn };
              }
              const limit = base + r.length * 64 - 1;
              program(mpu, regime, i, prbar(base, r.ap, r.xn), r.enabled ? prlar(limit) : 0n);
              return { enabled: r.enabled, base, limit, ap: r.ap, xn: r.xn };
            });
          const el2Regions = toReference(el2Table, 'el2');
          const el10Regions = toReference(el10Table, 'el10');
          mpu.synchronize();
          const a = access(address, kind, el, size);
          const expected = referenceCheck(a, el2Regions, el10Regions, mpuControl);
          const actual = mpu.check(a, mpuControl);
          if (expected.allowed) expect(actual.allowed, JSON.stringify(actual)).toBe(true);
          else {
            expect(actual.allowed).toBe(false);
            if (!actual.allowed) {
              expect([actual.fault.rule, actual.fault.faultAddress, actual.fault.stage2]).toEqual([expected.rule, expected.at, expected.stage2]);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
