// The one interface every memory-mapped device of the board implements, and the bus rule that
// turns the memory path's byte arrays into the register accesses devices see.
//
// Devices see accesses the way a 32-bit peripheral bus presents them: an offset into the
// device's range and a size of 1, 2 or 4 bytes, naturally aligned. The bus splits anything
// else — a 64-bit load, a debugger reading 256 bytes, an unaligned access — into such pieces,
// lowest address first. GICv3 defines its 64-bit registers (GICD_IROUTER<n>, GICR_TYPER) as
// accessible in 32-bit halves, so splitting keeps their meaning; values are little-endian.

/** Bytes in one device access. */
export type DeviceAccessSize = 1 | 2 | 4;

export interface Device {
  /** The value of `size` bytes at `offset` (naturally aligned, inside the device's range). */
  read(offset: number, size: DeviceAccessSize): number;
  /** Writes the low `size` bytes of `value` at `offset`. */
  write(offset: number, size: DeviceAccessSize, value: number): void;
  /** Back to the state the device comes out of reset in. */
  reset(): void;
}

/** The largest naturally aligned access (at most 4 bytes) that starts at `offset` and fits in `length`. */
function pieceAt(offset: number, length: number): DeviceAccessSize {
  if (length >= 4 && offset % 4 === 0) return 4;
  if (length >= 2 && offset % 2 === 0) return 2;
  return 1;
}

/** Reads `length` bytes of a device into `out` through register accesses. */
export function readDevice(device: Device, offset: number, out: Uint8Array, outOffset: number, length: number): void {
  let done = 0;
  while (done < length) {
    const size = pieceAt(offset + done, length - done);
    const value = device.read(offset + done, size);
    for (let i = 0; i < size; i++) out[outOffset + done + i] = (value >>> (8 * i)) & 0xff;
    done += size;
  }
}

/** Writes `data` to a device through register accesses. */
export function writeDevice(device: Device, offset: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) {
    const size = pieceAt(offset + done, data.length - done);
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = (value << 8) | data[done + i]!;
    device.write(offset + done, size, value >>> 0);
    done += size;
  }
}

/**
 * A device made of 32-bit registers. Byte and halfword accesses reach the word that holds
 * them: a read returns the bytes asked for, a write passes the word the bytes written and the
 * mask of the bits they cover, so that a read/write register merges them with its old value
 * and a write-1-to-set or write-1-to-clear register acts on those bits alone.
 */
export abstract class WordDevice implements Device {
  /** The 32-bit register at `offset` (a multiple of 4). */
  protected abstract readWord(offset: number): number;
  /** A write to the register at `offset`: `value` holds the written bits where `mask` is set, zero elsewhere. */
  protected abstract writeWord(offset: number, value: number, mask: number): void;
  abstract reset(): void;

  read(offset: number, size: DeviceAccessSize): number {
    const shift = (offset % 4) * 8;
    const word = this.readWord(offset - (offset % 4)) >>> shift;
    return size === 4 ? word >>> 0 : word & ((1 << (size * 8)) - 1);
  }

  write(offset: number, size: DeviceAccessSize, value: number): void {
    const shift = (offset % 4) * 8;
    const mask = size === 4 ? 0xffff_ffff : (((1 << (size * 8)) - 1) << shift) >>> 0;
    this.writeWord(offset - (offset % 4), ((value << shift) & mask) >>> 0, mask);
  }
}

/** A read/write register's new value: the written bits where `mask` is set, the old ones elsewhere. */
export function merge(old: number, value: number, mask: number): number {
  return ((old & ~mask) | (value & mask)) >>> 0;
}
