// The harness the differential tests share: random register values, and running the same
// instruction sequences under qemu-aarch64 (one static Linux program for a whole batch of
// cases) and in the interpreter — one instruction at a time, or through translated blocks —
// with the registers, NZCV and, for memory cases, a 4 KiB buffer to compare afterwards. Needs
// gcc-aarch64-linux-gnu and qemu-user (installed by .ci/run): the tests fail, not skip,
// without them.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { Interpreter } from '../../../src/machine/cpu/interpreter.js';
import { createMachine } from '../../../src/wiring.js';
import type { XorShift32 } from '../../../src/util/random.js';

/** A register value, biased towards the edge cases (0, all ones, small, sign bit). */
export function randomU64(r: XorShift32): bigint {
  const pick = r.below(6);
  if (pick === 0) return 0n;
  if (pick === 1) return 0xffff_ffff_ffff_ffffn;
  if (pick === 2) return BigInt(r.below(256));
  if (pick === 3) return 0x8000_0000_0000_0000n | BigInt(r.next());
  return (BigInt(r.next()) << 32n) | BigInt(r.next());
}

/** x24..x28 point into the buffer aligned to 16, 8, 4, 2 and 1 bytes (and no more). */
export const POINTERS = [24, 25, 26, 27, 28] as const;
export const ALIGNMENT: Record<(typeof POINTERS)[number], number> = { 24: 16, 25: 8, 26: 4, 27: 2, 28: 1 };

/** Pointers in one 128-byte window at the middle of the buffer, so that the accesses overlap. */
export function randomPointers(r: XorShift32): Array<[number, number]> {
  return POINTERS.map((reg) => {
    const align = ALIGNMENT[reg];
    const offset = 2048 + (align === 16 ? 16 * r.below(8) : align + 2 * align * r.below(64 / align));
    return [reg, offset];
  });
}

export interface Case {
  readonly registers: bigint[];
  readonly nzcv: number;
  readonly instructions: number[];
}

export function tool(name: string): void {
  if (spawnSync(name, ['--version']).status !== 0) throw new Error(`${name} is needed: apt-get install gcc-aarch64-linux-gnu qemu-user`);
}

