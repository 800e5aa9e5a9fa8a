// Real aarch64 programs built with Debian's cross compiler, loaded and debugged through
// gdb-multiarch on the stub: breakpoints, stepping, watchpoints, the MPU fault and its
// syndrome, exception entry, a C program whose results must equal QEMU user mode's, and
// source-level stepping through nested calls; and an early boot whose timer interrupt ends
// its WFI, with a WFI that only Ctrl-C ends.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBootProgram, buildCallsProgram, buildPrograms, type BuiltPrograms } from '../support/programs.js';
import { requireGdb, runGdbScript } from '../support/gdb.js';
import { startStubProcess, type StubProcess } from '../support/stubProcess.js';

describe('executing real code under gdb-multiarch', () => {
  let programs: BuiltPrograms;
  let calls: string;
  let stub: StubProcess;

  beforeAll(async () => {
    requireGdb();
    programs = buildPrograms();
    calls = buildCallsProgram();
    stub = await startStubProcess(['--scenario', 'none', '--api-port', 'off']);
  }, 60_000);

  afterAll(async () => {
    await stub?.stop();
  });

  it('loads, breaks, steps, watches, faults and computes like QEMU', async () => {
    const run = await runGdbScript('execution.py', stub.port, {
      MPUSTUB_ELF_FAULT: programs.mpuFault,
      MPUSTUB_ELF_INTEGER: programs.integer,
      MPUSTUB_INTEGER_EXPECTED: programs.integerExpected,
      MPUSTUB_ELF_CALLS: calls,
    });
    const report = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}\nstub stderr:\n${stub.stderr()}`;
    expect(run.failed, report).toEqual([]);
    expect(run.code, report).toBe(0);
    expect(run.passed.length, report).toBeGreaterThanOrEqual(22);
  }, 90_000);
});

describe('interrupts under gdb-multiarch', () => {
  let boot: string;
  let stub: StubProcess;

  beforeAll(async () => {
    requireGdb();
    boot = buildBootProgram();
    stub = await startStubProcess(['--scenario', 'none', '--api-port', 'off']);
  }, 60_000);

  afterAll(async () => {
    await stub?.stop();
  });

  it('boots to a timer interrupt that ends WFI, an SGI, and a WFI only Ctrl-C ends', async () => {
    const run = await runGdbScript('interrupts.py', stub.port, { MPUSTUB_ELF_BOOT: boot });
    const report = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}\nstub stderr:\n${stub.stderr()}`;
    expect(run.failed, report).toEqual([]);
    expect(run.code, report).toBe(0);
    expect(run.passed.length, report).toBeGreaterThanOrEqual(20);
  }, 90_000);
});
