// Measures the cost of MPU checks as the region count grows: ns per checked access for an
// 8-byte read that hits a region, for a 4 KiB access that crosses region boundaries, and for
// a full machine read through the debugger's access path (within a page already checked whole,
// the page cache answers it). Run with `npm run bench:mpu`.
// Numbers are printed, never asserted: tests stay deterministic.

import { performance } from 'node:perf_hooks';
import { DEFAULT_BOARD } from '../machine/board.js';
import { Machine } from '../machine/machine.js';
import { Mpu } from '../machine/mpu/mpu.js';
import type { Access } from '../machine/access.js';
import { EL2_ONLY, mpuWithAdjacentRegions } from './mpuFixture.js';
import { register } from '../arch/aarch64/registers.js';

const CONTROL = EL2_ONLY;

/** Regions of 1 KiB side by side from 0, so a 4 KiB access crosses four of them. */
const mpuWith = (count: number): Mpu => mpuWithAdjacentRegions(count, 0x400);

function nsPer(iterations: number, body: (i: number) => void): number {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) body(i); // warm up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) body(i);
  return ((performance.now() - start) * 1e6) / iterations;
}

const rows: string[] = [];
for (const count of [1, 32, 255]) {
  const mpu = mpuWith(count);
  const span = count * 0x400;
  const small = nsPer(2_000_000, (i) => {
    const access: Access = { address: (i * 0x48) % (span - 8), size: 8, kind: 'read', el: 2 };
    if (!mpu.check(access, CONTROL).allowed) throw new Error('unexpected refusal');
  });
  const large = count >= 4
    ? nsPer(200_000, (i) => {
        const access: Access = { address: ((i * 0x400) % (span - 0x1000)) & ~0x3ff, size: 0x1000, kind: 'read', el: 2 };
        if (!mpu.check(access, CONTROL).allowed) throw new Error('unexpected refusal');
      })
    : NaN;

  const machine = new Machine({ ...DEFAULT_BOARD, mpuRegions: { el2: count, el1: 1 } }, mpu);
  const sctlr = register('SCTLR_EL2');
  machine.writeRegister(sctlr, machine.readRegister(sctlr) | 1n, 'debugger');
  const viaMachine = nsPer(500_000, (i) => {
    machine.readMemory((i * 0x48) % (span - 8), 8, { origin: 'debugger' });
  });
  rows.push(`| ${String(count).padStart(7)} | ${small.toFixed(0).padStart(19)} | ${Number.isNaN(large) ? '      (needs 4 regions)' : large.toFixed(0).padStart(23)} | ${viaMachine.toFixed(0).padStart(22)} |`);
}

/** MB/s of 1 MiB debugger reads through the machine (MPU check + sparse memory copy). */
function megabytesPerSecond(count: number): number {
  // One region per 1 MiB / count slice so that the read crosses every region.
  const slice = Math.max(0x40, Math.floor(0x10_0000 / count / 0x40) * 0x40);
  const mpu = mpuWithAdjacentRegions(count, slice);
  const machine = new Machine({ ...DEFAULT_BOARD, mpuRegions: { el2: count, el1: 1 } }, mpu);
  const sctlr = register('SCTLR_EL2');
  machine.writeRegister(sctlr, machine.readRegister(sctlr) | 1n, 'debugger');
  machine.writeMemory(0, new Uint8Array(count * slice).fill(0xa5), { origin: 'debugger' });
  const size = Math.min(0x10_0000, count * slice);
  const rounds = 200;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) {
    if (machine.readMemory(0, size, { origin: 'debugger' }).data.length !== size) throw new Error('short read');
  }
  const seconds = (performance.now() - start) / 1000;
  return (size * rounds) / seconds / 1e6;
}

for (const count of [1, 32, 255]) {
  rows.push(`1 MiB checked read with ${count} region(s) across it: ${megabytesPerSecond(count).toFixed(0)} MB/s`);
}

process.stdout.write(
  [
    `MPU check cost on Node ${process.version} (ns per checked access)`,
    '| regions | 8-byte read, 1 hit | 4 KiB read, 4+ regions | machine read (8 bytes) |',
    '|--------:|-------------------:|-----------------------:|-----------------------:|',
    ...rows.filter((r) => r.startsWith('|')),
    '',
    ...rows.filter((r) => !r.startsWith('|')),
    '',
  ].join('\n'),
);
