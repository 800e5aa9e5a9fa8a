// Builds the aarch64 test programs of test/programs/ with Debian's cross compiler: bare-metal
// ELF images for the board (linked by link.ld) and, for integer.c, a Linux build whose output
// under qemu-aarch64 is the reference; calls.c with debug information for the front-end
// tests; shadow_table.c, a kernel with a Xen-shaped MPU table, with its bug and fixed. Missing
// tools fail the tests with instructions.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = fileURLToPath(new URL('../programs/', import.meta.url));
const CC = 'aarch64-linux-gnu-gcc';
const FLAGS = ['-O2', '-ffreestanding', '-fno-builtin', '-mgeneral-regs-only', '-nostdlib', '-static', '-Wl,--build-id=none'];

function run(command: string, args: string[]): Buffer {
  const result = spawnSync(command, args, { maxBuffer: 1 << 24 });
  if (result.error) throw new Error(`${command} is needed for the execution tests: apt-get install gcc-aarch64-linux-gnu qemu-user (${result.error.message})`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr.toString()}`);
  return result.stdout;
}

export interface BuiltPrograms {
  /** mpu_fault.S: Xen-like MPU set-up, then a store to a read-only region. */
  readonly mpuFault: string;
  /** integer.c for the board. */
  readonly integer: string;
  /** What integer.c's results[] holds when it runs under qemu-aarch64. */
  readonly integerExpected: string;
}

const BARE = ['-march=armv8-r', ...FLAGS, '-T', join(SOURCES, 'link.ld')];

/** mpu_fault.S alone, for tests that need no reference run (no qemu-user). */
export function buildMpuFaultProgram(): string {
  const mpuFault = join(mkdtempSync(join(tmpdir(), 'mpustub-programs-')), 'mpu_fault.elf');
  run(CC, [...BARE, '-o', mpuFault, join(SOURCES, 'mpu_fault.S')]);
  return mpuFault;
}

export function buildPrograms(): BuiltPrograms {
  const out = mkdtempSync(join(tmpdir(), 'mpustub-programs-'));
  const mpuFault = join(out, 'mpu_fault.elf');
  run(CC, [...BARE, '-o', mpuFault, join(SOURCES, 'mpu_fault.S')]);
  const integer = join(out, 'integer.elf');
  run(CC, [...BARE, '-o', integer, join(SOURCES, 'baremetal.S'), join(SOURCES, 'integer.c')]);
  const linux = join(out, 'integer-linux');
  run(CC, [...FLAGS, '-DRESULT_SYMBOL=results', '-DRESULT_BYTES=384', '-o', linux, join(SOURCES, 'linux.S'), join(SOURCES, 'integer.c')]);
  const integerExpected = join(out, 'integer-expected.bin');
  writeFileSync(integerExpected, run('qemu-aarch64', [linux]));
  return { mpuFault, integer, integerExpected };
}

/**
 * boot.S: an MPU hypervisor's early boot — ID probes, cache maintenance, MPU, GICv3 bring-up,
 * a timer interrupt taken in WFI, an SGI. Needs only the cross compiler.
 */
export function buildBootProgram(): string {
  const boot = join(mkdtempSync(join(tmpdir(), 'mpustub-boot-')), 'boot.elf');
  run(CC, [...BARE, '-o', boot, join(SOURCES, 'boot.S')]);
  return boot;
}

/**
 * el0.S: EL2 drops to an EL1 kernel and it to an EL0 task; HVC, SVC at EL1 and EL0, an EL0
 * access the EL1 MPU refuses, an HVC UNDEFINED at EL0. Needs only the cross compiler.
 */
export function buildEl0Program(): string {
  const el0 = join(mkdtempSync(join(tmpdir(), 'mpustub-el0-')), 'el0.elf');
  run(CC, [...BARE, '-o', el0, join(SOURCES, 'el0.S')]);
  return el0;
}

/**
 * calls.c for the board, built -O0 -g: source lines to step through and nested calls whose
 * frames GDB unwinds with the .eh_frame that link.ld keeps. Needs only the cross compiler.
 */
export function buildCallsProgram(): string {
  const out = mkdtempSync(join(tmpdir(), 'mpustub-calls-'));
  const calls = join(out, 'calls.elf');
  const flags = FLAGS.map((flag) => (flag === '-O2' ? '-O0' : flag));
  run(CC, ['-march=armv8-r', '-g', ...flags, '-T', join(SOURCES, 'link.ld'), '-o', calls, join(SOURCES, 'baremetal.S'), join(SOURCES, 'calls.c')]);
  return calls;
}

/**
 * shadow_table.c for the board, built -O2 -g (GDB reads its table through the debug
 * information): with its deliberate bug (entry 3 recorded, region 4 programmed), or fixed.
 */
export function buildShadowTableProgram(variant: 'buggy' | 'fixed'): string {
  const out = mkdtempSync(join(tmpdir(), 'mpustub-shadow-'));
  const elf = join(out, `shadow_table-${variant}.elf`);
  const define = variant === 'fixed' ? ['-DSHADOW_TABLE_FIXED'] : [];
  run(CC, [...BARE, '-g', ...define, '-o', elf, join(SOURCES, 'baremetal.S'), join(SOURCES, 'shadow_table.c')]);
  return elf;
}

/**
 * fdt_walk.c with its entry fdt_start.S: a kernel that reads the device tree at x0, prints
 * its bootargs to the console the tree names, then idles, panics or faults as they ask.
 */
export function buildFdtWalkProgram(): string {
  const out = mkdtempSync(join(tmpdir(), 'mpustub-fdt-'));
  const elf = join(out, 'fdt_walk.elf');
  run(CC, [...BARE, '-o', elf, join(SOURCES, 'fdt_start.S'), join(SOURCES, 'fdt_walk.c')]);
  return elf;
}
