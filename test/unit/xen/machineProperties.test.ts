// The map service driving the simulated machine (not a fake): after any request the MPU's
// programmed and effective state agree (the service synchronises under its lock), and a
// refused request leaves both exactly as they were.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MachineMpuHardware } from '../../../src/debug/machineMpuHardware.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import type { Machine } from '../../../src/machine/machine.js';
import type { OperationRequest } from '../../../src/xen/result.js';
import { MapService } from '../../../src/xen/service.js';
import { createMachine } from '../../../src/wiring.js';

function mpuState(machine: Machine): string {
  const out: string[] = [];
  for (let i = 0; i < machine.mpu.regionCount('el2'); i++) {
    const p = machine.mpu.programmedRegion('el2', i);
    const e = machine.mpu.effectiveRegion('el2', i);
    out.push(`${p.prbar.toString(16)}/${p.prlar.toString(16)}|${e.prbar.toString(16)}/${e.prlar.toString(16)}`);
  }
  return out.join(' ');
}

const page = fc.integer({ min: 0, max: 63 }).map((n) => BigInt(n) * 0x1000n + 0x3000_0000n);
const flags = fc.constantFrom(0x2f, 0x3f, 0x37, 0x2c, 0x29, 0x3b, 0);
const request: fc.Arbitrary<OperationRequest> = fc.oneof(
  fc.tuple(page, fc.integer({ min: 0, max: 8 }), flags).map(([base, n, f]) => ({ op: 'update' as const, base, limit: base + BigInt(n) * 0x1000n, flags: f })),
  fc.tuple(page, fc.integer({ min: 1, max: 8 })).map(([start, n]) => ({ op: 'destroy' as const, start, end: start + BigInt(n) * 0x1000n })),
  page.map((addr) => ({ op: 'destroy-containing' as const, addr })),
);

describe('map service on the machine', () => {
  it('never leaves programmed-but-not-effective regions, and a refusal changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 30 }), async (requests) => {
        const machine = createMachine({ ...DEFAULT_BOARD, mpuRegions: { el2: 8, el1: 8 } });
        const service = new MapService(new MachineMpuHardware(machine));
        await service.boot();
        for (const r of requests) {
          const before = mpuState(machine);
          const result = await service.execute(r);
          expect(machine.mpu.pendingRegions('el2')).toEqual([]);
          if (result.rc !== 0) expect(mpuState(machine)).toBe(before);
        }
      }),
      { numRuns: 150 },
    );
  });
});
