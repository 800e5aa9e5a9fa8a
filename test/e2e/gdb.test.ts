// End-to-end tests: the built `mpustub serve` process driven by real gdb-multiarch over TCP,
// one GDB Python script per area. Each script prints PASS/FAIL lines and exits with its
// failure count; this file asserts on both, so a script that stopped early cannot pass.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireGdb, runGdbScript } from '../support/gdb.js';
import { startStubProcess, type StubProcess } from '../support/stubProcess.js';

// Scripts about the board itself start from reset (--scenario none); the map-service scripts
// start from the default Xen boot, as `npm start` does.
const RESET = ['--scenario', 'none'];
const cases: Array<{ script: string; minimumPasses: number; args: string[] }> = [
  { script: 'registers.py', minimumPasses: 40, args: RESET },
  { script: 'memory.py', minimumPasses: 15, args: RESET },
  { script: 'session.py', minimumPasses: 14, args: RESET },
  { script: 'mpu.py', minimumPasses: 23, args: RESET },
  { script: 'xen.py', minimumPasses: 17, args: [] },
  { script: 'gdbscripts.py', minimumPasses: 50, args: [] },
];

describe('real gdb-multiarch against mpustub', () => {
  beforeAll(() => requireGdb());

  for (const { script, minimumPasses, args } of cases) {
    describe(script, () => {
      let stub: StubProcess;
      beforeAll(async () => {
        stub = await startStubProcess(args);
      });
      afterAll(async () => {
        await stub.stop();
      });

      it('passes every check', async () => {
        const run = await runGdbScript(script, stub.port, { MPUSTUB_API: stub.apiUrl ?? '' });
        const report = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}\nstub stderr:\n${stub.stderr()}`;
        expect(run.failed, report).toEqual([]);
        expect(run.code, report).toBe(0);
        expect(run.passed.length, report).toBeGreaterThanOrEqual(minimumPasses);
        expect(stub.child.exitCode, 'the stub must still be running').toBeNull();
      }, 90_000);
    });
  }
});
