// Drives gdb-multiarch through GDB/MI (--interpreter=mi3) as an IDE's MI layer does: each
// command carries a numeric token and its result record (^done, ^connected, ^running,
// ^error) is matched by that token; execution commands also wait for the *stopped record.
// Stream records (~ console, @ target, & log) are kept decoded so that tests can read what a
// monitor command printed.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { GDB } from './gdb.js';

export interface MiReply {
  /** The result record without its token, e.g. `^done,value="5"`. */
  readonly result: string;
  /** Async records (`*stopped,...`, `=breakpoint-modified,...`) that arrived meanwhile. */
  readonly async: string[];
  /** Decoded console, target and log stream output that arrived meanwhile. */
  readonly stream: string;
}

const TIMEOUT_MS = 30_000;

/** Decodes an MI c-string body (the text between the quotes). */
export function decodeCString(text: string): string {
  return text.replace(/\\(n|t|"|\\)/g, (_m, c: string) => ({ n: '\n', t: '\t', '"': '"', '\\': '\\' })[c] ?? c);
}

/** A field `name="value"` of an MI record, decoded (first occurrence). */
export function field(record: string, name: string): string | undefined {
  const match = new RegExp(`${name}="((?:[^"\\\\]|\\\\.)*)"`).exec(record);
  return match ? decodeCString(match[1]!) : undefined;
}

export class MiSession {
  private buffer = '';
  private lines: string[] = [];
  private waiter: (() => void) | undefined;
  private token = 0;
  /** Everything GDB wrote, for failure reports. */
  readonly transcript: string[] = [];

  private constructor(private readonly gdb: ChildProcessWithoutNullStreams) {
    gdb.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop() ?? '';
      for (const line of parts) {
        this.transcript.push(`<- ${line}`);
        this.lines.push(line);
      }
      this.waiter?.();
    });
  }

  static start(): MiSession {
    return new MiSession(spawn(GDB, ['--interpreter=mi3', '-nx', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  private async nextLine(deadline: number): Promise<string> {
    while (this.lines.length === 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.gdb.exitCode !== null) throw new Error(`GDB/MI: no answer\n${this.transcript.join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.lines.shift()!;
  }

  /** Sends one MI command; resolves with its result record (and, for ^running, the *stopped that follows). */
  async send(command: string): Promise<MiReply> {
    const token = ++this.token;
    this.transcript.push(`-> ${token}${command}`);
    this.gdb.stdin.write(`${token}${command}\n`);
    const deadline = Date.now() + TIMEOUT_MS;
    const async: string[] = [];
    let stream = '';
    let result: string | undefined;
    for (;;) {
      const line = await this.nextLine(deadline);
      if (/^[~@&]"/.test(line)) stream += decodeCString(line.slice(2, -1));
      else if (line.startsWith(`${token}^`)) {
        result = line.slice(String(token).length);
        if (!result.startsWith('^running')) break;
      } else if (/^[*=]/.test(line)) {
        async.push(line);
        if (result !== undefined && line.startsWith('*stopped')) break;
      }
    }
    return { result, async, stream };
  }

  /** Like send, but the command must succeed. */
  async ok(command: string): Promise<MiReply> {
    const reply = await this.send(command);
    if (reply.result.startsWith('^error')) throw new Error(`${command}: ${reply.result}\n${this.transcript.slice(-40).join('\n')}`);
    return reply;
  }

  async exit(): Promise<void> {
    if (this.gdb.exitCode !== null) return;
    this.gdb.stdin.write('-gdb-exit\n');
    const timer = setTimeout(() => this.gdb.kill('SIGKILL'), 5_000);
    await once(this.gdb, 'exit');
    clearTimeout(timer);
  }
}
