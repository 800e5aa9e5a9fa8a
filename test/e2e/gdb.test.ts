// End-to-end tests: the built `mpustub serve` process driven by real gdb-multiarch over TCP,
// one GDB Python script per area. Each script prints PASS/FAIL lines and exits with its
// failure count; this file asserts on both, so a script that stopped early cannot pass.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { GDB, requireGdb, runGdbScript } from '../support/gdb.js';
import { buildShadowTableProgram } from '../support/programs.js';
import { startStubProcess, type StubProcess } from '../support/stubProcess.js';

// Scripts about the board itself start from reset (--scenario none); the map-service scripts
// start from the default Xen boot, as `npm start` does.
const RESET = ['--scenario', 'none'];
// A case with a kernel gets test/programs/shadow_table.c (with its bug) placed by --kernel and
// named in MPUSTUB_KERNEL.
const cases: Array<{ script: string; minimumPasses: number; args: string[]; kernel?: 'buggy' }> = [
  { script: 'registers.py', minimumPasses: 57, args: RESET },
  { script: 'memory.py', minimumPasses: 15, args: RESET },
  { script: 'session.py', minimumPasses: 14, args: RESET },
  { script: 'mpu.py', minimumPasses: 23, args: RESET },
  { script: 'xen.py', minimumPasses: 17, args: [] },
  { script: 'gdbscripts.py', minimumPasses: 50, args: [] },
  { script: 'extended.py', minimumPasses: 11, args: [] },
  { script: 'mpudebug.py', minimumPasses: 35, args: RESET, kernel: 'buggy' },
];

describe('real gdb-multiarch against mpustub', () => {
  beforeAll(() => requireGdb());

  for (const { script, minimumPasses, args, kernel } of cases) {
    describe(script, () => {
      let stub: StubProcess;
      let kernelPath = '';
      beforeAll(async () => {
        if (kernel) kernelPath = buildShadowTableProgram(kernel);
        stub = await startStubProcess(kernel ? [...args, '--kernel', kernelPath] : args);
      });
      afterAll(async () => {
        await stub.stop();
      });

      it('passes every check', async () => {
        const run = await runGdbScript(script, stub.port, { MPUSTUB_API: stub.apiUrl ?? '', MPUSTUB_KERNEL: kernelPath });
        const report = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}\nstub stderr:\n${stub.stderr()}`;
        expect(run.failed, report).toEqual([]);
        expect(run.code, report).toBe(0);
        expect(run.passed.length, report).toBeGreaterThanOrEqual(minimumPasses);
        expect(stub.child.exitCode, 'the stub must still be running').toBeNull();
      }, 90_000);
    });
  }
});

describe('gdbscripts/examples/catch_failure.py, the CI check for a Xen port', () => {
  beforeAll(() => requireGdb());

  async function runExample(scenario: string): Promise<{ code: number | null; stdout: string }> {
    const stub = await startStubProcess();
    try {
      const example = fileURLToPath(new URL('../../gdbscripts/examples/catch_failure.py', import.meta.url));
      const scenarioPath = fileURLToPath(new URL(`../../docs/scenarios/${scenario}`, import.meta.url));
      const child = spawn(GDB, ['-nx', '-q', '-batch', '-x', example], {
        env: { ...process.env, MPUSTUB_PORT: String(stub.port), MPUSTUB_API: stub.apiUrl ?? '', MPUSTUB_SCENARIO: scenarioPath },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, stdout };
    } finally {
      await stub.stop();
    }
  }

  it('exits 1 with the diagnosis when a request fails', async () => {
    const run = await runExample('overlap-fails.json');
    expect(run.stdout).toMatch(/FAIL: map request #8 refused: rc -22 \(EINVAL\)/);
    expect(run.stdout).toMatch(/rule: the range straddles an existing region/);
    expect(run.stdout).toMatch(/existing region 11: \[0x30000000, 0x30010000\)/);
    expect(run.code).toBe(1);
  }, 60_000);

  it('exits 0 when every request succeeds', async () => {
    const run = await runExample('boot-extra.json');
    expect(run.stdout).toMatch(/PASS: every map request succeeded/);
    expect(run.code).toBe(0);
  }, 60_000);
});

describe('gdbscripts/examples/check_kernel_table.py, the CI check of a kernel\'s MPU table', () => {
  beforeAll(() => requireGdb());

  async function runCheck(variant: 'buggy' | 'fixed'): Promise<{ code: number | null; stdout: string }> {
    const kernel = buildShadowTableProgram(variant);
    const stub = await startStubProcess(['--scenario', 'none', '--api-port', 'off']);
    try {
      const example = fileURLToPath(new URL('../../gdbscripts/examples/check_kernel_table.py', import.meta.url));
      const child = spawn(GDB, ['-nx', '-q', '-batch', '-x', example], {
        env: { ...process.env, MPUSTUB_PORT: String(stub.port), MPUSTUB_KERNEL: kernel },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, stdout: `${stdout}\nstub stderr:\n${stub.stderr()}` };
    } finally {
      await stub.stop();
    }
  }

  it('finds the bug of shadow_table.c: entry 3 recorded, region 4 programmed; exits 1 with the diagnosis', async () => {
    const run = await runCheck('buggy');
    expect(run.stdout, run.stdout).toMatch(/check: after the ISB at pc 0x[0-9a-f]+ <context_sync_mpu\+0x4> \(synchronisation 1\): the kernel's table and the MPU agree \(3 entries in use\)/);
    expect(run.stdout, run.stdout).toMatch(/FAIL: after the ISB at pc 0x[0-9a-f]+ <context_sync_mpu\+0x4> \(synchronisation 2\), the kernel's table and the MPU disagree:/);
    expect(run.stdout).toMatch(/region 3: kernel entry 3 is \[0x300000\.\.0x30ffff\] RW XN AttrIndx=7 \(PRBAR 0x300032 PRLAR 0x30ffcf\), but the programmed registers say disabled .*\[programmed\]\n {2}-> the kernel's entry 3 is programmed in region 4 instead/);
    expect(run.stdout).toMatch(/region 4: enforced by the MPU as \[0x300000\.\.0x30ffff\].*\[effective\]\n {2}-> it holds kernel entry 3's values: the write meant for region 3 went to region 4\n {2}last write to region 4: #\d+ PRLAR_EL2 0x0 -> 0x30ffcf by pc 0x[0-9a-f]+ <write_protection_region\+0x18>/);
    expect(run.stdout).toMatch(/2 disagreement\(s\)/);
    expect(run.code, run.stdout).toBe(1);
  }, 90_000);

  it('passes the fixed kernel: the table and the MPU agree after every synchronisation', async () => {
    const run = await runCheck('fixed');
    expect(run.stdout, run.stdout).toMatch(/PASS: 3 synchronisation\(s\) checked; the kernel's table and the MPU agreed after each/);
    expect(run.code, run.stdout).toBe(0);
  }, 90_000);
});
