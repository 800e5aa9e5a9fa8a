// Booting a kernel with the built CLI: `mpustub boot` on the device tree walker ends each way
// it can (idle, --until, panic, fault, BRK, timeout, a kernel it cannot load) with its console,
// (and el0.S with --exceptions take: the kernel's own handlers take its task's faults)
// its verdict and its exit status; `serve --run` prints one line when the core stops with no
// debugger, with the console on stdout or in a --serial file, and a GDB that attaches later
// finds the core where it stopped or was running, and leaves it running; `--dump-dtb` writes
// the tree dtc reads; and the options it refuses.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decompile } from '../support/dtc.js';
import { runGdbCommands } from '../support/gdbBatch.js';
import { requireGdb } from '../support/gdb.js';
import { buildEl0Program, buildFdtWalkProgram } from '../support/programs.js';
import { RspClient } from '../support/rspClient.js';
import { CLI, startStubProcess, type StubProcess } from '../support/stubProcess.js';

let walker: string;
let dir: string;
let stub: StubProcess | undefined;

beforeAll(() => {
  walker = buildFdtWalkProgram();
  dir = mkdtempSync(join(tmpdir(), 'mpustub-boot-'));
});

afterEach(async () => {
  await stub?.stop();
  stub = undefined;
});

function boot(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'boot', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hex = (text: string): string => Buffer.from(text).toString('hex');

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('mpustub boot', () => {
  it('ends idle: the console, then the verdict; exit 0', () => {
    const r = boot(walker, '--append', 'console=dtuart dtuart=serial0');
    expect(r.stdout).toMatch(
      /^fdt_walk: device tree at 0x7fe00000, 0x[0-9a-f]+ bytes, model cortex-r82-fvp\nfdt_walk: console \/serial@9c090000\nfdt_walk: bootargs: console=dtuart dtuart=serial0\nfdt_walk: done\n/,
    );
    expect(r.stdout).toMatch(/\nmpustub boot: idle: the kernel is idle: the core waits in WFI with nothing to wake it at pc 0xc <idle>\nmpustub boot: \d+ instructions in \d+\.\d\d s; exit 0\n$/);
    expect(r.status).toBe(0);
  });

  it('ends well at --until, badly on a panic line, an undefined instruction or a BRK', () => {
    const reached = boot(walker, '--until', 'boot_main');
    expect(reached.stdout).toMatch(/^mpustub boot: until: the kernel reached boot_main at pc 0x[0-9a-f]+ <boot_main>\n/);
    expect(reached.status).toBe(0);
    const panic = boot(walker, '--append', 'panic');
    expect(panic.stdout).toContain('(XEN) Panic on CPU 0:\n(XEN) panic requested on the command line\n');
    expect(panic.stdout).toMatch(/mpustub boot: panic: the kernel panicked: "\(XEN\) Panic on CPU 0:"; the core was stopped at pc 0x[0-9a-f]+ <boot_main\+0x[0-9a-f]+>\n/);
    expect(panic.status).toBe(1);
    const fault = boot(walker, '--append', 'fault');
    expect(fault.stdout).toMatch(/mpustub boot: fault: the core stopped: undefined instruction 0x00000000 \(UDF \(all-zero instruction\)\) at pc 0x[0-9a-f]+ <boot_main\+0x[0-9a-f]+>\n/);
    expect(fault.status).toBe(1);
    const custom = boot(walker, '--append', 'hello', '--panic', '^fdt_walk: bootargs: hello$');
    expect(custom.stdout).toContain('mpustub boot: panic: the kernel panicked: "fdt_walk: bootargs: hello"');
    expect(custom.status).toBe(1);
  });

  it('lets the kernel handle its own faults with --exceptions take, and keeps only --panic with --no-panic-defaults', () => {
    const el0 = buildEl0Program(); // an EL1 kernel whose EL0 task faults on purpose, then ends with brk #1
    const stopped = boot(el0);
    expect(stopped.stdout).toMatch(/mpustub boot: fault: the core stopped: abort: read at 0x140000 from EL0 refused by the EL1&0 MPU: .* at pc 0x[0-9a-f]+ <el0_entry\+0x[0-9a-f]+>\n/);
    expect(stopped.status).toBe(1);
    const taken = boot(el0, '--exceptions', 'take');
    expect(taken.stdout).toMatch(/mpustub boot: fault: the core stopped: BRK #0x1 at pc 0x[0-9a-f]+ <el0_done>\n/);
    expect(boot(el0, '--exceptions', 'later').status).toBe(2);
    const assertion = boot(walker, '--append', 'ASSERT expected here');
    expect(assertion.stdout).toContain('mpustub boot: panic: the kernel panicked: "fdt_walk: bootargs: ASSERT expected here"');
    const quiet = boot(walker, '--append', 'ASSERT expected here', '--no-panic-defaults', '--panic', 'PROJECT EXECUTION FAILED');
    expect(quiet.stdout).toContain('mpustub boot: idle: the kernel is idle');
    expect(quiet.status).toBe(0);
  });

  it('answers in JSON with --json', () => {
    const r = boot(walker, '--json', '--append', 'brk');
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ kernel: walker, outcome: 'fault', exitCode: 1, stop: { kind: 'brk', what: 'BRK #0x3e8' } });
    expect((result['stop'] as { symbol: string }).symbol).toMatch(/^boot_main\+0x[0-9a-f]+$/);
    expect(result['console']).toEqual(expect.arrayContaining(['fdt_walk: bootargs: brk']));
    expect(result['instructions']).toBeGreaterThan(1000);
    expect(r.status).toBe(1);
  });

  it('gives up at --timeout, and on a kernel or device tree it cannot load: exit 2', () => {
    const spin = boot(walker, '--append', 'spin', '--timeout', '0.5');
    expect(spin.stdout).toMatch(/mpustub boot: timeout: no stop, idle or panic within 0\.5 s; the core was at pc 0x[0-9a-f]+\n/);
    expect(spin.status).toBe(2);
    const missing = boot('/nonexistent.elf', '--json');
    expect(JSON.parse(missing.stdout)).toMatchObject({ outcome: 'error', exitCode: 2, error: 'cannot read kernel /nonexistent.elf: ENOENT' });
    expect(missing.status).toBe(2);
    const badDtb = boot(walker, '--dtb', CLI);
    expect(badDtb.stderr).toContain(`mpustub: error: device tree ${CLI}: not a flattened device tree`);
    expect(badDtb.status).toBe(2);
    expect(boot(walker, '--timeout', 'soon').status).toBe(2);
  });
});

