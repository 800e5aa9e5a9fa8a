// The board's physical memory: RAM ranges backed by sparse 64 KiB chunks (only touched chunks
// cost memory; untouched RAM reads as zero) and device ranges backed by the device models of
// devices/models.ts, reached through register accesses (devices/device.ts says how the bus
// splits them). This layer performs no permission checks: the machine asks the MPU first
// (machine.ts).

import type { MemoryRange } from './board.js';
import { readDevice, writeDevice, type Device } from './devices/device.js';
import { createDevice, type DeviceContext } from './devices/models.js';

const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;

/** A sparse byte store for one RAM range. */
class SparseRam {
  private readonly chunks = new Map<number, Uint8Array>();

  constructor(readonly size: number) {}

  read(offset: number, out: Uint8Array, outOffset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      const chunkIndex = Math.floor(pos / CHUNK_SIZE);
      const within = pos - chunkIndex * CHUNK_SIZE;
      const n = Math.min(length - done, CHUNK_SIZE - within);
      const chunk = this.chunks.get(chunkIndex);
      if (!chunk) out.fill(0, outOffset + done, outOffset + done + n);
      else if (n <= 16) {
        // The core's loads and fetches are small: a byte loop beats creating a subarray view.
        for (let k = 0; k < n; k++) out[outOffset + done + k] = chunk[within + k]!;
      } else out.set(chunk.subarray(within, within + n), outOffset + done);
      done += n;
    }
  }

  write(offset: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      const pos = offset + done;
      const chunkIndex = Math.floor(pos / CHUNK_SIZE);
      const within = pos - chunkIndex * CHUNK_SIZE;
      const n = Math.min(data.length - done, CHUNK_SIZE - within);
      let chunk = this.chunks.get(chunkIndex);
      if (!chunk) {
        chunk = new Uint8Array(CHUNK_SIZE);
        this.chunks.set(chunkIndex, chunk);
      }
      chunk.set(data.subarray(done, done + n), within);
      done += n;
    }
  }

  /** Every byte back to zero (untouched). */
  clear(): void {
    this.chunks.clear();
  }

  /** The chunk holding `offset` (allocated if untouched) and where `offset` lies in it. */
  chunkAt(offset: number): { bytes: Uint8Array; at: number } {
    const chunkIndex = Math.floor(offset / CHUNK_SIZE);
    let chunk = this.chunks.get(chunkIndex);
    if (!chunk) {
      chunk = new Uint8Array(CHUNK_SIZE);
      this.chunks.set(chunkIndex, chunk);
    }
    return { bytes: chunk, at: offset - chunkIndex * CHUNK_SIZE };
  }

  /** Bytes of host memory in use, for `monitor info`. */
  residentBytes(): number {
    return this.chunks.size * CHUNK_SIZE;
  }
}

interface MappedRange {
  readonly range: MemoryRange;
  readonly backing: SparseRam | Device;
}

export class PhysicalMemory {
  /** Sorted by base; boards have a handful of ranges, so a short scan is the fastest lookup. */
  private readonly ranges: MappedRange[];
  /**
   * 4 KiB pages (by base address) holding instructions the core has translated. A write that
   * touches one calls `onCodeWrite`, whoever makes it, so translated code never goes stale.
   */
  readonly codePages = new Set<number>();
  onCodeWrite: (page: number) => void = () => {};

  constructor(ranges: readonly MemoryRange[], devices: DeviceContext) {
    this.ranges = [...ranges]
      .sort((a, b) => a.base - b.base)
      .map((range) => ({
        range,
        backing: range.kind === 'ram' ? new SparseRam(range.size) : createDevice(range.model ?? 'plain', range.size, devices),
      }));
  }

  /** RAM back to zero and devices to their reset state; translated code is dropped. */
  reset(): void {
    for (const page of [...this.codePages]) this.onCodeWrite(page);
    this.codePages.clear();
    for (const mapped of this.ranges) {
      if (mapped.backing instanceof SparseRam) mapped.backing.clear();
      else mapped.backing.reset();
    }
  }

  get map(): readonly MemoryRange[] {
    return this.ranges.map((r) => r.range);
  }

  private find(address: number): MappedRange | undefined {
    for (const mapped of this.ranges) {
      if (address >= mapped.range.base && address < mapped.range.base + mapped.range.size) return mapped;
    }
    return undefined;
  }

  /** The RAM range holding the whole 4 KiB page at `page`, if the page is all RAM. */
  private ramRangeOf(page: number): { range: MemoryRange; ram: SparseRam } | undefined {
    const mapped = this.find(page);
    if (!mapped || !(mapped.backing instanceof SparseRam) || page + 0x1000 > mapped.range.base + mapped.range.size) return undefined;
    return { range: mapped.range, ram: mapped.backing };
  }

  /** True when the whole 4 KiB page at `page` is RAM (no device side effects on access). */
  isRamPage(page: number): boolean {
    return this.ramRangeOf(page) !== undefined;
  }

  /**
   * Direct access to the bytes of a RAM page, for the core's fast path: the 64 KiB chunk that
   * holds the page and the page's offset in it. Undefined unless the whole page is RAM.
   */
  ramPage(page: number): { bytes: Uint8Array; at: number } | undefined {
    const found = this.ramRangeOf(page);
    return found?.ram.chunkAt(page - found.range.base);
  }

  /** The range containing `address`, if any. */
  rangeAt(address: number): MemoryRange | undefined {
    return this.find(address)?.range;
  }

  /** Number of bytes from `address` (at most `length`) that the board maps contiguously. */
  mappedLength(address: number, length: number): number {
    let done = 0;
    while (done < length) {
      const mapped = this.find(address + done);
      if (!mapped) break;
      done = Math.min(length, mapped.range.base + mapped.range.size - address);
    }
    return done;
  }

  /** Reads bytes the caller has already checked to be mapped. */
  read(address: number, out: Uint8Array, outOffset = 0, length = out.length - outOffset): void {
    let done = 0;
    while (done < length) {
      const mapped = this.find(address + done);
      if (!mapped) throw new RangeError(`unmapped physical address 0x${(address + done).toString(16)}`);
      const offset = address + done - mapped.range.base;
      const n = Math.min(length - done, mapped.range.size - offset);
      if (mapped.backing instanceof SparseRam) mapped.backing.read(offset, out, outOffset + done, n);
      else readDevice(mapped.backing, offset, out, outOffset + done, n);
      done += n;
    }
  }

  write(address: number, data: Uint8Array): void {
    if (this.codePages.size > 0) {
      for (let page = address - (address % 0x1000); page < address + data.length; page += 0x1000) {
        if (this.codePages.has(page)) this.onCodeWrite(page);
      }
    }
    let done = 0;
    while (done < data.length) {
      const mapped = this.find(address + done);
      if (!mapped) throw new RangeError(`unmapped physical address 0x${(address + done).toString(16)}`);
      const offset = address + done - mapped.range.base;
      const n = Math.min(data.length - done, mapped.range.size - offset);
      if (mapped.backing instanceof SparseRam) mapped.backing.write(offset, data.subarray(done, done + n));
      else writeDevice(mapped.backing, offset, data.subarray(done, done + n));
      done += n;
    }
  }

  residentBytes(): number {
    return this.ranges.reduce((sum, r) => sum + (r.backing instanceof SparseRam ? r.backing.residentBytes() : 0), 0);
  }
}
