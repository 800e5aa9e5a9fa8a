// gdb-multiarch in batch mode with a list of commands (-ex each) against a stub's GDB port:
// for tests that need a few monitor commands or a `continue` rather than a Python script.

import { spawn, type ChildProcess } from 'node:child_process';
import { GDB } from './gdb.js';

export interface GdbCommandsRun {
  readonly code: number | null;
  /** stdout and stderr as they arrived: GDB writes errors to stderr. */
  readonly output: string;
}

export interface GdbCommandsProcess {
  readonly child: ChildProcess;
  output(): string;
  readonly done: Promise<GdbCommandsRun>;
}

/** Starts GDB connected to 127.0.0.1:`port`, running `commands` one after the other. */
export function startGdbCommands(port: number, commands: readonly string[], timeoutMs = 60_000): GdbCommandsProcess {
  const args = ['-nx', '-q', '-batch', '-ex', 'set pagination off', '-ex', `target remote 127.0.0.1:${port}`, ...commands.flatMap((c) => ['-ex', c])];
  const child = spawn(GDB, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const done = new Promise<GdbCommandsRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${GDB} did not finish in ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
  return { child, output: () => output, done };
}

export function runGdbCommands(port: number, commands: readonly string[], timeoutMs?: number): Promise<GdbCommandsRun> {
  return startGdbCommands(port, commands, timeoutMs).done;
}
