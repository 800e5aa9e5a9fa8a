// Hostile clients on the GDB port: requests a web page can make a browser send to loopback
// (an HTTP request whose body carries RSP packets), connections that never speak, clients that
// never read their replies, bursts of resend requests, and framing edge cases. After each, the
// board (registers, memory, MPU, the map service's table) must be exactly as it was, and a real
// debugger must still attach.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { createLogger } from '../../src/log.js';
import { startStub, type RunningStub } from '../../src/wiring.js';
import { framePacket, RspClient } from '../support/rspClient.js';

const HANDSHAKE_MS = 600;
let stub: RunningStub;
let port: number;
const logLines: string[] = [];

beforeAll(async () => {
  stub = await startStub({
    host: '127.0.0.1',
    port: 0,
    apiPort: null,
    scenario: 'default',
    traceRsp: false,
    logger: createLogger('info', (line) => void logLines.push(line)),
    rspLimits: { handshakeTimeoutMs: HANDSHAKE_MS },
  });
  port = stub.gdbAddress.port;
});

afterAll(async () => {
  await stub.close();
});

/** Everything an attacker could change: registers, a RAM window, the map service's table. */
async function boardState(): Promise<string> {
  const registers = Buffer.from(stub.target.readRegisterBlock()).toString('hex');
  const window = new Uint8Array(64);
  stub.machine.memory.read(0x160000, window);
  const memory = Buffer.from(window).toString('hex');
  const regions = JSON.stringify(await stub.service.regions(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v));
  return `${registers}|${memory}|${regions}`;
}

function rawSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `chunks` (with a pause between them) and resolves with what came back once the stub closed. */
async function sendAndWaitForClose(chunks: Array<string | Buffer>, timeoutMs = 3000): Promise<{ reply: string; closedAfterMs: number }> {
  const socket = await rawSocket();
  const started = Date.now();
  let reply = '';
  const closed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms; got ${JSON.stringify(reply)}`)), timeoutMs);
    socket.on('data', (c: Buffer) => (reply += c.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', () => undefined);
  });
  for (const chunk of chunks) {
    if (socket.destroyed) break;
    socket.write(chunk);
    await new Promise((r) => setTimeout(r, 10));
  }
  await closed;
  return { reply, closedAfterMs: Date.now() - started };
}

async function attach(): Promise<RspClient> {
  const c = await RspClient.connect(port);
  const r = await c.request('qC');
  if (r !== 'QC1') throw new Error(`attach answered ${r}`);
  return c;
}

/** RSP packets that would remove region 0, write memory and detach, as an attacker's body. */
const ATTACK = [
  `+${framePacket(`qRcmd,${Buffer.from('xen destroy-containing 0x0').toString('hex')}`).toString('latin1')}`,
  framePacket('M160000,4:deadbeef').toString('latin1'),
  framePacket('D').toString('latin1'),
].join('');

describe('requests a web page can send to the GDB port', () => {
  const shapes: Array<[string, Array<string | Buffer>]> = [
    ['a form POST whose body is RSP', [`POST / HTTP/1.1\r\nHost: 127.0.0.1:${1234}\r\nContent-Type: text/plain\r\nOrigin: http://evil.example\r\nContent-Length: ${ATTACK.length}\r\n\r\n${ATTACK}`]],
    ['the same POST split into single bytes', [...`POST /x HTTP/1.1\r\nHost: a\r\n\r\n${ATTACK}`.slice(0, 40)].map((c) => Buffer.from(c, 'latin1'))],
    ['a GET', [`GET /?${encodeURIComponent(ATTACK)} HTTP/1.1\r\nHost: localhost\r\n\r\n`]],
    ['a CORS preflight', ['OPTIONS / HTTP/1.1\r\nHost: localhost:1234\r\nOrigin: http://evil.example\r\n\r\n']],
    ['a PUT', [`PUT / HTTP/1.0\r\n\r\n${ATTACK}`]],
    ['an HTTP/2 preface', ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']],
    ['a Host header line after noise', [`\r\nHost: 127.0.0.1\r\n\r\n${ATTACK}`]],
    ['an Origin header line', [`x\nOrigin: http://evil.example\n${ATTACK}`]],
  ];
  for (const [name, chunks] of shapes) {
    it(`closes ${name} unheard and leaves the board as it was`, async () => {
      const before = await boardState();
      const { reply, closedAfterMs } = await sendAndWaitForClose(chunks);
      expect(reply).toBe('');
      expect(closedAfterMs).toBeLessThan(1000);
      expect(await boardState()).toBe(before);
      const gdb = await attach();
      expect(await gdb.request('m160000,4')).not.toBe('deadbeef');
      gdb.close();
    });
  }

  it('logs why it closed such a connection', () => {
    expect(logLines.some((l) => /closed .*an HTTP request line \("POST \/ HTTP\/1\.1"\).*not a debugger/.test(l))).toBe(true);
  });

  it('still accepts a debugger whose first bytes are acks, Ctrl-C and noise', async () => {
    const socket = await rawSocket();
    let reply = '';
    socket.on('data', (c: Buffer) => (reply += c.toString('latin1')));
    socket.write(Buffer.concat([Buffer.from('+\x03\r\n+', 'latin1'), framePacket('qC')]));
    await expect.poll(() => reply, { timeout: 2000 }).toContain('$QC1#');
    socket.destroy();
  });
});

