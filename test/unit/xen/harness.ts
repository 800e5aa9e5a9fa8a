// Shared helpers of the map-service unit tests: a service over a fake N-region MPU, short
// constructors for requests, and the view of the shadow table the table-driven tests compare.

import { MapService } from '../../../src/xen/service.js';
import type { DisableMode } from '../../../src/xen/programmer.js';
import type { OperationRequest } from '../../../src/xen/result.js';
import { DEFAULT_LAYOUT, type XenImageLayout } from '../../../src/xen/layout.js';
import { FakeMpuHardware } from './fakeHardware.js';

export const RW = 0x2f;
export const RO = 0x3f;
export const RX = 0x37;
export const NOCACHE = 0x2c;
export const WC = 0x29;

export const update = (base: bigint, limit: bigint, flags: number): OperationRequest => ({ op: 'update', base, limit, flags });
export const destroy = (start: bigint, end: bigint): OperationRequest => ({ op: 'destroy', start, end });
export const modify = (start: bigint, end: bigint, flags: number): OperationRequest => ({ op: 'modify', start, end, flags });
export const mapPages = (virt: bigint, mfn: bigint, nr: bigint, flags: number): OperationRequest => ({ op: 'map', virt, mfn, nr, flags });
export const ioremap = (start: bigint, len: bigint, flags: number): OperationRequest => ({ op: 'ioremap', start, len, flags });
export const containing = (addr: bigint): OperationRequest => ({ op: 'destroy-containing', addr });
export const boot = (layout: XenImageLayout = DEFAULT_LAYOUT): OperationRequest => ({ op: 'boot', layout });
export const freeInit = (layout: XenImageLayout = DEFAULT_LAYOUT): OperationRequest => ({ op: 'free-init', layout });
export const afterInit = (layout: XenImageLayout = DEFAULT_LAYOUT): OperationRequest => ({ op: 'after-init', layout });

/** `n` pages of 4 KiB starting at page `first`: [first * 4K, (first + n) * 4K). */
export function pages(first: number, n = 1): [bigint, bigint] {
  return [BigInt(first) * 0x1000n, BigInt(first + n) * 0x1000n];
}

export function newService(regions = 16, mode: DisableMode = 'upstream'): { service: MapService; hardware: FakeMpuHardware } {
  const hardware = new FakeMpuHardware(regions);
  const service = new MapService(hardware, { disableMode: mode });
  hardware.take();
  return { service, hardware };
}

/** Enabled shadow entries as [index, prbar, prlar, refcount]. */
export function shadowTable(service: MapService): [number, bigint, bigint, number][] {
  const { entries, maxRegions } = service.shadowEntries();
  const out: [number, bigint, bigint, number][] = [];
  for (let i = 0; i < maxRegions; i++) {
    const e = entries[i]!;
    if ((e.prlar & 1n) === 1n) out.push([i, e.prbar, e.prlar, e.refcount]);
  }
  return out;
}

/** Indices whose bitmap bit is set. */
export function bitmapIndices(service: MapService): number[] {
  const { bitmap } = service.shadowEntries();
  const out: number[] = [];
  for (let i = 0; i < 255; i++) if (((bitmap >> BigInt(i)) & 1n) === 1n) out.push(i);
  return out;
}
