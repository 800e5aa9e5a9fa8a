// A device without behaviour: registers that read back what was written, for device ranges a
// board describes but mpustub does not model. The first 4 KiB keep their values; beyond
// them accesses read as zero and writes are ignored, so a large window costs nothing.

import type { Device, DeviceAccessSize } from './device.js';

const KEPT = 0x1000;

export class PlainRegisters implements Device {
  private readonly bytes: Uint8Array;

  constructor(size: number) {
    this.bytes = new Uint8Array(Math.min(size, KEPT));
  }

  reset(): void {
    this.bytes.fill(0);
  }

  read(offset: number, size: DeviceAccessSize): number {
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = (value << 8) | (this.bytes[offset + i] ?? 0);
    return value >>> 0;
  }

  write(offset: number, size: DeviceAccessSize, value: number): void {
    for (let i = 0; i < size; i++) if (offset + i < this.bytes.length) this.bytes[offset + i] = (value >>> (8 * i)) & 0xff;
  }
}
