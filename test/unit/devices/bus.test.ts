// The device interface as the memory path uses it: how the bus splits byte arrays into the
// naturally aligned 1-, 2- and 4-byte register accesses devices see, and how word devices
// merge byte and halfword writes.

import { describe, expect, it } from 'vitest';
import { merge, readDevice, WordDevice, writeDevice, type Device, type DeviceAccessSize } from '../../../src/machine/devices/device.js';
import { Pl011 } from '../../../src/machine/devices/pl011.js';
import { PlainRegisters } from '../../../src/machine/devices/plain.js';

class Recorder implements Device {
  readonly accesses: string[] = [];
  read(offset: number, size: DeviceAccessSize): number {
    this.accesses.push(`r${size}@${offset}`);
    return 0;
  }
  write(offset: number, size: DeviceAccessSize, value: number): void {
    this.accesses.push(`w${size}@${offset}=${value.toString(16)}`);
  }
  reset(): void {}
}

class OneWord extends WordDevice {
  word = 0;
  protected readWord(): number {
    return this.word;
  }
  protected writeWord(_offset: number, value: number, mask: number): void {
    this.word = merge(this.word, value, mask);
  }
  reset(): void {
    this.word = 0;
  }
}

describe('the device bus', () => {
  it('splits a 64-bit access into two 32-bit ones, low address first', () => {
    const device = new Recorder();
    writeDevice(device, 0x100, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(device.accesses).toEqual(['w4@256=4030201', 'w4@260=8070605']);
  });

  it('splits unaligned and odd-sized accesses into naturally aligned pieces', () => {
    const device = new Recorder();
    readDevice(device, 1, new Uint8Array(8), 0, 8);
    expect(device.accesses).toEqual(['r1@1', 'r2@2', 'r4@4', 'r1@8']);
  });

  it('merges byte and halfword writes into a word register', () => {
    const device = new OneWord();
    writeDevice(device, 0, Uint8Array.of(0x11, 0x22, 0x33, 0x44));
    writeDevice(device, 2, Uint8Array.of(0xaa));
    expect(device.word).toBe(0x44aa_2211);
    const out = new Uint8Array(2);
    readDevice(device, 2, out, 0, 2);
    expect([...out]).toEqual([0xaa, 0x44]);
  });
});

describe('plain registers', () => {
  it('read back what was written in their first 4 KiB and zero beyond', () => {
    const device = new PlainRegisters(0x10000);
    writeDevice(device, 0x10, Uint8Array.of(1, 2, 3, 4));
    writeDevice(device, 0x2000, Uint8Array.of(9));
    const out = new Uint8Array(4);
    readDevice(device, 0x10, out, 0, 4);
    expect([...out]).toEqual([1, 2, 3, 4]);
    expect(device.read(0x2000, 1)).toBe(0);
    device.reset();
    expect(device.read(0x10, 4)).toBe(0);
  });
});

describe('PL011', () => {
  it('transmits UARTDR writes as console lines, whatever the access size', () => {
    const lines: string[] = [];
    const uart = new Pl011((line) => lines.push(line));
    for (const c of 'ok\r\n') uart.write(0, 1, c.charCodeAt(0));
    uart.write(0, 4, 0x41);
    uart.write(0, 4, 0x0a);
    expect(lines).toEqual(['ok', 'A']);
  });

  it('always has an empty transmit FIFO and nothing received', () => {
    const uart = new Pl011(() => {});
    expect(uart.read(0x18, 4)).toBe(0x90); // UARTFR: TXFE | RXFE
    uart.write(0x18, 4, 0);
    expect(uart.read(0x18, 4)).toBe(0x90);
    expect(uart.read(0x00, 4)).toBe(0);
  });

  it('keeps its control registers and identifies itself as a PL011', () => {
    const uart = new Pl011(() => {});
    uart.write(0x30, 4, 0x301); // UARTCR: RXE | TXE | UARTEN
    uart.write(0x2c, 1, 0x70); // UARTLCR_H
    expect(uart.read(0x30, 4)).toBe(0x301);
    expect(uart.read(0x2c, 4)).toBe(0x70);
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec].map((o) => uart.read(o, 4))).toEqual([0x11, 0x10, 0x34, 0x00]);
    uart.reset();
    expect(uart.read(0x30, 4)).toBe(0);
  });

  it('cuts a line that never ends at 256 characters', () => {
    const lines: string[] = [];
    const uart = new Pl011((line) => lines.push(line));
    for (let i = 0; i < 300; i++) uart.write(0, 1, 0x78);
    expect(lines).toEqual(['x'.repeat(256)]);
  });
});
