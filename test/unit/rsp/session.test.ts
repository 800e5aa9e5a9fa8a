// The session's output in ack mode, write by write: a packet's '+' travels in the same write
// as its reply, and is sent alone, before the end of the chunk, when no reply comes at once
// (a resume, a slow monitor command, a packet queued behind one), so GDB never waits for it.

import { describe, expect, it } from 'vitest';
import { frame } from '../../../src/rsp/codec.js';
import { RspSession } from '../../../src/rsp/session.js';
import { FakeTarget } from '../../protocol/fakeTarget.js';

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

function session(): { receive(text: string): void; writes: string[] } {
  const writes: string[] = [];
  const s = new RspSession(new FakeTarget(), { write: (bytes) => writes.push(Buffer.from(bytes).toString('latin1')), end: () => undefined }, { log: () => undefined });
  return { receive: (text) => s.receive(Buffer.from(text, 'latin1')), writes };
}

const packet = (payload: string) => Buffer.from(frame(Buffer.from(payload, 'latin1'))).toString('latin1');

describe('acks in ack mode', () => {
  it('sends each reply in one write with the ack of its packet, two packets in one chunk included', () => {
    const s = session();
    s.receive(packet('qC') + packet('vMustReplyEmpty'));
    expect(s.writes).toEqual([`+${packet('QC1')}`, `+${packet('')}`]);
  });

  it('acks a continue at once, alone, and sends the stop reply when the target stops', () => {
    const s = session();
    s.receive(packet('c'));
    expect(s.writes).toEqual(['+']);
    s.receive('\x03');
    expect(s.writes).toEqual(['+', packet('T02thread:1;')]);
  });

  it('sends a stop that comes at once (a step) with the ack of the packet that resumed', () => {
    const s = session();
    s.receive(packet('s'));
    expect(s.writes).toEqual([`+${packet('T05thread:1;')}`]);
  });

  it('acks a slow monitor command and the packet queued behind it before either reply', async () => {
    const s = session();
    s.receive(packet(`qRcmd,${hex('slow')}`) + packet('qC'));
    expect(s.writes).toEqual(['+', '+']);
    await new Promise((r) => setTimeout(r, 30));
    expect(s.writes.slice(2).map((w) => w[0])).toEqual(['$', '$', '$']); // O packet, OK, QC1
    expect(s.writes.at(-1)).toBe(packet('QC1'));
  });

  it('naks a bad checksum and resends the last reply without an ack', () => {
    const s = session();
    s.receive(packet('qC'));
    s.receive('$qC#00');
    s.receive('-');
    expect(s.writes).toEqual([`+${packet('QC1')}`, '-', packet('QC1')]);
  });

  it('writes nothing after the packet that ended the session, not even an ack', () => {
    const s = session();
    s.receive(packet('D') + packet('qC'));
    expect(s.writes).toEqual([`+${packet('OK')}`]);
  });

  it('stops acking after QStartNoAckMode, whose own reply still carries its ack', () => {
    const s = session();
    s.receive(packet('QStartNoAckMode'));
    s.receive('+' + packet('qC'));
    expect(s.writes).toEqual([`+${packet('OK')}`, packet('QC1')]);
  });
});
