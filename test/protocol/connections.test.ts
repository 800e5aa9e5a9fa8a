// Connection faults against the real board: clients that vanish mid-packet or mid-reply,
// half-open sockets, a client that sends one byte at a time, a thousand connect/disconnect
// cycles, and a second debugger — the stub keeps serving and the board keeps its state.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { createLogger } from '../../src/log.js';
import { startStub, type RunningStub } from '../../src/wiring.js';
import { framePacket, RspClient } from '../support/rspClient.js';

let stub: RunningStub;
let port: number;

beforeAll(async () => {
  stub = await startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: createLogger('error', () => undefined) });
  port = stub.gdbAddress.port;
});

afterAll(async () => {
  await stub.close();
});

/** Attaches, retrying while a previous client's close is still in flight. */
async function attach(): Promise<RspClient> {
  for (let i = 0; i < 100; i++) {
    const c = await RspClient.connect(port);
    const r = await c.request('qC');
    if (r === 'QC1') return c;
    c.close();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('could not attach');
}

describe('connection faults', () => {
  it('keeps serving after a client vanishes mid-packet and mid-reply', async () => {
    const first = await attach();
    expect(await first.request('M1000,4:deadbeef')).toBe('OK');
    first.sendRaw('$m1000,');
    first.close();
    const second = await attach();
    second.send('m0,ffff'); // a 128 KiB reply
    second.close();
    const third = await attach();
    expect(await third.request('m1000,4')).toBe('deadbeef');
    third.close();
  });

  it('handles a half-open socket (the client shut its sending side)', async () => {
    (await attach()).close();
    await new Promise((r) => setTimeout(r, 50)); // let the server see that close first
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.end(framePacket('qC'));
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
      socket.on('close', () => resolve(text));
    });
    expect(reply).toContain('$QC1#');
    const next = await attach();
    next.close();
  });

  it('assembles a packet sent one byte at a time', async () => {
    const c = await attach();
    const bytes = framePacket('m1000,4');
    for (const b of bytes) {
      c.sendRaw(Buffer.from([b]));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await c.reply()).payload).toBe('deadbeef');
    c.close();
  });

  it('survives 1000 connect/disconnect cycles and frees each slot', async () => {
    for (let i = 0; i < 1000; i++) {
      const socket = connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      if (i % 2 === 0) socket.write(framePacket('qC'));
      socket.destroy();
    }
    const c = await attach();
    expect(await c.request('m1000,4')).toBe('deadbeef');
    c.close();
  });

  it('refuses a second debugger without disturbing the first', async () => {
    const first = await attach();
    const second = await RspClient.connect(port);
    expect(await second.request('qSupported')).toMatch(/^E\.mpustub: the board is already being debugged/);
    await second.closedByStub();
    expect(await first.request('m1000,4')).toBe('deadbeef');
    first.close();
  });
});
