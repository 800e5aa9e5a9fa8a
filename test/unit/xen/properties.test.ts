// Property tests (fast-check) over random request sequences on small and large boards, both
// disable modes: the shadow never holds overlapping enabled regions, the bitmap always agrees
// with the shadow's enable bits, a refused request never changes the shadow, the bitmap or a
// register, and in 'intended' mode the hardware always enforces exactly what the shadow says.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DisableMode } from '../../../src/xen/programmer.js';
import type { OperationRequest } from '../../../src/xen/result.js';
import { regionBase, regionIsValid, regionLimit } from '../../../src/xen/region.js';
import type { MapService } from '../../../src/xen/service.js';
import { newService } from './harness.js';

const FLAG_CHOICES = [0x2f, 0x3f, 0x37, 0x2c, 0x29, 0x27, 0x3c, 0x00, 0x10, 0x08];

const flags = fc.constantFrom(...FLAG_CHOICES);

/** Requests over a window of `pages` pages: small windows make requests collide often. */
function requestsOver(pages: number): fc.Arbitrary<OperationRequest> {
  const page = fc.integer({ min: 0, max: pages - 1 }).map((p) => BigInt(p) * 0x1000n);
  const offsetAddress = fc.oneof(page, page.map((p) => p + 0x800n));
  return fc.oneof(
  { weight: 5, arbitrary: fc.tuple(page, fc.integer({ min: 1, max: 4 }), flags).map(([base, n, f]) => ({ op: 'update' as const, base, limit: base + BigInt(n) * 0x1000n, flags: f })) },
  { weight: 1, arbitrary: fc.tuple(offsetAddress, offsetAddress, flags).map(([base, limit, f]) => ({ op: 'update' as const, base, limit, flags: f })) },
  { weight: 3, arbitrary: fc.tuple(page, fc.integer({ min: 1, max: 4 })).map(([start, n]) => ({ op: 'destroy' as const, start, end: start + BigInt(n) * 0x1000n })) },
  { weight: 1, arbitrary: offsetAddress.map((addr) => ({ op: 'destroy-containing' as const, addr })) },
  { weight: 1, arbitrary: fc.tuple(offsetAddress, fc.integer({ min: 0, max: 0x3000 }), flags).map(([start, len, f]) => ({ op: 'ioremap' as const, start, len: BigInt(len), flags: f })) },
  { weight: 1, arbitrary: fc.tuple(page, fc.integer({ min: 1, max: 3 }), flags).map(([start, n, f]) => ({ op: 'modify' as const, start, end: start + BigInt(n) * 0x1000n, flags: f })) },
  );
}
const request = requestsOver(25);
/** Wide enough for more than 32 regions to be in use at once. */
const wideRequest = requestsOver(160);

/** Throws (rather than calling expect per entry, which is slow in a loop) when an invariant fails. */
function checkShadowInvariants(service: MapService): void {
  const { entries, bitmap, maxRegions } = service.shadowEntries();
  const enabled: [bigint, bigint][] = [];
  for (let i = 0; i < 255; i++) {
    const e = entries[i]!;
    const on = regionIsValid(e);
    const used = ((bitmap >> BigInt(i)) & 1n) === 1n;
    if (used !== on) throw new Error(`bitmap bit ${i} is ${used} but the shadow entry's EN is ${on}`);
    if (i >= maxRegions && on) throw new Error(`entry ${i} is enabled beyond max_mpu_regions`);
    if (on) enabled.push([regionBase(e), regionLimit(e)]);
  }
  enabled.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (let i = 1; i < enabled.length; i++) {
    if (enabled[i]![0] < enabled[i - 1]![1]) throw new Error(`enabled shadow regions overlap at 0x${enabled[i]![0].toString(16)}`);
  }
}

async function runSequence(requests: OperationRequest[], regions: number, mode: DisableMode): Promise<void> {
  const { service, hardware } = newService(regions, mode);
  for (const r of requests) {
    hardware.take();
    const before = service.shadowEntries();
    const registersBefore = hardware.regions.map((x) => ({ ...x }));
    const prselrBefore = hardware.prselr;
    const result = await service.execute(r);
    const accesses = hardware.take();
    if (result.rc !== 0) {
      expect(accesses.filter((l) => !l.startsWith('r ')), 'a refusal wrote a register').toEqual([]);
      expect(service.shadowEntries()).toEqual(before);
      expect(hardware.regions).toEqual(registersBefore);
      expect(hardware.prselr).toBe(prselrBefore);
    } else {
      // Success always ends with the MPU synchronised.
      expect(accesses.slice(-2)).toEqual(['dsb', 'isb']);
    }
    checkShadowInvariants(service);
    if (mode === 'intended') {
      // With the intended disable path, the hardware enforces exactly the shadow's regions.
      const effective = (await service.diff()).filter((d) => d.effective);
      if (effective.length > 0) throw new Error(`hardware disagrees with the shadow at region ${effective[0]!.index} (${effective[0]!.kind})`);
    }
  }
}

describe('map service properties', () => {
  for (const mode of ['upstream', 'intended'] as const) {
    it(`${mode}: invariants hold on a 4-region board (exhaustion is frequent)`, async () => {
      await fc.assert(fc.asyncProperty(fc.array(request, { maxLength: 40 }), (rs) => runSequence(rs, 4, mode)), { numRuns: 150 });
    });
    it(`${mode}: invariants hold on a 40-region board`, async () => {
      await fc.assert(fc.asyncProperty(fc.array(wideRequest, { minLength: 30, maxLength: 80 }), (rs) => runSequence(rs, 40, mode)), { numRuns: 60 });
    });
  }

  it('upstream: every effective disagreement is a region >= 32 left enabled in hardware', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(wideRequest, { minLength: 30, maxLength: 80 }), async (rs) => {
        const { service } = newService(40, 'upstream');
        for (const r of rs) await service.execute(r);
        for (const d of await service.diff()) {
          if (!d.effective) continue;
          expect(d.kind).toBe('enabled-in-hardware-only');
          expect(d.index).toBeGreaterThanOrEqual(32);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a refcount never goes below zero or above 0xff, and an entry is only freed at refcount 0', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { maxLength: 50 }), async (rs) => {
        const { service } = newService(8, 'intended');
        for (const r of rs) {
          const before = service.shadowEntries();
          const result = await service.execute(r);
          if (result.effect === 'removed' && result.index !== null) expect(before.entries[result.index]!.refcount).toBe(0);
          for (const e of service.shadowEntries().entries) expect(e.refcount >= 0 && e.refcount <= 0xff).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  });
});
