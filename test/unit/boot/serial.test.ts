// Where the UART's output goes (--serial), in-process with the device tree walker booting:
// a file holding each line as it comes; a TCP listener on loopback that gives the output so
// far to its first client, refuses a second one, and serves the next once the first has
// gone; the stub's log by default; and the spellings --serial accepts.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSerialChoice } from '../../../src/boot/serial.js';
import type { CoreStopReport } from '../../../src/boot/unattended.js';
import { createLogger } from '../../../src/log.js';
import { startStub, type RunningStub, type StubOptions } from '../../../src/wiring.js';
import { buildFdtWalkProgram } from '../../support/programs.js';

let walker: string;
let stub: RunningStub | undefined;
const quiet = createLogger('error', () => undefined);

beforeAll(() => {
  walker = buildFdtWalkProgram();
});

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

/** Boots the walker with `options` and waits for the core to stop (idle, for these). */
async function boot(options: Partial<StubOptions>): Promise<CoreStopReport> {
  let stopped: (r: CoreStopReport) => void = () => undefined;
  const stop = new Promise<CoreStopReport>((resolve) => (stopped = resolve));
  stub = await startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: quiet, kernel: walker, append: 'hello', run: true, onCoreStop: (r) => stopped(r), ...options });
  return stop;
}

const CONSOLE = /^fdt_walk: device tree at 0x7fe00000, 0x[0-9a-f]+ bytes, model cortex-r82-fvp\nfdt_walk: console \/serial@9c090000\nfdt_walk: bootargs: hello\nfdt_walk: done\n$/;

function collect(socket: Socket): { text: () => string; closed: Promise<void> } {
  let text = '';
  socket.setEncoding('utf8').on('data', (c: string) => (text += c));
  return { text: () => text, closed: new Promise((resolve) => socket.on('close', () => resolve())) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('--serial', () => {
  it('file:PATH receives each line', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mpustub-serial-')), 'console.txt');
    expect((await boot({ serial: { kind: 'file', path } })).kind).toBe('idle');
    expect(readFileSync(path, 'latin1')).toMatch(CONSOLE);
  });

  it('tcp:PORT gives the output so far to its first client, refuses a second, then serves the next', async () => {
    await boot({ serial: { kind: 'tcp', port: 0 } });
    const address = stub!.serialAddress!;
    expect(address.host).toBe('127.0.0.1');
    const first = collect(connect(address.port, address.host));
    await until(() => CONSOLE.test(first.text()), 'the backlog');
    const second = connect(address.port, address.host);
    const refused = collect(second);
    await refused.closed;
    expect(refused.text()).toBe('mpustub: the serial port already has a client\n');
    // Booted again by `run`: the first client sees the second boot's lines as they come.
    await stub!.target.capabilities.restart!.restart();
    stub!.unattended.start();
    await until(() => first.text().split('fdt_walk: done\n').length === 3, 'the second boot');
  });

  it('goes to the log by default', async () => {
    const lines: string[] = [];
    await boot({ logger: createLogger('info', (line) => lines.push(line)) });
    expect(lines).toContain('mpustub: uart: fdt_walk: bootargs: hello\n');
  });

  it('takes stdio, log, none, file:PATH and tcp:PORT', () => {
    expect(parseSerialChoice('stdio')).toEqual({ kind: 'stdio' });
    expect(parseSerialChoice('none')).toEqual({ kind: 'none' });
    expect(parseSerialChoice('file:/tmp/a:b')).toEqual({ kind: 'file', path: '/tmp/a:b' });
    expect(parseSerialChoice('tcp:0')).toEqual({ kind: 'tcp', port: 0 });
    for (const bad of ['tcp:65536', 'tcp:', 'file:', 'udp:1', 'pty']) expect(() => parseSerialChoice(bad)).toThrow(`--serial: "${bad}" is not one of`);
  });
});
