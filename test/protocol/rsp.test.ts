// The protocol layer over loopback TCP with a fake target: every packet of the table, the
// reply forms GDB expects (including errors), acks and no-ack mode, resends, Ctrl-C,
// oversized and malformed traffic, one client at a time, and reconnects.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RspServer } from '../../src/rsp/server.js';
import { PACKET_SIZE } from '../../src/rsp/session.js';
import { framePacket, RspClient } from '../support/rspClient.js';
import { FAKE_XML, FakeTarget, HOLE_START } from './fakeTarget.js';

let target: FakeTarget;
let server: RspServer;
let port: number;
let logs: string[];
const clients: RspClient[] = [];

async function client(): Promise<RspClient> {
  const c = await RspClient.connect(port);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  target = new FakeTarget();
  logs = [];
  server = new RspServer(target, { log: (m) => logs.push(m) });
  ({ port } = await server.listen('127.0.0.1', 0));
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
});

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

describe('handshake', () => {
  it('answers qSupported with PacketSize and our features, echoing swbreak/hwbreak only when offered', async () => {
    const c = await client();
    const reply = await c.request('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386');
    const features = reply.split(';');
    expect(features).toContain(`PacketSize=${PACKET_SIZE.toString(16)}`);
    expect(PACKET_SIZE).toBeGreaterThanOrEqual(0x10000);
    expect(features).toEqual(expect.arrayContaining(['QStartNoAckMode+', 'qXfer:features:read+', 'swbreak+', 'hwbreak+', 'binary-upload+']));
    expect((await c.request('qSupported')).split(';')).not.toContain('swbreak+');
  });

  it('acks every packet until no-ack mode, then stops acking', async () => {
    const c = await client();
    expect(await c.request('vMustReplyEmpty')).toBe('');
    expect(c.acks).toEqual(['+']);
    await c.noAck();
    c.sendRaw('+');
    expect(await c.request('qC')).toBe('QC1');
    expect(c.acks).toEqual(['+', '+']);
  });

  it('answers unknown packets with the empty reply', async () => {
    const c = await client();
    for (const p of ['qTStatus', 'qOffsets', 'vFile:open:', 'Z5,100,4', 'bc', 'QThisDoesNotExist']) {
      expect(await c.request(p)).toBe('');
    }
  });

  it('serves target.xml in chunks, escaped as binary, with m/l and E00 for an unknown annex', async () => {
    const c = await client();
    let document = '';
    for (let offset = 0; ; ) {
      const reply = await c.request(`qXfer:features:read:target.xml:${offset.toString(16)},10`);
      const chunk = reply.slice(1).replace(/\}([\s\S])/g, (_m, ch: string) => String.fromCharCode(ch.charCodeAt(0) ^ 0x20));
      document += chunk;
      offset += chunk.length;
      if (reply[0] === 'l') break;
      expect(reply[0]).toBe('m');
    }
    expect(document).toBe(FAKE_XML);
    expect(await c.request('qXfer:features:read:other.xml:0,100')).toBe('E00');
    expect(await c.request('qXfer:features:read:target.xml:zz,100')).toBe('E16');
  });
});

describe('registers and memory', () => {
  it('reads and writes registers with g, G, p and P', async () => {
    const c = await client();
    expect(await c.request('g')).toBe('1111000000000000222200000000000033330000000000004444000000000000');
    expect(await c.request('G' + 'aa00000000000000')).toBe('OK');
    expect(target.registers[0]).toBe(0xaan);
    expect(await c.request('p1')).toBe('2222000000000000');
    expect(await c.request('P1=0100000000000000')).toBe('OK');
    expect(target.registers[1]).toBe(1n);
  });

  it('refuses unknown and read-only registers with errors, never OK or empty', async () => {
    const c = await client();
    expect(await c.request('p63')).toBe('E02');
    expect(await c.request('P3=0000000000000000')).toBe('E1e');
    expect(target.registers[3]).toBe(0x4444n);
    expect(await c.request('P1=00')).toBe('E16');
    expect(await c.request('Pzz=00')).toBe('E16');
    expect(await c.request('G123')).toBe('E16');
  });

  it('reads memory with m, partially at a refused boundary, and E NN when nothing is readable', async () => {
    const c = await client();
    target.memory.set([1, 2, 3, 4], 0x100);
    expect(await c.request('m100,4')).toBe('01020304');
    expect(await c.request(`m${(HOLE_START - 2).toString(16)},8`)).toBe('0000');
    expect(await c.request(`m${HOLE_START.toString(16)},4`)).toMatch(/^E[0-9a-f]{2}$/);
    expect(await c.request('m100')).toBe('E16');
    expect(await c.request('m10000000000000000,4')).toBe('E16');
  });

  it('caps an m reply to what fits in a packet', async () => {
    const c = await client();
    const reply = await c.request('m0,ffff');
    expect(reply.length + 4).toBeLessThanOrEqual(PACKET_SIZE);
    expect(reply.length % 2).toBe(0);
  });

  it('writes memory with M (hex) and X (binary, escaped), all or nothing', async () => {
    const c = await client();
    expect(await c.request('M200,3:0a0b0c')).toBe('OK');
    expect(Array.from(target.memory.subarray(0x200, 0x203))).toEqual([10, 11, 12]);
    const data = Buffer.from([0x23, 0x24, 0x7d, 0x2a, 0x03, 0x00]);
    const escaped = Buffer.from([0x7d, 0x03, 0x7d, 0x04, 0x7d, 0x5d, 0x7d, 0x0a, 0x03, 0x00]);
    expect(await c.request(Buffer.concat([Buffer.from('X300,6:'), escaped]))).toBe('OK');
    expect(Array.from(target.memory.subarray(0x300, 0x306))).toEqual(Array.from(data));
    expect(await c.request('X300,0:')).toBe('OK');
    expect(await c.request(`M${(HOLE_START - 1).toString(16)},2:ffff`)).toMatch(/^E[0-9a-f]{2}$/);
    expect(target.memory[HOLE_START - 1]).toBe(0);
    expect(await c.request('M200,4:0a0b')).toBe('E16');
  });

  it('reads memory as binary with x', async () => {
    const c = await client();
    target.memory.set([0x23, 0x41], 0x400);
    expect(await c.request('x400,2')).toBe('b}\x03A');
    expect(await c.request('x400,0')).toBe('b');
  });
});

