// Real LLDB (lldb-16, batch mode) against the built stub: it loads test/programs/mpu_fault.S
// itself, reads core and system registers, lists the MPU map with `memory region`, stops at a
// breakpoint and on a watchpoint (reported before the access, so LLDB steps over the store and
// shows the new value), steps, runs monitor commands and kills; then a second LLDB finds the
// board as the first left it, interrupts a running core and detaches. The two tests share one
// stub and run in order, as one debugging session after another would.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMpuFaultProgram } from '../support/programs.js';
import { lldbAvailable, runLldb, startLldb } from '../support/lldb.js';
import { startStubProcess, type StubProcess } from '../support/stubProcess.js';

const available = lldbAvailable();

describe.skipIf(!available)('real LLDB against mpustub', () => {
  let elf: string;
  let stub: StubProcess;
  let connect: string;

  beforeAll(async () => {
    elf = buildMpuFaultProgram();
    // --trace-rsp: the interrupt test waits for the resume packet in the stub's log.
    stub = await startStubProcess(['--scenario', 'none', '--api-port', 'off', '--trace-rsp']);
    connect = `gdb-remote 127.0.0.1:${stub.port}`;
  }, 60_000);

  afterAll(async () => {
    await stub?.stop();
  });

  /** The line of `memory region` output for the stretch starting at `start`, name included. */
  const regionLine = (start: bigint, end: bigint, rights: string, name: string): string =>
    `[0x${start.toString(16).padStart(16, '0')}-0x${end.toString(16).padStart(16, '0')}) ${rights} ${name}`;

  it('loads, reads registers and the MPU map, breaks, watches, steps and kills', async () => {
    const run = await runLldb([
      `target create ${elf}`,
      connect,
      'target modules load --load --slide 0',
      'register read pc SCTLR_EL2 MPUIR_EL2',
      'breakpoint set --name regions_ready',
      'continue',
      'register read PRBAR1_EL2 PRLAR1_EL2',
      'memory region --all',
      'memory region 0x100008',
      'watchpoint set expression --watch write --size 8 -- 0x100000',
      'continue',
      'memory read --format x --size 8 --count 1 0x100000',
      // FPU registers are outside `g`: written now, read back after the step has dropped
      // LLDB's register cache, so the values come from the stub.
      'register write v0 "{0x88 0x77 0x66 0x55 0x44 0x33 0x22 0x11 0x00 0xff 0xee 0xdd 0xcc 0xbb 0xaa 0x99}"',
      'register write fpsr 0x8000001',
      'thread step-inst',
      'register read pc x6 v0 fpsr',
      'process plugin packet monitor mpu check 0x200000 w',
      'process kill',
    ]);
    const report = `${run.output}\nstub stderr (tail):\n${stub.stderr().slice(-4000)}`;
    expect(run.code, report).toBe(0);
    const out = run.output;
    // Registers, core and system, from the target description.
    expect(out, report).toMatch(/pc = 0x0000000000000000/);
    expect(out, report).toMatch(/SCTLR_EL2 = 0x0000000030c50830/);
    expect(out, report).toMatch(/MPUIR_EL2 = 0x0000000000000020/);
    // The breakpoint, after the program has programmed and enabled the MPU.
    expect(out, report).toMatch(/stop reason = breakpoint 1\.1\s+frame #0: 0x0000000000000064 mpu_fault\.elf`regions_ready/);
    expect(out, report).toMatch(/PRBAR1_EL2 = 0x0000000000100032/);
    // The MPU map as LLDB lists it: regions with their rights, holes, the space beyond 48 bits.
    expect(out, report).toContain(regionLine(0n, 0x1_0000n, 'r-x', 'EL2 MPU region 0 (dram)'));
    expect(out, report).toContain(regionLine(0x1_0000n, 0x10_0000n, '---', 'no EL2 MPU region (dram)'));
    expect(out, report).toContain(regionLine(0x10_0000n, 0x11_0000n, 'rw-', 'EL2 MPU region 1 (dram)'));
    expect(out, report).toContain(regionLine(0x20_0000n, 0x20_1000n, 'r--', 'EL2 MPU region 2 (dram)'));
    expect(out, report).toContain(regionLine(0x8000_0000n, 0x9c09_0000n, '---', 'no EL2 MPU region (nothing mapped)'));
    expect(out, report).toContain(regionLine(1n << 48n, (1n << 64n) - 1n, '---', 'beyond the 48-bit physical address space'));
    expect(out.split(regionLine(0x10_0000n, 0x11_0000n, 'rw-', 'EL2 MPU region 1 (dram)')).length - 1, report).toBe(2);
    // The watchpoint stops after LLDB has stepped over the store: old and new value, next pc.
    expect(out, report).toMatch(/Watchpoint 1 hit:\s+old value: 0\s+new value: 4660/);
    expect(out, report).toMatch(/stop reason = watchpoint 1\s+frame #0: 0x0000000000000070/);
    expect(out, report).toMatch(/0x00100000: 0x0000000000001234/);
    // One instruction further: ldr x6 loaded the read-only page's address.
    expect(out, report).toMatch(/stop reason = instruction step into\s+frame #0: 0x0000000000000074/);
    expect(out, report).toMatch(/pc = 0x0000000000000074/);
    expect(out, report).toMatch(/x6 = 0x0000000000200000/);
    expect(out, report).toMatch(/v0 = \{0x88 0x77 0x66 0x55 0x44 0x33 0x22 0x11 0x00 0xff 0xee 0xdd 0xcc 0xbb 0xaa 0x99\}/);
    expect(out, report).toMatch(/fpsr = 0x08000001/);
    expect(out, report).toMatch(/refused: write of 1 byte at 0x200000 from EL2/);
    // Kill: answered, so LLDB reports an exit status instead of "failed to send k packet".
    expect(out, report).toMatch(/Process 1 exited with status = 9/);
    expect(out, report).not.toMatch(/failed to send k packet/);
    expect(stub.child.exitCode, 'the stub must still be running').toBeNull();
  }, 90_000);

  it('finds the board as the last debugger left it, interrupts a running core and detaches', async () => {
    const seen = stub.stderr().length;
    const lldb = startLldb([
      connect,
      'register read pc x5',
      // The vector table is a column of `b .`: the core spins there until interrupted.
      'register write pc 0x800',
      'continue',
      'register read pc',
      'process detach',
    ]);
    // SIGINT makes LLDB send Ctrl-C, as a user's ^C would. One that arrives as the resume
    // leaves LLDB is lost (LLDB is not yet waiting for the stop), so it is repeated until the
    // Ctrl-C reaches the stub.
    const since = (): string => stub.stderr().slice(seen);
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    for (let i = 0; i < 300 && !/rsp <- \$(c|vCont;c)[#:;]/.test(since()); i++) await sleep(50);
    for (let i = 0; i < 20 && !since().includes('rsp <- \\x03'); i++) {
      lldb.child.kill('SIGINT');
      for (let j = 0; j < 10 && !since().includes('rsp <- \\x03'); j++) await sleep(50);
    }
    const run = await lldb.done;
    const report = `${run.output}\nstub stderr (tail):\n${stub.stderr().slice(-4000)}`;
    expect(run.code, report).toBe(0);
    expect(run.output, report).toMatch(/pc = 0x0000000000000074/);
    expect(run.output, report).toMatch(/x5 = 0x0000000000001234/);
    expect(stub.stderr().slice(seen), report).toMatch(/rsp <- \\x03\s+rsp -> \$T02thread:1;/);
    expect(run.output, report).toMatch(/pc = 0x0000000000000800/);
    expect(run.output, report).toMatch(/Process 1 detached/);
    expect(stub.child.exitCode, 'the stub must still be running').toBeNull();
  }, 90_000);
});
