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
  { script: 'registers.py', minimumPasses: 40, args: RESET },
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