describe('execution', () => {
  it('reports the last stop, steps, continues and stops once on Ctrl-C', async () => {
    const c = await client();
    expect(await c.request('?')).toBe('T05thread:1;');
    expect(await c.request('vCont?')).toContain('vCont;c;C;s;S');
    expect(await c.request('vCont;s:1')).toBe('T05thread:1;');
    c.send('vCont;c');
    expect(await c.silentFor(50)).toBe(true);
    c.sendRaw('\x03');
    expect(await c.request('?')).toBe('T02thread:1;'); // the stop reply first
    expect(target.events.filter((e) => e === 'interrupt')).toHaveLength(1);
  });

  it('sends the console text of a stop as O packets just before its stop reply, and not again for ?', async () => {
    const c = await client();
    c.send('vCont;c');
    expect(await c.silentFor(20)).toBe(true);
    target.stopWith({ signal: 5, console: 'caught: something happened\n' });
    expect(await c.reply()).toEqual({ payload: 'T05thread:1;', console: 'caught: something happened\n' });
    expect(await c.silentFor(20)).toBe(true); // nothing after the stop reply
    c.send('?');
    expect(await c.reply()).toEqual({ payload: 'T05thread:1;', console: '' });
    target.stopWith({ signal: 5, console: 'x'.repeat(5000) }); // a step that catches: split, still before
    c.send('vCont;s:1');
    const stepped = await c.reply();
    expect(stepped).toEqual({ payload: 'T05thread:1;', console: 'x'.repeat(5000) });
  });

  it('takes Ctrl-C in the same chunk as the packet that resumed', async () => {
    const c = await client();
    c.sendRaw(Buffer.concat([framePacket('c'), Buffer.from([3])]));
    expect((await c.reply()).payload).toBe('T02thread:1;');
  });

  it('refuses packets sent while running, and ignores Ctrl-C while stopped', async () => {
    const c = await client();
    c.send('c');
    expect(await c.request('g')).toBe('E10');
    c.sendRaw('\x03');
    expect((await c.reply()).payload).toBe('T02thread:1;');
    c.sendRaw('\x03');
    expect(await c.silentFor(50)).toBe(true);
  });

  it('records Z0/Z1 breakpoints and Z2/Z3/Z4 watchpoints', async () => {
    const c = await client();
    expect(await c.request('Z0,1000,4')).toBe('OK');
    expect(await c.request('Z1,2000,4')).toBe('OK');
    expect(target.breakpoints).toEqual(['software@1000/4', 'hardware@2000/4']);
    expect(await c.request('z0,1000,4')).toBe('OK');
    expect(target.breakpoints).toEqual(['hardware@2000/4']);
    expect(await c.request('Z0,dead,4')).toBe('E1c');
    expect(await c.request('Z3,3000,4')).toBe('OK');
    expect(target.breakpoints).toContain('read-watch@3000/4');
    expect(await c.request('Z5,1000,4')).toBe('');
    expect(await c.request('Z0,1000')).toBe('E16');
  });

  it('knows its single thread', async () => {
    const c = await client();
    expect(await c.request('qfThreadInfo')).toBe('m1');
    expect(await c.request('qsThreadInfo')).toBe('l');
    expect(await c.request('qC')).toBe('QC1');
    expect(await c.request('qAttached')).toBe('1');
    expect(await c.request('Hg0')).toBe('OK');
    expect(await c.request('Hc-1')).toBe('OK');
    expect(await c.request('Hg2')).toBe('E02');
    expect(await c.request('T1')).toBe('OK');
    expect(await c.request('T2')).toBe('E02');
  });
});

