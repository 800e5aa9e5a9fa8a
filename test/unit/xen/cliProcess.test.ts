// The built `mpustub` command (dist/mpustub.js, so `npm run build` first) as a script sees it:
// the exit status of a command line that cannot be parsed is 2, the status the documentation
// reserves for bad arguments, while help and version stay 0; the API's --allow-host and
// --api-host; and the client commands against a real stub. (GDB scripts calling the API run
// in test/e2e/gdb.test.ts.)

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { CLI, startStubProcess, type StubProcess } from '../../support/stubProcess.js';

function mpustub(...args: string[]): { status: number | null; stderr: string; stdout: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 15_000 });
  return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}

describe('command-line usage errors', () => {
  const usage: Array<[string, string[], RegExp]> = [
    ['a client command without its arguments', ['map'], /missing required argument 'virt'/],
    ['a client command with too few arguments', ['update', '0x0', '0x1000'], /missing required argument 'flags'/],
    ['a client option without its value', ['regions', '--api'], /option '--api <url>' argument missing/],
    ['an unknown option', ['diff', '--bogus'], /unknown option '--bogus'/],
    ['an unknown command', ['mapp', '0x0'], /unknown command|too many arguments/],
    ['a bad serve port', ['serve', '--port', 'x'], /a port is a number/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 2 for ${what}`, () => {
      const run = mpustub(...args);
      expect(run.stderr).toMatch(message);
      expect(run.status).toBe(2);
    });
  }

  it('exits 0 for --help and --version', () => {
    expect(mpustub('--help')).toMatchObject({ status: 0, stdout: expect.stringMatching(/Usage: mpustub/) as unknown });
    expect(mpustub('map', '--help').status).toBe(0);
    expect(mpustub('--version')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown });
  });
});

/** GET with a chosen Host header. */
function getWithHost(api: string, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, api);
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve: who may call the API', () => {
  it('accepts the names given with --allow-host, and refuses others', async () => {
    const stub = await startStubProcess(['--scenario', 'none', '--allow-host', 'board.test', '--allow-host', 'Lab-Host.example']);
    try {
      const port = new URL(stub.apiUrl!).port;
      expect(await getWithHost(stub.apiUrl!, '/v1/regions', `board.test:${port}`)).toBe(200);
      expect(await getWithHost(stub.apiUrl!, '/v1/regions', `lab-host.example:${port}`)).toBe(200);
      expect(await getWithHost(stub.apiUrl!, '/v1/regions', `localhost:${port}`)).toBe(200);
      expect(await getWithHost(stub.apiUrl!, '/v1/regions', `attacker.example:${port}`)).toBe(403);
      expect(stub.stderr()).not.toMatch(/anyone who can reach/);
    } finally {
      await stub.stop();
    }
  });

  it('refuses an --allow-host with a port or a scheme as a usage error', () => {
    for (const bad of ['board.test:1235', 'http://board.test']) {
      const run = mpustub('serve', '--port', '0', '--api-port', '0', '--allow-host', bad);
      expect(run.stderr).toMatch(/is not a host name or an address/);
      expect(run.status).toBe(2);
    }
  });

  it('warns when --api-host is not loopback (here an address this machine does not have, so it stops with 2)', () => {
    const run = mpustub('serve', '--port', '0', '--api-port', '0', '--scenario', 'none', '--api-host', '192.0.2.1');
    expect(run.stderr).toMatch(/map service API on 192\.0\.2\.1: anyone who can reach this address can change the board's MPU/);
    expect(run.stderr).toMatch(/--allow-host NAME/);
    expect(run.stderr).toMatch(/EADDRNOTAVAIL/);
    expect(run.status).toBe(2);
  });

  it('prints an IPv6 API address in brackets', async () => {
    let stub: StubProcess;
    try {
      stub = await startStubProcess(['--scenario', 'none', '--api-host', '::1']);
    } catch (err) {
      // A machine without IPv6 loopback cannot run this check.
      if (/EADDRNOTAVAIL|EAFNOSUPPORT/.test(String(err))) return;
      throw err;
    }
    try {
      expect(stub.apiUrl).toMatch(/^http:\/\/\[::1\]:\d+$/);
      expect((await fetch(`${stub.apiUrl!}/v1/regions`)).status).toBe(200);
      expect(stub.stderr()).not.toMatch(/anyone who can reach/);
    } finally {
      await stub.stop();
    }
  });
});

describe('clients of a real stub', () => {
  it('the client commands get through by 127.0.0.1 and by localhost', async () => {
    const stub = await startStubProcess(['--scenario', 'none']);
    try {
      const api = stub.apiUrl!;
      const mapped = spawnSync(process.execPath, [CLI, 'update', '0x100000', '0x200000', 'PAGE_HYPERVISOR_RW', '--api', api], { encoding: 'utf8' });
      expect(mapped.stdout).toMatch(/rc 0: inserted/);
      expect(mapped.status).toBe(0);
      const viaLocalhost = spawnSync(process.execPath, [CLI, 'regions', '--api', api.replace('127.0.0.1', 'localhost')], { encoding: 'utf8' });
      expect(viaLocalhost.stdout).toMatch(/1 of 32 entries in use/);
      expect(viaLocalhost.status).toBe(0);
    } finally {
      await stub.stop();
    }
  });
});
