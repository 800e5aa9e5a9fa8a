// Runs real LLDB (Debian's lldb-16) in batch mode against a stub: each command is one `-o`,
// the output is collected for the test to assert on. LLDB's Python bindings are not needed.
// Under CI a missing LLDB fails the tests (.ci/run installs it); elsewhere they are skipped
// with a note, since LLDB is an optional client of the stub.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const LLDB = process.env['MPUSTUB_LLDB'] ?? 'lldb-16';

/** True when LLDB runs here; throws when it does not and CI is set. */
export function lldbAvailable(): boolean {
  const probe = spawnSync(LLDB, ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return true;
  const why = `${LLDB} is needed for the LLDB end-to-end tests: apt-get install lldb-16 (or set MPUSTUB_LLDB)`;
  if (process.env['CI']) throw new Error(why);
  console.warn(`skipped: ${why}`);
  return false;
}

export interface LldbRun {
  readonly code: number | null;
  /** stdout and stderr interleaved as they arrived: LLDB writes errors to stderr. */
  readonly output: string;
}

export interface LldbProcess {
  readonly child: ChildProcess;
  /** What LLDB has written so far. */
  output(): string;
  readonly done: Promise<LldbRun>;
}

/** Starts `lldb -b` with one `-o` per command; ~/.lldbinit is not read. */
export function startLldb(commands: readonly string[], timeoutMs = 60_000): LldbProcess {
  const child = spawn(LLDB, ['--no-lldbinit', '--batch', ...commands.flatMap((c) => ['-o', c])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const done = new Promise<LldbRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${LLDB} did not finish in ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    // 'close', not 'exit': the output is complete only once both pipes have ended.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
  return { child, output: () => output, done };
}

export function runLldb(commands: readonly string[], timeoutMs?: number): Promise<LldbRun> {
  return startLldb(commands, timeoutMs).done;
}
