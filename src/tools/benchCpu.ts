// `npm run bench:cpu`: MIPS of the interpreter on a compute loop (test/programs/loop.c),
// with QEMU (TCG, user mode) running the same loop as the reference in the same run. Needs
// gcc-aarch64-linux-gnu and qemu-user. QEMU's rate is the interpreter's instruction count
// for the loop divided by QEMU's wall time (QEMU does not count instructions itself), once
// with QEMU's process start and translation included, once without: the wall time of the loop
// run ten times as long, less that of one round, for nine rounds in ten. mpustub's translated
// runs each start a fresh machine; the first also starts V8 cold on the loop's code, the others
// find the compiled regions translator.ts shares by source, so the first is reported apart; the
// long loop runs on mpustub too, the comparison without start-up on either side.

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
const LONG = 10;
const linuxOneRound = join(dir, 'loop-linux-1');
const linuxLong = join(dir, 'loop-linux-long');
const bareLong = join(dir, 'loop-long.elf');
build([...FLAGS, '-DROUNDS=1', '-DRESULT_SYMBOL=loop_result', '-DRESULT_BYTES=8', '-o', linuxOneRound, join(PROGRAMS, 'linux.S'), join(PROGRAMS, 'loop.c')]);
build([...FLAGS, `-DROUNDS=${LONG * rounds}`, '-DRESULT_SYMBOL=loop_result', '-DRESULT_BYTES=8', '-o', linuxLong, join(PROGRAMS, 'linux.S'), join(PROGRAMS, 'loop.c')]);
build(['-march=armv8-r', ...FLAGS, `-DROUNDS=${LONG * rounds}`, '-T', join(PROGRAMS, 'link.ld'), '-o', bareLong, join(PROGRAMS, 'baremetal.S'), join(PROGRAMS, 'loop.c')]);

const image = readKernelImage(bare);
const imageLong = readKernelImage(bareLong);

/** Runs the loop to its BRK on a fresh machine: seconds, instructions, and the result bytes. */
function measure(translate: boolean, long = false): { seconds: number; count: number; result: Uint8Array } {
  const machine = createMachine(DEFAULT_BOARD);
  const interpreter = new Interpreter(machine);
  interpreter.translate = translate;
  placeKernel(machine, long ? imageLong : image, long ? bareLong : bare);
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
const translatedRuns = Array.from({ length: RUNS }, () => measure(true));
const cold = translatedRuns[0]!;
const translated = median(translatedRuns, (m) => m.seconds);
const translatedLong = measure(true, true);
const count = translated.count;
const rate = (m: { seconds: number; count: number }): number => m.count / m.seconds / 1e6;
const mips = (m: { seconds: number; count: number }): string => rate(m).toFixed(1);

/** QEMU's median wall time on `program`, interleaved with the other program's runs. */
const qemuTimes: Record<string, number[]> = { [linux]: [], [linuxOneRound]: [], [linuxLong]: [] };
let q: ReturnType<typeof spawnSync> | undefined;
let qLong: ReturnType<typeof spawnSync> | undefined;
for (let k = 0; k < RUNS; k++) {
  for (const program of [linux, linuxOneRound, linuxLong]) {
    const started = performance.now();
    const run = spawnSync('qemu-aarch64', [program]);
    qemuTimes[program]!.push((performance.now() - started) / 1000);
    if (program === linux && (q === undefined || run.status !== 0)) q = run;
    if (program === linuxLong && (qLong === undefined || run.status !== 0)) qLong = run;
  }
}
const qemu = median(qemuTimes[linux]!, (t) => t);
const qemuStart = median(qemuTimes[linuxOneRound]!, (t) => t);
const qemuLong = median(qemuTimes[linuxLong]!, (t) => t);
const qemuOk = q?.status === 0 && qLong?.status === 0;
// A round is count / rounds instructions (the set-up before the loop is a few hundred in millions).
const qemuLoopOnly = { count: ((LONG * rounds - 1) * count) / rounds, seconds: qemuLong - qemuStart };
const qemuRate = count / qemu / 1e6;
const ratio = (mine: number, theirs: number): string => `${(mine / theirs).toFixed(2)}x`;
const same =
  qemuOk &&
  interpreted.count === translated.count &&
  q !== undefined &&
  translatedRuns.every((m) => m.count === count && Buffer.compare(Buffer.from(m.result), q!.stdout as Buffer) === 0) &&
  Buffer.compare(Buffer.from(interpreted.result), q.stdout as Buffer) === 0 &&
  qLong !== undefined &&
  Buffer.compare(Buffer.from(translatedLong.result), qLong.stdout as Buffer) === 0;

process.stdout.write(
  [
    `compute loop: ${count} instructions (${rounds} rounds)`,
    `mpustub, interpreted only: ${interpreted.seconds.toFixed(2)} s, ${mips(interpreted)} MIPS`,
    `mpustub, translated, first run (V8 cold): ${cold.seconds.toFixed(3)} s, ${mips(cold)} MIPS`,
    `mpustub, translated (median of ${RUNS}): ${translated.seconds.toFixed(3)} s, ${mips(translated)} MIPS`,
    ...(qemuOk
      ? [
          `QEMU ${spawnSync('qemu-aarch64', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]} (TCG, user mode, median of ${RUNS}): ${qemu.toFixed(3)} s, ~${qemuRate.toFixed(0)} MIPS (process start included)`,
          `QEMU, ${LONG}x the rounds less 1 round (${qemuLong.toFixed(3)} s - ${qemuStart.toFixed(3)} s), without its process start: ~${rate(qemuLoopOnly).toFixed(0)} MIPS`,
          `mpustub, translated, ${LONG}x the rounds (${translatedLong.count} instructions): ${translatedLong.seconds.toFixed(3)} s, ${mips(translatedLong)} MIPS`,
          `mpustub vs QEMU: ${ratio(rate(translated), qemuRate)} (median run against QEMU with its start); ${ratio(rate(translatedLong), rate(qemuLoopOnly))} (${LONG}x rounds against QEMU without its start)`,
        ]
      : ['QEMU: qemu-aarch64 not available']),
    `results (and instruction counts) agree with QEMU: ${same ? 'yes' : 'NO'}`,
    '',
  ].join('\n'),
);
if (qemuOk && !same) process.exit(1);
