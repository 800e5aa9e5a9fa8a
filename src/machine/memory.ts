// The board's physical memory: RAM ranges backed by sparse 64 KiB chunks (only touched chunks
// cost memory; untouched RAM reads as zero) and device ranges backed by small device models.
// This layer performs no permission checks: the machine asks the MPU first (machine.ts).

import type { MemoryRange } from './board.js';

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

/** A device register file: byte-addressed, with PL011 behaviour when asked for. */
class DeviceModel {
  private readonly bytes: Uint8Array;
  private readonly transmitted: number[] = [];

  constructor(
    readonly range: MemoryRange,
    private readonly onConsoleOutput: (text: string) => void,
  ) {
    this.bytes = new Uint8Array(Math.min(range.size, 0x1000));
    this.reset();
  }

  reset(): void {
    this.bytes.fill(0);
    this.transmitted.length = 0;
    if (this.range.model === 'pl011') {
      // UARTFR: transmit FIFO empty (TXFE, bit 7) and receive FIFO empty (RXFE, bit 4).
      this.bytes[0x18] = 0x90;
    }
  }

  read(offset: number, out: Uint8Array, outOffset: number, length: number): void {
    for (let i = 0; i < length; i++) {
      const at = offset + i;
      out[outOffset + i] = at < this.bytes.length ? this.bytes[at]! : 0;
    }
  }

  write(offset: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      const at = offset + i;
      if (this.range.model === 'pl011' && at === 0) {
        this.transmit(data[i]!);
        continue;
      }
      if (this.range.model === 'pl011' && at >= 0x18 && at < 0x1c) continue; // UARTFR is read-only
      if (at < this.bytes.length) this.bytes[at] = data[i]!;
    }
  }

  private transmit(byte: number): void {
    // Lines are handed over whole so that log output stays readable.
    if (byte === 0x0a) {
      this.onConsoleOutput(String.fromCharCode(...this.transmitted));
      this.transmitted.length = 0;
    } else if (byte !== 0x0d) {
      this.transmitted.push(byte);
      if (this.transmitted.length >= 256) this.transmit(0x0a);
    }
  }
}

type Backing = SparseRam | DeviceModel;

interface MappedRange {
  readonly range: MemoryRange;
  readonly backing: Backing;
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

  constructor(ranges: readonly MemoryRange[], onConsoleOutput: (text: string) => void = () => {}) {
    this.ranges = [...ranges]
      .sort((a, b) => a.base - b.base)
      .map((range) => ({
        range,
        backing: range.kind === 'ram' ? new SparseRam(range.size) : new DeviceModel(range, onConsoleOutput),
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
      mapped.backing.read(offset, out, outOffset + done, n);
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
      mapped.backing.write(offset, data.subarray(done, done + n));
      done += n;
    }
  }

  residentBytes(): number {
    return this.ranges.reduce((sum, r) => sum + (r.backing instanceof SparseRam ? r.backing.residentBytes() : 0), 0);
  }
}
