// Runs real gdb-multiarch in batch mode against a stub, with a GDB Python script from
// test/e2e/gdb/. Scripts print PASS/FAIL lines and exit with their failure count (the style
// of QEMU's tests/guest-debug). gdb-multiarch is required: a missing GDB fails the tests
// with instructions rather than skipping them.

import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const GDB = process.env['MPUSTUB_GDB'] ?? 'gdb-multiarch';
const SCRIPTS = fileURLToPath(new URL('../e2e/gdb/', import.meta.url));

export function requireGdb(): void {
  const probe = spawnSync(GDB, ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(`${GDB} is needed for the end-to-end tests: apt-get install gdb-multiarch (or set MPUSTUB_GDB)`);
  }
}

export interface GdbRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly passed: string[];
  readonly failed: string[];
}

export function scriptPath(name: string): string {
  return `${SCRIPTS}${name}`;
}

/** Runs `script` (a file in test/e2e/gdb/) with MPUSTUB_PORT set; `extraArgs` go before it. */
export function runGdbScript(script: string, port: number, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<GdbRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(GDB, ['-nx', '-q', '-batch', '-x', scriptPath(script)], {
      env: { ...process.env, ...env, MPUSTUB_PORT: String(port), PYTHONPATH: SCRIPTS },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${GDB} did not finish ${script} in ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lines = stdout.split('\n');
      resolve({
        code,
        stdout,
        stderr,
        passed: lines.filter((l) => l.startsWith('PASS: ')),
        failed: lines.filter((l) => l.startsWith('FAIL: ')),
      });
    });
  });
}
