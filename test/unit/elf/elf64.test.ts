// The ELF64 reader on a real image from the cross compiler (test/programs/mpu_fault.S): entry,
// PT_LOAD segments, symbols with the extents of assembler labels; and on broken files, which
// are refused with a reason instead of being read out of bounds.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EM_AARCH64, ElfFormatError, parseElf64, type ElfImage } from '../../../src/elf/elf64.js';
import { placeKernel, readKernelImage } from '../../../src/elf/kernelImage.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { createMachine } from '../../../src/wiring.js';
import { buildMpuFaultProgram } from '../../support/programs.js';

let path: string;
let bytes: Buffer;
let image: ElfImage;

beforeAll(() => {
  path = buildMpuFaultProgram();
  bytes = readFileSync(path);
  image = parseElf64(bytes);
});

const symbol = (name: string) => image.symbols.find((s) => s.name === name);

describe('an image from aarch64-linux-gnu-gcc', () => {
  it('has its entry, machine and loadable segments', () => {
    expect(image.machine).toBe(EM_AARCH64);
    expect(image.entry).toBe(0);
    const addresses = image.segments.map((s) => s.physicalAddress);
    expect(addresses).toContain(0);
    expect(addresses).toContain(0x200000);
    const roPage = image.segments.find((s) => s.physicalAddress === 0x200000)!;
    expect(Buffer.from(roPage.data).readBigUInt64LE(0)).toBe(0x5a5a5a5a5a5a5a5an);
  });

  it('keeps named symbols, drops mapping symbols, and bounds labels by the next symbol', () => {
    expect(image.symbols.some((s) => s.name.startsWith('$'))).toBe(false);
    const start = symbol('_start')!;
    const ready = symbol('regions_ready')!;
    expect(start).toMatchObject({ address: 0, kind: 'label', global: true });
    expect(start.end).toBe(ready.address);
    const handler = symbol('sync_handler')!;
    expect(handler.address).toBe(0xa00);
    expect(handler.end).toBeGreaterThan(handler.address);
  });

  it('is placed in memory with pc at its entry', () => {
    const machine = createMachine(DEFAULT_BOARD);
    machine.core.pc = 0x1234n;
    placeKernel(machine, readKernelImage(path), path);
    expect(machine.core.pc).toBe(0n);
    expect(Buffer.from(machine.readMemory(0x200000, 8, { origin: 'debugger' }).data).readBigUInt64LE(0)).toBe(0x5a5a5a5a5a5a5a5an);
  });
});

describe('broken files', () => {
  it('refuses what is not ELF64 little-endian', () => {
    expect(() => parseElf64(Buffer.from('#!/bin/sh\n'.padEnd(80, ' ')))).toThrow(/not an ELF file/);
    const class32 = Buffer.from(bytes);
    class32[4] = 1;
    expect(() => parseElf64(class32)).toThrow(/not a 64-bit ELF file/);
    const bigEndian = Buffer.from(bytes);
    bigEndian[5] = 2;
    expect(() => parseElf64(bigEndian)).toThrow(/not a little-endian/);
  });

  it('refuses truncated files and offsets beyond the end with ElfFormatError', () => {
    // Into the program headers, into the segments, and into the section headers.
    const shoff = Number(bytes.readBigUInt64LE(0x28));
    for (const length of [0x40, 0x100, bytes.length >> 1, shoff + 10]) {
      let outcome: unknown;
      try {
        parseElf64(bytes.subarray(0, length));
      } catch (err) {
        outcome = err;
      }
      expect(outcome, `truncated to ${length}`).toBeInstanceOf(ElfFormatError);
    }
    const farSections = Buffer.from(bytes);
    farSections.writeBigUInt64LE(0xffff_ffff_ffffn, 0x28);
    expect(() => parseElf64(farSections)).toThrow(/beyond the end of the file/);
  });

  it('refuses a kernel for another machine or one that does not fit the board', () => {
    const x86 = Buffer.from(bytes);
    x86.writeUInt16LE(62, 0x12);
    const machine = createMachine(DEFAULT_BOARD);
    const elsewhere: ElfImage = { ...image, segments: [{ physicalAddress: 0x4000_0000_0000, virtualAddress: 0, memorySize: 16, data: new Uint8Array(16) }] };
    expect(() => placeKernel(machine, elsewhere, 'far.elf')).toThrow(/which the board does not map/);
    expect(() => readKernelImage('/nonexistent/kernel.elf')).toThrow(/cannot read kernel \/nonexistent\/kernel.elf: ENOENT/);
    expect(parseElf64(x86).machine).toBe(62);
  });
});
