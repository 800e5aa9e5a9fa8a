// The judgement of what a connection sends before its first packet: debuggers' openings pass,
// anything shaped as an HTTP request (the only thing a web page can make a browser send to a
// loopback port) is refused, however it is split and whatever follows it.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { judgePreamble, MAX_PREAMBLE_BYTES } from '../../../src/rsp/preamble.js';

const judge = (text: string) => judgePreamble(Buffer.from(text, 'latin1'));

describe('judgePreamble', () => {
  it('lets the openings of GDB and LLDB through', () => {
    expect(judge('+$qSupported:multiprocess+#c9')).toEqual({ kind: 'debugger', packetStart: 1 });
    expect(judge('$QStartNoAckMode#b0')).toEqual({ kind: 'debugger', packetStart: 0 });
    expect(judge('+\x03+-$g#67')).toEqual({ kind: 'debugger', packetStart: 4 });
  });

  it('waits while nothing decides', () => {
    expect(judge('')).toEqual({ kind: 'undecided' });
    expect(judge('+')).toEqual({ kind: 'undecided' });
    expect(judge('PO')).toEqual({ kind: 'undecided' });
  });

  it('refuses request lines of every method, and browser header lines', () => {
    for (const line of ['GET / HTTP/1.1', 'POST /x HTTP/1.1', 'PUT / HTTP/1.0', 'OPTIONS * HTTP/1.1', 'DELETE /a HTTP/1.1', 'PATCH /', 'PRI * HTTP/2.0', 'M-SEARCH * HTTP/1.1']) {
      expect(judge(`${line}\r\n\r\n$g#67`).kind, line).toBe('foreign');
    }
    for (const header of ['Host: 127.0.0.1:1234', 'origin: http://evil.example', 'User-Agent: x', 'Sec-Fetch-Mode: no-cors', 'Content-Type: text/plain']) {
      expect(judge(`junk\r\n${header}\r\n$g#67`).kind, header).toBe('foreign');
    }
  });

  it('refuses a request line before it has seen any packet, whatever the split', () => {
    expect(judge('POST ').kind).toBe('undecided');
    expect(judge('POST /').kind).toBe('foreign');
  });

  it('refuses a connection that sends a lot without a packet', () => {
    expect(judge('+'.repeat(MAX_PREAMBLE_BYTES + 1)).kind).toBe('foreign');
  });

  it('never takes a packet for a request: any debugger opening of acks and a packet passes', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[+\-\x03]{0,8}$/), fc.string({ maxLength: 40 }), (acks, body) => {
        const verdict = judge(`${acks}$${body}`);
        expect(verdict).toEqual({ kind: 'debugger', packetStart: acks.length });
      }),
    );
  });
});
