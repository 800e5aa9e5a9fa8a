// Framing and encodings of the RSP layer: checksums, hex, `}` escapes, `*` run-length
// decoding, and the byte-at-a-time framer under every split, Ctrl-C placement and abuse.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bytesToHex,
  checksum,
  escapeBinary,
  expandRuns,
  frame,
  hexToBytes,
  MalformedPacketError,
  parseHexNumber,
  parseHexSmall,
  unescapeBinary,
  unescapeBinaryInPlace,
  unescapedLength,
  writeHexSummed,
} from '../../../src/rsp/codec.js';
import { PacketFramer, type FrameEvent } from '../../../src/rsp/framer.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');
const str = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function packets(events: FrameEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'packet' ? [str(e.payload)] : []));
}

describe('codec', () => {
  it('computes checksums modulo 256', () => {
    expect(checksum(bytes('qSupported'))).toBe(0x37);
    expect(checksum(bytes(''))).toBe(0);
    expect(str(frame(bytes('OK')))).toBe('$OK#9a');
  });

  it('computes the same checksum as a byte-by-byte sum at any length and alignment', () => {
    const naive = (data: Uint8Array): number => data.reduce((sum, b) => (sum + b) & 0xff, 0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 0, max: 7 }), (data, offset) => {
        const shifted = new Uint8Array(data.length + offset);
        shifted.set(data, offset);
        expect(checksum(shifted.subarray(offset))).toBe(naive(data));
      }),
    );
    // 256 KiB of 0xff: every lane at its largest, many blocks.
    expect(checksum(new Uint8Array(1 << 18).fill(0xff))).toBe(((1 << 18) * 0xff) & 0xff);
  });

  it('writes hex and its checksum in one pass, at any offset and input alignment', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 4000, maxLength: 5000 })), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1 }), (bytes, at, shift) => {
        const data = Uint8Array.from([0, ...bytes]).subarray(1 - shift);
        if (shift === 1) data[0] = 0xa5;
        const out = Buffer.alloc(at + data.length * 2 + 1, 0x55);
        const sum = writeHexSummed(data, out, at);
        expect(out.toString('latin1', at, at + data.length * 2)).toBe(Buffer.from(data).toString('hex'));
        expect(out[at + data.length * 2]).toBe(0x55);
        expect(sum).toBe(checksum(out, at, at + data.length * 2));
      }),
    );
  });

  it('round-trips hex and rejects odd or non-hex input', () => {
    expect(bytesToHex(Uint8Array.of(0, 0xab, 0xff))).toBe('00abff');
    expect(Array.from(hexToBytes('00ABff'))).toEqual([0, 0xab, 0xff]);
    expect(() => hexToBytes('abc')).toThrow(MalformedPacketError);
    expect(() => hexToBytes('zz')).toThrow(/not hexadecimal/);
  });

  it('parses hex numbers of up to 64 bits only', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.boolean(), fc.nat(3), (value, upper, zeros) => {
        const text = '0'.repeat(zeros) + value.toString(16);
        if (text.length > 16) return;
        expect(parseHexNumber(upper ? text.toUpperCase() : text, 'a')).toBe(value);
      }),
    );
    for (const bad of ['', 'g', '12 ', ' 12', '0x12', '1_0', '-1', '1'.repeat(17)]) expect(() => parseHexNumber(bad, 'a')).toThrow(MalformedPacketError);
    expect(parseHexSmall('7fffffff', 'n')).toBe(0x7fff_ffff);
    expect(() => parseHexSmall('80000000', 'n')).toThrow(/larger than 0x7fffffff/);
    expect(() => parseHexSmall('fffffffffffffff', 'n')).toThrow(/larger than/);
    expect(parseHexNumber('ffffffffffffffff', 'a')).toBe(0xffff_ffff_ffff_ffffn);
    expect(() => parseHexNumber('1ffffffffffffffff', 'address')).toThrow(/at most 64 bits/);
    expect(() => parseHexNumber('', 'address')).toThrow(MalformedPacketError);
  });

  it('escapes #, $, } and * and nothing else', () => {
    expect(str(escapeBinary(bytes('a#b$c}d*e')))).toBe('a}\x03b}\x04c}]d}\x0ae');
    expect(str(unescapeBinary(bytes('a}\x03b}\x04c}]d}\x0ae')))).toBe('a#b$c}d*e');
    expect(() => unescapeBinary(bytes('abc}'))).toThrow(/lone/);
  });

  it('escape and unescape are inverse on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const escaped = escapeBinary(data);
        for (const b of escaped) expect([0x23, 0x24, 0x2a].includes(b)).toBe(false);
        expect(Array.from(unescapeBinary(escaped))).toEqual(Array.from(data));
        expect(Array.from(unescapeBinaryInPlace(Uint8Array.from(escaped)))).toEqual(Array.from(data));
      }),
    );
  });

  it('unescapes in place whatever the density of escapes, and refuses a lone } at the end', () => {
    // Sparse escapes, dense ones and a mix, each long enough for the WebAssembly kernel.
    const sparse = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7 + (i >> 5)) & 0xff);
    const dense = new Uint8Array(3000).fill(0x2a);
    const mixed = Uint8Array.from([...dense.subarray(0, 1000), ...sparse, ...dense.subarray(0, 500)]);
    for (const data of [sparse, dense, mixed]) {
      expect(Buffer.from(unescapeBinaryInPlace(Uint8Array.from(escapeBinary(data))))).toEqual(Buffer.from(data));
    }
    const lone = Uint8Array.from([...escapeBinary(dense), 0x7d]);
    expect(() => unescapeBinaryInPlace(lone)).toThrow(/lone/);
    expect(() => unescapeBinaryInPlace(bytes('ab}'))).toThrow(/lone/);
  });

  it('tells the unescaped length without unescaping, for any bytes a client may send', () => {
    // Any bytes, not only what escapeBinary makes: `}}` is one escaped byte, and a `}` at the
    // very end is malformed for both.
    fc.assert(
      // Up to 1500 bytes: both the byte loop and (from 512 bytes) the WebAssembly kernel.
      fc.property(fc.uint8Array({ maxLength: 1500 }).map((a) => a.map((b) => (b & 1 ? 0x7d : b))), (data) => {
        let unescaped: number | string;
        try {
          unescaped = unescapeBinaryInPlace(Uint8Array.from(data)).length;
        } catch (err) {
          unescaped = (err as Error).message;
        }
        let counted: number | string;
        try {
          counted = unescapedLength(data);
        } catch (err) {
          counted = (err as Error).message;
        }
        expect(counted).toEqual(unescaped);
      }),
    );
    expect(unescapedLength(escapeBinary(new Uint8Array(3000).fill(0x7d)))).toBe(3000);
    expect(() => unescapedLength(bytes('ab}'))).toThrow(/lone/);
  });

  it('expands run-length encoding', () => {
    // '0* ' = '0' repeated 32 - 29 = 3 more times.
    expect(str(expandRuns(bytes('0* '), 100))).toBe('0000');
    expect(str(expandRuns(bytes('ab*"c'), 100))).toBe('abbbbbbc');
    expect(() => expandRuns(bytes('*!'), 100)).toThrow(/no byte to repeat/);
    expect(() => expandRuns(bytes('a*'), 100)).toThrow(/without a count/);
    expect(() => expandRuns(bytes('a*~'), 10)).toThrow(/exceeds/);
  });
});