/** Runs every case in one static program under qemu-aarch64; returns x0..x28 and NZCV per case. */
export function runOnQemu(cases: Case[]): Array<{ registers: bigint[]; nzcv: number }> {
  const lines = ['.text', '.global _start', '_start:'];
  const data = ['.data', '.balign 16'];
  cases.forEach((c, k) => {
    lines.push(`  adr x29, in${k}`, '  ldr x30, [x29, #232]', '  msr nzcv, x30');
    for (let r = 0; r < 29; r++) lines.push(`  ldr x${r}, [x29, #${r * 8}]`);
    for (const i of c.instructions) lines.push(`  .inst 0x${i.toString(16).padStart(8, '0')}`);
    lines.push(`  ldr x29, =out${k}`);
    for (let r = 0; r < 29; r++) lines.push(`  str x${r}, [x29, #${r * 8}]`);
    lines.push('  mrs x30, nzcv', '  str x30, [x29, #232]');
    lines.push('  b 1f', '  .ltorg', `  .balign 8`, `in${k}:`);
    for (const v of c.registers) lines.push(`  .quad 0x${v.toString(16)}`);
    lines.push(`  .quad 0x${((c.nzcv << 28) >>> 0).toString(16)}`, '1:');
    data.push(`out${k}: .skip 240`);
  });
  lines.push('  mov x0, #1', '  ldr x1, =out0', `  ldr x2, =${cases.length * 240}`, '  mov x8, #64', '  svc #0', '  mov x0, #0', '  mov x8, #93', '  svc #0', '  .ltorg');
  const dir = mkdtempSync(join(tmpdir(), 'a64-'));
  writeFileSync(join(dir, 'p.S'), [...lines, ...data, ''].join('\n'));
  const cc = spawnSync('aarch64-linux-gnu-gcc', ['-nostdlib', '-static', '-o', join(dir, 'p'), join(dir, 'p.S')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(cc.stderr);
  const run = spawnSync('qemu-aarch64', [join(dir, 'p')], { maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`qemu-aarch64 exited ${run.status}: ${run.stderr?.toString()}`);
  const out = run.stdout;
  return cases.map((_, k) => ({
    registers: Array.from({ length: 29 }, (_, r) => out.readBigUInt64LE(k * 240 + r * 8)),
    nzcv: Number(out.readBigUInt64LE(k * 240 + 232) >> 28n) & 15,
  }));
}

/** Instructions run, and how many of them ran translated, over every case (to prove the translator was exercised). */
export const coverage = { executed: 0, translated: 0 };

/**
 * Runs a case's instructions (loaded at 0x1000) until pc reaches their end: one instruction at
 * a time through the interpreter, or through `run` and its translated blocks.
 */
export function execute(machine: ReturnType<typeof createMachine>, instructions: number[], translate: boolean): void {
  const interpreter = new Interpreter(machine);
  interpreter.translate = translate;
  interpreter.translateThreshold = 1; // each case runs once: translate on first sight
  const code = new Uint8Array(instructions.length * 4);
  instructions.forEach((i, k) => new DataView(code.buffer).setUint32(k * 4, i, true));
  machine.writeMemory(0x1000, code, { origin: 'debugger' });
  machine.writeRegister(register('pc'), 0x1000n, 'debugger');
  const end = 0x1000 + code.length;
  const show = (v: unknown): string => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString(16) : x));
  if (translate) {
    const outcome = interpreter.run(instructions.length + 1, new Set([end]));
    coverage.executed += interpreter.executed;
    coverage.translated += interpreter.executedTranslated;
    if (outcome.kind !== 'breakpoint' || machine.core.pc !== BigInt(end)) throw new Error(`run: ${show(outcome)} at 0x${machine.core.pc.toString(16)}`);
    return;
  }
  while (machine.core.pc !== BigInt(end)) {
    const outcome = interpreter.step();
    if (outcome.kind !== 'ok') throw new Error(`step: ${show(outcome)}`);
  }
}

export function runOnInterpreter(c: Case, translate: boolean): { registers: bigint[]; nzcv: number } {
  const machine = createMachine(DEFAULT_BOARD);
  c.registers.forEach((v, r) => (machine.core.x[r] = v));
  machine.core.cpsr = ((machine.core.cpsr & 0x0fff_ffff) | (c.nzcv << 28)) >>> 0;
  execute(machine, c.instructions, translate);
  return { registers: Array.from(machine.core.x.subarray(0, 29)), nzcv: (machine.core.cpsr >>> 28) & 15 };
}

export interface MemoryCase extends Case {
  readonly memory: Uint8Array;
  /** Registers set to point into the buffer, after the random values: [register, offset from its start]. */
  readonly pointers: ReadonlyArray<readonly [number, number]>;
}

export interface MemoryResult {
  registers: bigint[];
  nzcv: number;
  memory: Uint8Array;
}

/**
 * Each case copies its 4 KiB into `buffer` and sets its pointers into it; `cpu` picks QEMU's
 * CPU model (its default, max, zeroes 512-byte blocks with DC ZVA).
 */
export function runMemoryCasesOnQemu(cases: MemoryCase[], cpu?: string): { results: MemoryResult[]; buffer: number } {
  const lines = ['.text', '.global _start', '_start:'];
  cases.forEach((c, k) => {
    lines.push(`  adr x1, mem${k}`, '  ldr x2, =buffer', '  mov x3, #512');
    lines.push('2:', '  ldr x4, [x1], #8', '  str x4, [x2], #8', '  subs x3, x3, #1', '  b.ne 2b');
    lines.push(`  adr x29, in${k}`, '  ldr x30, [x29, #232]', '  msr nzcv, x30');
    for (let i = 0; i < 29; i++) lines.push(`  ldr x${i}, [x29, #${i * 8}]`);
    for (const [r, offset] of c.pointers) lines.push(`  ldr x${r}, =buffer + ${offset}`);
    for (const i of c.instructions) lines.push(`  .inst 0x${i.toString(16).padStart(8, '0')}`);
    lines.push(`  ldr x29, =out${k}`);
    for (let i = 0; i < 29; i++) lines.push(`  str x${i}, [x29, #${i * 8}]`);
    lines.push('  mrs x30, nzcv', '  str x30, [x29, #232]');
    lines.push('  ldr x1, =buffer', '  add x2, x29, #240', '  mov x3, #512');
    lines.push('3:', '  ldr x4, [x1], #8', '  str x4, [x2], #8', '  subs x3, x3, #1', '  b.ne 3b');
    lines.push('  b 1f', '  .ltorg', '  .balign 8', `in${k}:`);
    for (const v of c.registers) lines.push(`  .quad 0x${v.toString(16)}`);
    lines.push(`  .quad 0x${((c.nzcv << 28) >>> 0).toString(16)}`, `mem${k}:`);
    for (let b = 0; b < 4096; b += 8) lines.push(`  .quad 0x${Buffer.from(c.memory.subarray(b, b + 8)).readBigUInt64LE().toString(16)}`);
    lines.push('1:');
  });
  const stride = 240 + 4096;
  lines.push('  mov x0, #1', '  ldr x1, =out0', `  ldr x2, =${cases.length * stride}`, '  mov x8, #64', '  svc #0', '  mov x0, #0', '  mov x8, #93', '  svc #0', '  .ltorg');
  const data = ['.data', '.balign 4096', '.global buffer', 'buffer: .skip 4096', ...cases.map((_, k) => `out${k}: .skip ${stride}`)];
  const dir = mkdtempSync(join(tmpdir(), 'a64m-'));
  writeFileSync(join(dir, 'p.S'), [...lines, ...data, ''].join('\n'));
  const cc = spawnSync('aarch64-linux-gnu-gcc', ['-nostdlib', '-static', '-o', join(dir, 'p'), join(dir, 'p.S')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(cc.stderr);
  const nm = spawnSync('aarch64-linux-gnu-nm', [join(dir, 'p')], { encoding: 'utf8' });
  const buffer = parseInt(/^([0-9a-f]+) [Bb] buffer$/m.exec(nm.stdout)?.[1] ?? /^([0-9a-f]+) [Dd] buffer$/m.exec(nm.stdout)![1]!, 16);
  const run = spawnSync('qemu-aarch64', [...(cpu ? ['-cpu', cpu] : []), join(dir, 'p')], { maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`qemu-aarch64 exited ${run.status}: ${run.stderr?.toString()}`);
  const out = run.stdout;
  return {
    buffer,
    results: cases.map((_, k) => ({
      registers: Array.from({ length: 29 }, (_, i) => out.readBigUInt64LE(k * stride + i * 8)),
      nzcv: Number(out.readBigUInt64LE(k * stride + 232) >> 28n) & 15,
      memory: new Uint8Array(out.subarray(k * stride + 240, k * stride + 240 + 4096)),
    })),
  };
}

/** The same case with the buffer at the address it has in the Linux program. */
export function runMemoryCaseOnInterpreter(c: MemoryCase, buffer: number, translate: boolean): MemoryResult {
  const machine = createMachine(DEFAULT_BOARD);
  c.registers.forEach((v, r) => (machine.core.x[r] = v));
  for (const [r, offset] of c.pointers) machine.core.x[r] = BigInt(buffer + offset);
  machine.core.cpsr = ((machine.core.cpsr & 0x0fff_ffff) | (c.nzcv << 28)) >>> 0;
  machine.writeMemory(buffer, c.memory, { origin: 'debugger' });
  execute(machine, c.instructions, translate);
  return {
    registers: Array.from(machine.core.x.subarray(0, 29)),
    nzcv: (machine.core.cpsr >>> 28) & 15,
    memory: machine.readMemory(buffer, 4096, { origin: 'debugger' }).data,
  };
}

/**
 * Runs memory cases on QEMU and on the core (interpreted, then translated) and lists every case
 * whose registers, NZCV or memory differ, named by its instruction words.
 */
export function memoryMismatches(cases: MemoryCase[], cpu?: string): string[] {
  const reference = runMemoryCasesOnQemu(cases, cpu);
  const mismatches: string[] = [];
  cases.forEach((c, k) => {
    for (const translate of [false, true]) {
      const theirs = reference.results[k]!;
      const ours = runMemoryCaseOnInterpreter(c, reference.buffer, translate);
      const regs = ours.registers.map((v, i) => (v !== theirs.registers[i] ? `x${i}` : '')).filter(Boolean);
      const memory = Buffer.compare(Buffer.from(ours.memory), Buffer.from(theirs.memory)) !== 0;
      if (regs.length || ours.nzcv !== theirs.nzcv || memory) {
        mismatches.push(`case ${k}${translate ? ' translated' : ''} [${c.instructions.map((i) => i.toString(16).padStart(8, '0')).join(' ')}] ${regs.join(',')}${ours.nzcv !== theirs.nzcv ? ' nzcv' : ''}${memory ? ' memory' : ''}`);
      }
    }
  });
  return mismatches;
}
