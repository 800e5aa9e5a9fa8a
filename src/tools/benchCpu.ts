// `npm run bench:cpu`: MIPS of the interpreter on a compute loop (test/programs/loop.c),
// with QEMU (TCG, user mode) running the same loop as the reference in the same run. Needs
// gcc-aarch64-linux-gnu and qemu-user. QEMU's rate is the interpreter's instruction count
// for the loop divided by QEMU's wall time (QEMU does not count instructions itself).

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { DEFAULT_BOARD } from '../machine/board.js';
import { Interpreter } from '../machine/cpu/interpreter.js';
import { placeKernel, readKernelImage } from '../elf/kernelImage.js';
import { createMachine } from '../wiring.js';

const PROGRAMS = fileURLToPath(new URL('../../test/programs/', import.meta.url));
const FLAGS = ['-O2', '-ffreestanding', '-fno-builtin', '-mgeneral-regs-only', '-nostdlib', '-static', '-Wl,--build-id=none'];
const rounds = Number(process.argv[2] ?? 20_000);

function build(args: string[]): void {
  const r = spawnSync('aarch64-linux-gnu-gcc', args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`aarch64-linux-gnu-gcc failed (apt-get install gcc-aarch64-linux-gnu): ${r.error?.message ?? r.stderr}`);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-cpu-'));
const bare = join(dir, 'loop.elf');
const linux = join(dir, 'loop-linux');
build(['-march=armv8-r', ...FLAGS, `-DROUNDS=${rounds}`, '-T', join(PROGRAMS, 'link.ld'), '-o', bare, join(PROGRAMS, 'baremetal.S'), join(PROGRAMS, 'loop.c')]);
build([...FLAGS, `-DROUNDS=${rounds}`, '-DRESULT_SYMBOL=loop_result', '-DRESULT_BYTES=8', '-o', linux, join(PROGRAMS, 'linux.S'), join(PROGRAMS, 'loop.c')]);

const image = readKernelImage(bare);

/** Runs the loop to its BRK on a fresh machine: seconds, instructions, and the result bytes. */
function measure(translate: boolean): { seconds: number; count: number; result: Uint8Array } {
  const machine = createMachine(DEFAULT_BOARD);
  const interpreter = new Interpreter(machine);
  interpreter.translate = translate;
  placeKernel(machine, image, bare);
  const started = performance.now();
  for (;;) {
    const outcome = interpreter.run(1_000_000, new Set());
    if (outcome.kind === 'brk') break;
    if (outcome.kind !== 'limit') throw new Error(`the loop stopped: ${outcome.kind}`);
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, count: interpreter.executed, result: machine.readMemory(0x10_0000, 8, { origin: 'debugger' }).data };
}

const RUNS = 5;
const median = <T>(runs: T[], seconds: (t: T) => number): T => [...runs].sort((a, b) => seconds(a) - seconds(b))[runs.length >> 1]!;

// The interpreted-only run takes seconds: once is enough. The fast ones: the median of five.
const interpreted = measure(false);
const translated = median(Array.from({ length: RUNS }, () => measure(true)), (m) => m.seconds);
const count = translated.count;
const mips = (m: { seconds: number; count: number }): string => (m.count / m.seconds / 1e6).toFixed(1);

const qemuRuns = Array.from({ length: RUNS }, () => {
  const started = performance.now();
  const run = spawnSync('qemu-aarch64', [linux]);
  return { run, seconds: (performance.now() - started) / 1000 };
});
const { run: q, seconds: qemu } = median(qemuRuns, (r) => r.seconds);
const qemuOk = q.status === 0;
const same =
  qemuOk &&
  interpreted.count === translated.count &&
  Buffer.compare(Buffer.from(interpreted.result), q.stdout) === 0 &&
  Buffer.compare(Buffer.from(translated.result), q.stdout) === 0;

process.stdout.write(
  [
    `compute loop: ${count} instructions (${rounds} rounds)`,
    `mpustub, interpreted only: ${interpreted.seconds.toFixed(2)} s, ${mips(interpreted)} MIPS`,
    `mpustub, translated blocks (median of ${RUNS}): ${translated.seconds.toFixed(3)} s, ${mips(translated)} MIPS`,
    qemuOk ? `QEMU ${spawnSync('qemu-aarch64', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]} (TCG, user mode, median of ${RUNS}): ${qemu.toFixed(3)} s, ~${(count / qemu / 1e6).toFixed(0)} MIPS (process start included)` : 'QEMU: qemu-aarch64 not available',
    `results (and instruction counts) agree with QEMU: ${same ? 'yes' : 'NO'}`,
    '',
  ].join('\n'),
);
if (qemuOk && !same) process.exit(1);