describe('monitor', () => {
  it('streams output as O packets, then OK', async () => {
    const c = await client();
    c.send(`qRcmd,${hex('hello')}`);
    const reply = await c.reply();
    expect(reply).toEqual({ payload: 'OK', console: 'echo: hello\n' });
  });

  it('reports a failing command as text and E NN, and survives a handler bug', async () => {
    const c = await client();
    c.send(`qRcmd,${hex('fail')}`);
    expect(await c.reply()).toEqual({ payload: 'E16', console: 'error: that went wrong\n' });
    c.send(`qRcmd,${hex('crash')}`);
    expect(await c.reply()).toEqual({ payload: 'E05', console: 'internal error: bug\n' });
    expect(await c.request('qC')).toBe('QC1');
    expect(logs.some((l) => l.includes('internal error'))).toBe(true);
  });

  it('uses E.text when the client announced error-message+', async () => {
    const c = await client();
    await c.request('qSupported:error-message+');
    expect(await c.request('p63')).toBe('E.no register 99');
  });

  it('keeps replies in order behind a slow monitor command', async () => {
    const c = await client();
    c.send(`qRcmd,${hex('slow')}`);
    c.send('qC');
    expect((await c.reply()).payload).toBe('OK');
    expect((await c.reply()).payload).toBe('QC1');
  });
});

describe('bad traffic', () => {
  it('naks a bad checksum and resends its last reply on -', async () => {
    const c = await client();
    c.sendRaw('$qC#00');
    await c.silentFor(30);
    expect(c.acks).toEqual(['-']);
    expect(await c.request('qC')).toBe('QC1');
    c.sendRaw('-');
    expect((await c.reply()).payload).toBe('QC1');
  });

  it('drains an oversized packet, answers an error and keeps serving', async () => {
    const c = await client();
    c.send('M0,ffff:' + '00'.repeat(PACKET_SIZE));
    expect((await c.reply()).payload).toBe('E07');
    expect(await c.request('qC')).toBe('QC1');
  });

  it('answers malformed packets with E16 and leaves the target untouched', async () => {
    const c = await client();
    const before = Buffer.from(target.memory).toString('hex');
    for (const p of ['m', 'mzz,4', 'M0,2:zzzz', 'X0,2', 'X0,4:ab', 'vCont', 'vCont;q', 'Hx', 'c100', 'Dgarbage']) {
      expect(await c.request(p), p).toBe('E16');
    }
    expect(Buffer.from(target.memory).toString('hex')).toBe(before);
    expect(target.registers).toEqual([0x1111n, 0x2222n, 0x3333n, 0x4444n]);
  });

  it('survives random garbage', async () => {
    const c = await client();
    const junk = Buffer.alloc(5000);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) & 0xff;
    c.sendRaw(junk);
    c.sendRaw('#00');
    await c.silentFor(50);
    // Whatever state the garbage left, a well-formed packet is served.
    expect(await c.request('qC')).toBe('QC1');
    expect(target.registers).toEqual([0x1111n, 0x2222n, 0x3333n, 0x4444n]);
  });
});

describe('connections', () => {
  it('refuses a second debugger with a clear error and serves the first undisturbed', async () => {
    const first = await client();
    expect(await first.request('qC')).toBe('QC1');
    const second = await client();
    const reply = await second.request('qSupported');
    expect(reply).toMatch(/^E\.mpustub: the board is already being debugged from 127\.0\.0\.1:\d+; only one GDB at a time$/);
    await second.closedByStub();
    expect(await first.request('qC')).toBe('QC1');
    expect(target.events).toEqual(['attached']);
  });

  it('resets ack mode on reconnect while the target keeps its state', async () => {
    const first = await client();
    await first.noAck();
    expect(await first.request('M10,1:55')).toBe('OK');
    first.close();
    await new Promise((r) => setTimeout(r, 50));
    const second = await client();
    expect(await second.request('m10,1')).toBe('55');
    expect(second.acks).toEqual(['+']);
    expect(target.events).toEqual(['attached', 'detached:disconnect', 'attached']);
  });

  it('ends the session on D and k but keeps serving; a running core is released', async () => {
    const c = await client();
    expect(await c.request('D')).toBe('OK');
    await c.closedByStub();
    const k = await client();
    k.send('c');
    await k.silentFor(20);
    k.send('k');
    await k.closedByStub();
    const again = await client();
    expect(await again.request('qC')).toBe('QC1');
    expect(target.events).toContain('detached:detach');
    expect(target.events, JSON.stringify(target.events)).toContain('detached:kill');
  });
});