describe('the debugger slot', () => {
  it('is not held by a connection that never sends a byte, which is closed after the handshake timeout', async () => {
    const silent = await rawSocket();
    const closed = new Promise<number>((resolve) => {
      const started = Date.now();
      silent.on('close', () => resolve(Date.now() - started));
    });
    const gdb = await attach(); // not refused: the silent socket holds nothing
    expect(await gdb.request('m160000,4')).toMatch(/^[0-9a-f]{8}$/);
    const after = await closed;
    expect(after).toBeGreaterThanOrEqual(HANDSHAKE_MS - 50);
    expect(after).toBeLessThan(HANDSHAKE_MS + 1000);
    // The attached debugger, idle well past the timeout, is never dropped.
    await new Promise((r) => setTimeout(r, HANDSHAKE_MS + 200));
    expect(await gdb.request('qC')).toBe('QC1');
    gdb.close();
  });

  it('closes a connection that sends only broken packets within the timeout', async () => {
    const socket = await rawSocket();
    socket.on('error', () => undefined);
    const started = Date.now();
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
    const timer = setInterval(() => socket.write('$qC#00'), 100); // bad checksums keep it "talking"
    const after = await closed;
    clearInterval(timer);
    expect(after).toBeLessThan(HANDSHAKE_MS + 1000);
    (await attach()).close();
  });

  it('lets a debugger that dropped its socket without D reconnect at once, 20 times in 20', async () => {
    let refused = 0;
    for (let i = 0; i < 20; i++) {
      const c = await RspClient.connect(port);
      const r = await c.request('qC');
      if (r !== 'QC1') refused++;
      c.close(); // no D, no k: a killed GDB or an IDE restarting its session
    }
    expect(refused).toBe(0);
  });

  it('enables TCP keepalive so that a dead peer frees the slot', async () => {
    // Node exposes no getter for SO_KEEPALIVE; the socket the server accepted reports it through
    // the kernel's view of our own connection, read from /proc/net/tcp's timer column.
    const gdb = await attach();
    const local = gdb.rawSocket.localPort!;
    await new Promise((r) => setTimeout(r, 50));
    const table = (await import('node:fs')).readFileSync('/proc/net/tcp', 'utf8').split('\n');
    const serverSide = table.find((l) => {
      const cols = l.trim().split(/\s+/);
      return cols[1]?.endsWith(`:${port.toString(16).toUpperCase().padStart(4, '0')}`) && cols[2]?.endsWith(`:${local.toString(16).toUpperCase().padStart(4, '0')}`);
    });
    expect(serverSide).toBeDefined();
    // timer_active 2 = the keepalive timer is armed.
    expect(serverSide!.trim().split(/\s+/)[5]!.startsWith('02:')).toBe(true);
    gdb.close();
  });
});

describe('clients that do not read', () => {
  it('stops reading a no-ack client that never reads its replies, keeping memory bounded', async () => {
    const before = await boardState();
    const gdb = await attach();
    await gdb.noAck();
    const socket = gdb.rawSocket;
    socket.pause(); // never read
    const request = framePacket('m0,ffff'); // each reply is ~128 KiB
    const rssBefore = process.memoryUsage().rss;
    let writes = 0;
    // Send 2 500 requests (~330 MiB of replies) as fast as the kernel takes them.
    for (let i = 0; i < 2500; i++) {
      if (!socket.write(request)) await Promise.race([new Promise((r) => socket.once('drain', r)), new Promise((r) => setTimeout(r, 200))]);
      writes++;
    }
    await new Promise((r) => setTimeout(r, 300));
    const growth = process.memoryUsage().rss - rssBefore;
    expect(writes).toBe(2500);
    expect(growth).toBeLessThan(64 * 1024 * 1024);
    socket.destroy();
    expect(await boardState()).toBe(before);
    (await attach()).close();
  });

  it('ignores a burst of resend requests while replies are backed up', async () => {
    const gdb = await attach(); // ack mode: '-' asks for the last reply again
    const socket = gdb.rawSocket;
    socket.pause();
    gdb.send('m0,ffff');
    await new Promise((r) => setTimeout(r, 50));
    const rssBefore = process.memoryUsage().rss;
    socket.write(Buffer.alloc(64 * 1024, '-')); // 65 536 resends of a 128 KiB reply would be 8 GiB
    await new Promise((r) => setTimeout(r, 300));
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    socket.destroy();
    (await attach()).close();
  });
});

describe('framing and breakpoint edge cases', () => {
  it('answers a packet whose last byte is a lone escape with E16 instead of swallowing it', async () => {
    const gdb = await attach();
    expect(await gdb.request('m160000,4}')).toBe('E16');
    expect(await gdb.request('qC')).toBe('QC1');
    gdb.close();
  });

  it('checks the length of a watchpoint planted again at the same address', async () => {
    const gdb = await attach();
    expect(await gdb.request('Z2,160000,8')).toBe('OK');
    expect(await gdb.request('Z2,160000,1000')).toBe('E16');
    expect(await gdb.request('Z2,160000,0')).toBe('E16');
    expect(await gdb.request('z2,160000,8')).toBe('OK');
    gdb.close();
  });
});
