// Starts the real `mpustub serve` process (the built CLI) on free ports and waits for the
// lines it prints when ready — never a sleep. Used by the end-to-end tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface StubProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything the stub wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<number | null>;
}

export async function startStubProcess(args: string[] = [], timeoutMs = 10_000): Promise<StubProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stub not ready after ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /^gdb: target remote [^\s]+:(\d+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stub exited with ${code} before it was ready; stderr:\n${stderr}`));
    });
  });
  return {
    child,
    port,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
