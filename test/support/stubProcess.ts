// Starts the real `mpustub serve` process (the built CLI) on free ports and waits for the
// lines it prints when ready — never a sleep. Used by the end-to-end tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

export const CLI = fileURLToPath(new URL('../../dist/mpustub.js', import.meta.url));

export interface StubProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** The map service's API base URL, e.g. http://127.0.0.1:40123 (null with --api-port off). */
  readonly apiUrl: string | null;
  /** Everything the stub wrote to stderr so far. */
  stderr(): string;
  /** Everything the stub wrote to stdout so far (the ready lines, a kernel's console). */
  stdout(): string;
  stop(): Promise<number | null>;
}

export async function startStubProcess(args: string[] = [], timeoutMs = 10_000): Promise<StubProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--api-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const wantsApi = !args.join(' ').includes('--api-port off');
  const { port, apiUrl } = await new Promise<{ port: number; apiUrl: string | null }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stub not ready after ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const gdb = /^gdb: target remote [^\s]+:(\d+)$/m.exec(stdout);
      const api = /^api: (http:\/\/\S+)$/m.exec(stdout);
      if (gdb && (api || !wantsApi)) {
        clearTimeout(timer);
        resolve({ port: Number(gdb[1]), apiUrl: api ? api[1]! : null });
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
    apiUrl,
    stderr: () => stderr,
    stdout: () => stdout,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
