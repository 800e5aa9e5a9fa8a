// Board descriptions: the embedded default, parsing with precise errors, and sparse memory.

import { describe, expect, it } from 'vitest';
import { BoardError, DEFAULT_BOARD, parseBoard } from '../../../src/machine/board.js';
import { Gic } from '../../../src/machine/gic/gic.js';
import { PhysicalMemory } from '../../../src/machine/memory.js';

describe('board descriptions', () => {
  it('defaults to 32 + 32 regions, 2 GiB DRAM at 0 and a PL011 at 0x9C090000', () => {
    expect(DEFAULT_BOARD.mpuRegions).toEqual({ el2: 32, el1: 32 });
    expect(DEFAULT_BOARD.memory).toContainEqual({ name: 'dram', kind: 'ram', base: 0, size: 0x8000_0000 });
    expect(DEFAULT_BOARD.memory).toContainEqual({ name: 'uart0', kind: 'device', base: 0x9c09_0000, size: 0x1000, model: 'pl011' });
  });

  it('puts the GICv3 frames where the FVP BaseR device tree has them', () => {
    expect(DEFAULT_BOARD.memory).toContainEqual({ name: 'gicd', kind: 'device', base: 0xaf00_0000, size: 0x1_0000, model: 'gicv3-dist' });
    expect(DEFAULT_BOARD.memory).toContainEqual({ name: 'gicr', kind: 'device', base: 0xaf10_0000, size: 0x10_0000, model: 'gicv3-redist' });
  });

  it('fills what a description leaves out from the default', () => {
    const board = parseBoard('{"mpuRegions": {"el2": 64}}');
    expect(board.mpuRegions).toEqual({ el2: 64, el1: 32 });
    expect(board.memory).toEqual(DEFAULT_BOARD.memory);
  });

  it('accepts numbers as integers or 0x strings', () => {
    const board = parseBoard('{"memory": [{"name": "sram", "kind": "ram", "base": "0x20000000", "size": 65536}]}');
    expect(board.memory).toEqual([{ name: 'sram', kind: 'ram', base: 0x2000_0000, size: 0x10000 }]);
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[]', /JSON object/],
    ['{"mpuRegions": {"el2": 0}}', /mpuRegions.el2: region count 0 is outside 1..255/],
    ['{"mpuRegions": {"el2": 256}}', /outside 1..255/],
    ['{"colour": "red"}', /unknown key "colour"/],
    ['{"memory": []}', /non-empty array/],
    ['{"memory": [{"name": "a", "kind": "ram", "base": -1, "size": 1}]}', /memory\[0\].base: -1 is not a non-negative integer/],
    ['{"memory": [{"name": "a", "kind": "rom", "base": 0, "size": 1}]}', /memory\[0\].kind/],
    ['{"memory": [{"name": "a", "kind": "ram", "base": "0x1000000000000", "size": 1}]}', /beyond the 48-bit/],
    ['{"memory": [{"name": "a", "kind": "ram", "base": 0, "size": 4096}, {"name": "b", "kind": "ram", "base": 2048, "size": 4096}]}', /"a" and "b" overlap/],
    ['{"memory": [{"name": "a", "kind": "device", "base": 0, "size": 4096, "model": "pl022"}]}', /memory\[0\].model: expected one of "plain", "pl011", "gicv3-dist", "gicv3-redist"/],
    ['{"memory": [{"name": "a", "kind": "device", "base": 0, "size": 256, "model": "pl011"}]}', /memory\[0\].size: a pl011 needs at least 0x1000 bytes/],
    ['{"memory": [{"name": "a", "kind": "device", "base": 0, "size": 4096, "model": "gicv3-dist"}]}', /memory\[0\].size: a gicv3-dist needs at least 0x10000 bytes/],
    ['{"memory": [{"name": "a", "kind": "device", "base": 0, "size": 65536, "model": "gicv3-dist"}, {"name": "b", "kind": "device", "base": 65536, "size": 65536, "model": "gicv3-dist"}]}', /"a" and "b" are both a gicv3-dist: a board has one/],
  ])('rejects %s', (text, message) => {
    expect(() => parseBoard(text)).toThrow(BoardError);
    expect(() => parseBoard(text)).toThrow(message);
  });
});

describe('physical memory', () => {
  const memory = (console: (line: string) => void = () => {}) => new PhysicalMemory(DEFAULT_BOARD.memory, { console, gic: new Gic(0n) });

  it('reads untouched RAM as zero and costs nothing for it', () => {
    const m = memory();
    const out = new Uint8Array(16).fill(0xff);
    m.read(0x4000_0000, out);
    expect([...out]).toEqual(new Array(16).fill(0));
    expect(m.residentBytes()).toBe(0);
  });

  it('writes and reads back across chunk boundaries', () => {
    const m = memory();
    const data = Uint8Array.from({ length: 0x30000 }, (_, i) => (i * 13) & 0xff);
    m.write(0xfff0, data);
    const out = new Uint8Array(data.length);
    m.read(0xfff0, out);
    expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
    expect(m.residentBytes()).toBe(4 * 0x10000);
  });

  it('knows how far a range is mapped', () => {
    const m = memory();
    expect(m.mappedLength(0x7fff_fff0, 0x20)).toBe(0x10);
    expect(m.mappedLength(0x9000_0000, 4)).toBe(0);
    expect(m.mappedLength(0x9c09_0ffc, 8)).toBe(4);
  });

  it('models the PL011: UARTFR reads TX empty, DR writes are lines on the console', () => {
    const lines: string[] = [];
    const m = memory((line) => lines.push(line));
    const fr = new Uint8Array(1);
    m.read(0x9c09_0018, fr);
    expect(fr[0]! & 0x80).toBe(0x80);
    for (const c of 'hello\r\n') m.write(0x9c09_0000, Uint8Array.of(c.charCodeAt(0)));
    expect(lines).toEqual(['hello']);
  });
});
