// The board's memory map as LLDB's `memory region` shows it (qMemoryRegionInfo): the stretch
// of physical address space around an address over which the core, at its current exception
// level, has the same rights. Stretches are cut at every boundary of the MPU regions in force
// (the stage 1 regime, and the EL2 MPU as stage 2 for EL1 and EL0) and at every edge of the
// board's memory map, so each is uniform; its rights are then the machine's own verdict on a
// one-byte access of each kind, and this view can never disagree with what the core would be
// allowed. It is the program's map: `monitor mpu bypass`, which frees the debugger's own
// accesses, does not change it.

import { PHYS_ADDR_LIMIT, type AccessKind } from '../machine/access.js';
import type { Machine } from '../machine/machine.js';
import type { Regime } from '../machine/mpu/types.js';
import type { MemoryRegionInfo } from '../rsp/target.js';

const ADDRESS_SPACE_END = 1n << 64n;
const REGIME: Record<Regime, string> = { el2: 'EL2', el10: 'EL1' };

/** Which MPU regions make a stretch what it is, e.g. "EL2 MPU region 3". */
function regionsName(regime: Regime, regions: readonly number[], background: boolean, stage2: boolean): string {
  const mpu = `${REGIME[regime]} MPU`;
  const suffix = stage2 ? ' (stage 2)' : '';
  if (regions.length === 0) return (background ? `${mpu} background region` : `no ${mpu} region`) + suffix;
  if (regions.length === 1) return `${mpu} region ${regions[0]}${suffix}`;
  return `${mpu} regions ${regions.join(' and ')} overlapping${suffix}`;
}

export function memoryRegionAt(machine: Machine, address: bigint): MemoryRegionInfo {
  if (address >= BigInt(PHYS_ADDR_LIMIT)) {
    const start = BigInt(PHYS_ADDR_LIMIT);
    return { start, size: ADDRESS_SPACE_END - start, readable: false, writable: false, executable: false, name: 'beyond the 48-bit physical address space' };
  }
  const at = Number(address);
  const el = machine.currentEl;
  const control = machine.mpuControl();
  let start = 0;
  let end = PHYS_ADDR_LIMIT;
  const names: string[] = [];

  const consulted: Array<{ regime: Regime; stage2: boolean }> = [{ regime: el === 2 ? 'el2' : 'el10', stage2: false }];
  if (el !== 2 && control.stage2) consulted.push({ regime: 'el2', stage2: true });
  for (const { regime, stage2 } of consulted) {
    const regimeControl = control[regime];
    if (!regimeControl.enabled) {
      // A disabled stage 2 plays no part; a disabled stage 1 is worth saying.
      if (!stage2) names.push(`${REGIME[regime]} MPU off`);
      continue;
    }
    const segment = machine.mpu.effectiveSegmentAt(regime, at);
    start = Math.max(start, segment.start);
    end = Math.min(end, segment.end);
    // The background region serves privileged accesses at stage 1 only.
    names.push(regionsName(regime, segment.regions, regimeControl.background && el !== 0 && !stage2, stage2));
  }

  const range = machine.memory.rangeAt(at);
  if (range) {
    start = Math.max(start, range.base);
    end = Math.min(end, range.base + range.size);
  } else {
    // A hole in the board's map runs from the end of the range below to the next one above.
    for (const r of machine.memory.map) {
      if (r.base + r.size <= at) start = Math.max(start, r.base + r.size);
      else if (r.base > at) end = Math.min(end, r.base);
    }
  }

  const allowed = (kind: AccessKind): boolean => machine.check({ address: start, size: 1, kind, el }, 'core') === undefined;
  return {
    start: BigInt(start),
    size: BigInt(end - start),
    readable: allowed('read'),
    writable: allowed('write'),
    executable: allowed('fetch'),
    name: `${names.join(', ')} (${range ? range.name : 'nothing mapped'})`,
  };
}