describe('mpustub serve --run', () => {
  it('prints one line when the core stops with no debugger; GDB attaching later finds it there', async () => {
    const console = join(dir, 'console.txt');
    stub = await startStubProcess(['--api-port', 'off', '--scenario', 'none', '--kernel', walker, '--run', '--append', 'fault', '--serial', `file:${console}`]);
    await until(() => stub!.stderr().includes('stopped with no debugger'), 'the stop line');
    const line = new RegExp(
      `^mpustub: the core stopped with no debugger attached: undefined instruction 0x00000000 \\(UDF \\(all-zero instruction\\)\\) at pc (0x[0-9a-f]+) <boot_main\\+0x[0-9a-f]+>, after \\d+ instructions; attach with: gdb-multiarch ${walker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} -ex 'target remote 127\\.0\\.0\\.1:${stub.port}'$`,
      'm',
    ).exec(stub.stderr());
    expect(line, stub.stderr()).not.toBeNull();
    expect(readFileSync(console, 'latin1')).toContain('fdt_walk: bootargs: fault\n');

    const gdb = await RspClient.connect(stub.port);
    expect(await gdb.request('?')).toMatch(/^T04thread:/);
    const pc = Buffer.from(await gdb.request('p20'), 'hex').readBigUInt64LE(0);
    expect(`0x${pc.toString(16)}`).toBe(line![1]);
    // Detached, the core runs again: the same instruction stops it again.
    expect(await gdb.request('D')).toBe('OK');
    await until(() => stub!.stderr().split('stopped with no debugger').length === 3, 'the second stop line');
  });

  it('halts for gdb-multiarch where it runs, and runs on once GDB has gone', async () => {
    requireGdb();
    stub = await startStubProcess(['--api-port', 'off', '--scenario', 'none', '--kernel', walker, '--run', '--append', 'spin']);
    const gdb = await runGdbCommands(stub.port, [`file ${walker}`, 'x/i $pc', 'monitor info']);
    expect(gdb.output).toMatch(/=> 0x[0-9a-f]+ <boot_main\+\d+>:/);
    const halted = /core: halted at pc 0x[0-9a-f]+, EL2; (\d+) instructions executed/.exec(gdb.output);
    expect(halted, gdb.output).not.toBeNull();
    const again = await RspClient.connect(stub.port);
    again.send(`qRcmd,${hex('info')}`);
    const info = (await again.reply()).console;
    expect(Number(/; (\d+) instructions executed/.exec(info)![1])).toBeGreaterThan(Number(halted![1]));
    again.close();
  });

  it('boots a --kernel from reset (MPU off, no scenario) unless --scenario names one', async () => {
    const SCTLR_EL2 = ((3 << 14) | (4 << 11) | (1 << 7)).toString(16);
    const sctlrM = async (args: string[]): Promise<bigint> => {
      stub = await startStubProcess(['--api-port', 'off', ...args]);
      const client = await RspClient.connect(stub.port);
      const le = Buffer.from(await client.request(`p${SCTLR_EL2}`), 'hex');
      client.close();
      await stub.stop();
      stub = undefined;
      return le.readBigUInt64LE(0) & 1n;
    };
    expect(await sctlrM(['--kernel', walker])).toBe(0n);
    expect(await sctlrM(['--kernel', walker, '--scenario', 'default'])).toBe(1n); // Xen's boot mappings, MPU on
    expect(await sctlrM([])).toBe(1n); // without a kernel: the board as Xen's boot leaves it
  });

  it('prints the console on stdout by default with --kernel', async () => {
    stub = await startStubProcess(['--api-port', 'off', '--scenario', 'none', '--kernel', walker, '--run', '--append', 'hello']);
    await until(() => stub!.stderr().includes('waits in WFI'), 'the idle line');
    expect(stub.stderr()).toMatch(/mpustub: the core waits in WFI with nothing to wake it at pc 0xc <idle>, after \d+ instructions; attach with: gdb-multiarch /);
    expect(stub.stdout()).toMatch(/^gdb: target remote 127\.0\.0\.1:\d+\nfdt_walk: device tree at 0x7fe00000, .*\nfdt_walk: console \/serial@9c090000\nfdt_walk: bootargs: hello\nfdt_walk: done\n$/);
  });

  it('says where --serial tcp:0 listens, and serves the console there', async () => {
    stub = await startStubProcess(['--api-port', 'off', '--scenario', 'none', '--kernel', walker, '--run', '--append', 'hello', '--serial', 'tcp:0']);
    await until(() => /^serial: tcp 127\.0\.0\.1:\d+$/m.test(stub!.stdout()), 'the serial line');
    const port = Number(/^serial: tcp 127\.0\.0\.1:(\d+)$/m.exec(stub.stdout())![1]);
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8').on('data', (c: string) => (text += c));
    await until(() => text.endsWith('fdt_walk: done\n'), 'the console over TCP');
    expect(text).toContain('fdt_walk: bootargs: hello\n');
    socket.destroy();
  });

  it('writes the device tree with --dump-dtb, and refuses --append or --dtb without --kernel', () => {
    const file = join(dir, 'board.dtb');
    const dump = spawnSync(process.execPath, [CLI, 'serve', '--dump-dtb', file, '--append', 'console=dtuart'], { encoding: 'utf8' });
    expect(dump.status).toBe(0);
    expect(decompile(readFileSync(file)).nodes.get('/chosen')!.get('bootargs')).toBe('"console=dtuart"');
    const noKernel = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--api-port', 'off', '--append', 'x'], { encoding: 'utf8' });
    expect(noKernel.stderr).toContain('mpustub: error: --dtb and --append need --kernel');
    expect(noKernel.status).toBe(2);
    const badSerial = spawnSync(process.execPath, [CLI, 'serve', '--serial', 'pty'], { encoding: 'utf8' });
    expect(badSerial.stderr).toContain('--serial: "pty" is not one of');
    expect(badSerial.status).toBe(2);
  });
});
