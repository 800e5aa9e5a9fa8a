// The `serve` command's messages a user depends on: the security warning for a listener beyond
// loopback, printed whatever the log level, a port already in use named by its listener, and
// a kernel or MPU history size it cannot take.

import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { CLI, startStubProcess } from '../support/stubProcess.js';

describe('mpustub serve', () => {
  it('warns about a listener beyond loopback even at --log-level error', async () => {
    const stub = await startStubProcess(['--host', '0.0.0.0', '--log-level', 'error', '--api-port', 'off', '--scenario', 'none']);
    try {
      expect(stub.stderr()).toMatch(/warning: listening on 0\.0\.0\.0: anyone who can reach this address can read and write the simulated board/);
    } finally {
      await stub.stop();
    }
  });

  it('says which listener could not bind, and how to move it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const gdb = spawnSync(process.execPath, [CLI, 'serve', '--port', String(taken), '--api-port', 'off', '--scenario', 'none'], { encoding: 'utf8' });
      expect(gdb.status).toBe(2);
      expect(gdb.stderr).toContain(`cannot listen for GDB on 127.0.0.1:${taken}: the address is already in use`);
      expect(gdb.stderr).toContain('--port');
      const api = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--api-port', String(taken), '--scenario', 'none'], { encoding: 'utf8' });
      expect(api.status).toBe(2);
      expect(api.stderr).toContain(`cannot listen for map service API on 127.0.0.1:${taken}: the address is already in use`);
      expect(api.stderr).toContain('--api-port');
    } finally {
      blocker.close();
    }
  });

  it('refuses a kernel it cannot read and a history size out of range, before listening', () => {
    const kernel = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--api-port', 'off', '--kernel', '/nonexistent/kernel.elf'], { encoding: 'utf8' });
    expect(kernel.status).toBe(2);
    expect(kernel.stderr).toContain('mpustub: error: cannot read kernel /nonexistent/kernel.elf: ENOENT');
    const notElf = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--api-port', 'off', '--kernel', CLI], { encoding: 'utf8' });
    expect(notElf.status).toBe(2);
    expect(notElf.stderr).toContain('not an ELF file');
    const history = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--mpu-history', 'lots'], { encoding: 'utf8' });
    expect(history.status).not.toBe(0);
    expect(history.stderr).toContain('the MPU history keeps 0 to 1000000 entries');
  });
});