describe('PacketFramer', () => {
  it('finds packets, acks, naks and Ctrl-C in one chunk', () => {
    const f = new PacketFramer(1000);
    const events = f.push(bytes('+$g#67-\x03$?#3f'));
    expect(events.map((e) => e.kind)).toEqual(['ack', 'packet', 'nak', 'interrupt', 'packet']);
    expect(packets(events)).toEqual(['g', '?']);
  });

  it('treats 0x03 inside a packet as data', () => {
    const payload = 'X0,1:\x03';
    const events = new PacketFramer(100).push(frame(bytes(payload)));
    expect(packets(events)).toEqual([payload]);
  });

  it('gives the same packets whatever way the bytes are split', () => {
    const stream = Buffer.concat([frame(bytes('m0,4')), bytes('+'), frame(bytes('X10,2:}]}\x03')), bytes('\x03'), frame(bytes('qSupported:swbreak+'))]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 8 }), (cuts) => {
        const f = new PacketFramer(1000);
        const sorted = [...new Set(cuts)].sort((a, b) => a - b);
        const events: FrameEvent[] = [];
        let from = 0;
        for (const at of [...sorted, stream.length]) {
          events.push(...f.push(stream.subarray(from, at)));
          from = at;
        }
        expect(events.map((e) => e.kind)).toEqual(['packet', 'ack', 'packet', 'interrupt', 'packet']);
        expect(packets(events)).toEqual(['m0,4', 'X10,2:}]}\x03', 'qSupported:swbreak+']);
      }),
    );
  });

  it('keeps any payload of data and escapes whole, and flags an odd run of } before #, whatever the split', () => {
    // Payloads drawn from '}', ']' (an escaped '}'), ordinary bytes and Ctrl-C, so that runs
    // of '}' of every length end up at every position, the end of the payload included.
    const alphabet = [0x7d, 0x7d, 0x5d, 0x61, 0x03, 0x2b];
    const payload = fc.uint8Array({ maxLength: 40 }).map((b) => b.map((x) => alphabet[x % alphabet.length]!));
    fc.assert(
      fc.property(fc.array(payload, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), (payloads, cutSeeds) => {
        const stream = Buffer.concat(payloads.map((p) => frame(p)));
        const cuts = [...new Set(cutSeeds.map((c) => c % stream.length))].sort((a, b) => a - b);
        const f = new PacketFramer(1000);
        const events: FrameEvent[] = [];
        let from = 0;
        for (const at of [...cuts, stream.length]) {
          events.push(...f.push(stream.subarray(from, at)));
          from = at;
        }
        const expected = payloads.map((p) => {
          let k = 0;
          while (k < p.length && p[p.length - 1 - k] === 0x7d) k++;
          return k % 2 === 1 ? 'malformed' : str(p);
        });
        expect(events.map((e) => (e.kind === 'packet' ? str(e.payload) : e.kind))).toEqual(expected);
      }),
    );
  });

  it('keeps each large payload intact while the next one is framed (no buffer shared)', () => {
    const f = new PacketFramer(0x20000);
    const one = Buffer.from(escapeBinary(Uint8Array.from({ length: 40_000 }, (_, i) => (i * 7) & 0xff)));
    const two = Buffer.from(escapeBinary(Uint8Array.from({ length: 50_000 }, (_, i) => (i * 13 + 1) & 0xff)));
    const stream = Buffer.concat([frame(one), frame(two), frame(one)]);
    const payloads: Uint8Array[] = [];
    for (let at = 0; at < stream.length; at += 4096) {
      for (const event of f.push(stream.subarray(at, at + 4096))) if (event.kind === 'packet') payloads.push(event.payload);
    }
    // Compared only now, after all three were framed.
    expect(payloads.map((p) => Buffer.from(p))).toEqual([one, two, one]);
  });

  it('does not end a packet at an escaped #', () => {
    const payload = bytes('X0,1:}\x03');
    expect(packets(new PacketFramer(100).push(frame(payload)))).toEqual(['X0,1:}\x03']);
  });

  it('ends a packet at a # right after a lone escape, and reports it malformed', () => {
    const body = bytes('m0,4}');
    const events = new PacketFramer(100).push(Buffer.concat([frame(body), frame(bytes('g'))]));
    expect(events[0]).toEqual({ kind: 'malformed', reason: "escape character '}' right before '#'" });
    expect(packets(events)).toEqual(['g']);
  });

  it('restarts at a $ even right after an escape', () => {
    expect(packets(new PacketFramer(100).push(bytes('$X0,1:}$g#67')))).toEqual(['g']);
  });

  it('reports a bad checksum with the expected value', () => {
    const [event] = new PacketFramer(100).push(bytes('$g#00'));
    expect(event).toEqual({ kind: 'bad-checksum', expected: 0x67, received: '00' });
    const [junk] = new PacketFramer(100).push(bytes('$g#zz'));
    expect(junk?.kind).toBe('bad-checksum');
  });

  it('drains an oversized packet without buffering it and recovers', () => {
    const f = new PacketFramer(64);
    const big = 'M0,1000:' + '00'.repeat(50_000);
    const events = f.push(Buffer.concat([frame(bytes(big)), frame(bytes('g'))]));
    expect(events[0]).toEqual({ kind: 'oversized', length: big.length });
    expect(packets(events)).toEqual(['g']);
  });

  it('restarts on an unescaped $ inside a packet', () => {
    const events = new PacketFramer(100).push(bytes('$m0,4$g#67'));
    expect(packets(events)).toEqual(['g']);
  });

  it('expands run-length encoded payloads and flags broken ones', () => {
    const events = new PacketFramer(100).push(frame(bytes('M0,2:0* ')));
    expect(packets(events)).toEqual(['M0,2:0000']);
    const [bad] = new PacketFramer(100).push(frame(bytes('*x')));
    expect(bad?.kind).toBe('malformed');
  });

  it('skips noise between packets', () => {
    const events = new PacketFramer(100).push(bytes('hello$g#67'));
    expect(events.filter((e) => e.kind === 'noise')).toHaveLength(5);
    expect(packets(events)).toEqual(['g']);
  });
});
