// The "null stub": a GDB remote stub that answers every packet at once from precomputed data
// (zeros for registers and memory, OK for writes). Driving it with the benchmark's GDB work
// measures GDB's own cost on this machine, the floor no stub can go below; so it does as
// little per packet as Node allows: it finds a frame's end with the native indexOf (binary
// data cannot contain '#', GDB escapes it), reads into one kept buffer as mpustub does
// (src/util/keptBufferReader.ts), keeps only a packet's first bytes (an X packet's 128 KiB of
// data are never copied), does not verify checksums, and answers with one write of
// a reply framed in advance. By default it serves mpustub's target description and `g` size
// (the core registers, as mpustub's `g` carries them) and answers `p` at each register's own
// size, so GDB does the same work as against mpustub. src/tools/nullStub.py is the same stub
// in Python, to show that what remains is not Node's.
// `node dist/tools/nullStub.js [--port N] [--packet-size HEX] [--target-xml FILE --g-bytes N]`
// prints `gdb: target remote 127.0.0.1:PORT`. The PacketSize it offers can be changed to
// measure what GDB makes of larger packets; with --target-xml it serves another description
// (QEMU's, say) and a `g` block of --g-bytes, to measure what GDB's own work per register
// read owes to the description.

import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { buildTargetXml } from '../arch/aarch64/targetXml.js';
import { G_PACKET_REGISTERS } from '../arch/aarch64/registers.js';
import { escapeBinary, frame, hexDigit } from '../rsp/codec.js';
import { readIntoKeptBuffer } from '../util/keptBufferReader.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const PACKET_SIZE = option('--packet-size', 0x20000);
const xmlFile = process.argv.includes('--target-xml') ? process.argv[process.argv.indexOf('--target-xml') + 1] : undefined;
const xml = xmlFile ? readFileSync(xmlFile) : Buffer.from(buildTargetXml());
const G_BYTES = option(
  '--g-bytes',
  G_PACKET_REGISTERS.reduce((n, reg) => n + reg.bitsize / 8, 0),
);

const framed = (text: string): Buffer => Buffer.from(frame(Buffer.from(text, 'latin1')));

/**
 * Bytes of each register by number, as GDB numbers the description: in document order, an
 * explicit regnum restarting the count. A `p` reply must have the register's own size (GDB
 * reads the FPU registers, outside `g`, with `p`).
 */
function registerSizes(description: string): Map<number, number> {
  const sizes = new Map<number, number>();
  let next = 0;
  for (const [element] of description.matchAll(/<reg\s[^>]*>/g)) {
    const regnum = /\bregnum="(\d+)"/.exec(element)?.[1];
    const bits = /\bbitsize="(\d+)"/.exec(element)?.[1];
    if (regnum !== undefined) next = Number(regnum);
    sizes.set(next++, Number(bits ?? 64) / 8);
  }
  return sizes;
}
const OK = framed('OK');
const EMPTY = framed('');
const FIXED = new Map<string, Buffer>([
  ['QStartNoAckMode', OK],
  ['?', framed('T05thread:1;')],
  ['qC', framed('QC1')],
  ['qfThreadInfo', framed('m1')],
  ['qsThreadInfo', framed('l')],
  ['qAttached', framed('1')],
  ['vMustReplyEmpty', EMPTY],
]);
const SUPPORTED = framed(`PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;QStartNoAckMode+`);
/** `p` replies by register number (an array index, not a map lookup), framed once each; 8 bytes for a number the description lacks. */
const REGISTERS: Array<Buffer | undefined> = [];
for (const [regnum, bytes] of registerSizes(xml.toString('utf8'))) REGISTERS[regnum] = framed('00'.repeat(bytes));
const REGISTER = framed('00'.repeat(8));
const G_REPLY = framed('00'.repeat(G_BYTES));
/** `m` replies by length, framed once each, found by index. */
const memoryReplies: Array<Buffer | undefined> = [];
const XFER = 'qXfer:features:read:target.xml:';

function memory(length: number): Buffer {
  let reply = memoryReplies[length];
  if (!reply) {
    reply = framed('0'.repeat(Math.min(PACKET_SIZE - 4, length * 2)));
    memoryReplies[length] = reply;
  }
  return reply;
}

/** The value of the hex digits of bytes[from, to) up to the first other byte (0 when none). */
function hexAt(bytes: Uint8Array, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = hexDigit(bytes[i]!);
    if (digit < 0) break;
    value = value * 16 + digit;
  }
  return value;
}

const CH_g = 0x67;
const CH_m = 0x6d;
const CH_p = 0x70;
const COMMA = 0x2c;
/** Packets answered OK whatever they carry: writes, thread selection, detach. */
const ANSWERED_OK = new Set([0x58 /* X */, 0x4d /* M */, 0x48 /* H */, 0x54 /* T */, 0x44 /* D */]);

/**
 * The framed reply to a packet, from its first bytes (bytes[from, to), in the chunk itself
 * when the packet arrived whole); undefined for `k` (no reply). `g`, `m` and `p`, what GDB
 * sends between stops, are answered from the bytes, with no string and no map lookup.
 */
function reply(header: Buffer, from: number, to: number): Buffer | undefined {
  const first = header[from]!;
  if (first === CH_g && to === from + 1) return G_REPLY;
  if (first === CH_m) {
    const comma = header.indexOf(COMMA, from);
    return memory(comma < 0 || comma >= to ? 0 : hexAt(header, comma + 1, to));
  }
  if (first === CH_p) return REGISTERS[hexAt(header, from + 1, to)] ?? REGISTER;
  if (ANSWERED_OK.has(first)) return OK;
  const text = header.toString('latin1', from, to);
  const fixed = FIXED.get(text);
  if (fixed) return fixed;
  if (text === 'k') return undefined;
  if (text.startsWith('qSupported')) return SUPPORTED;
  if (text.startsWith(XFER)) {
    const [offset, size] = text.slice(XFER.length).split(',').map((n) => parseInt(n, 16)) as [number, number];
    const chunk = escapeBinary(xml.subarray(offset, offset + size));
    return Buffer.from(frame(Buffer.concat([Buffer.from(offset + size >= xml.length ? 'l' : 'm'), chunk])));
  }
  return EMPTY;
}

const DOLLAR = 0x24;
const HASH = 0x23;
/** Enough of a packet to answer it: `m`, `p` and `X` headers, qXfer, qSupported's start. */
const HEADER_BYTES = 256;

function serve(accepted: Socket): void {
  let ack = true;
  /** 0: between packets; 1: in a payload; 2, 3: in the checksum (4: it is complete). */
  let state = 0;
  const header = Buffer.alloc(HEADER_BYTES);
  let headerLength = 0;
  /** Answers the packet whose first bytes are bytes[from, to); false once the session ends (`k`). */
  const answer = (bytes: Buffer, from: number, to: number): boolean => {
    const framedReply = reply(bytes, from, to);
    if (!framedReply) {
      socket.end();
      return false;
    }
    // One write per reply: in ack mode the '+' goes out with it.
    socket.write(ack ? Buffer.concat([Buffer.of(0x2b), framedReply]) : framedReply);
    if (ack && to - from === 15 && bytes.toString('latin1', from, to) === 'QStartNoAckMode') ack = false;
    return true;
  };
  // Read as mpustub reads: into one kept buffer (the chunk is lent; only `header` keeps bytes).
  const onChunk = (chunk: Buffer): void => {
    let i = 0;
    while (i < chunk.length) {
      if (state === 0) {
        const start = chunk.indexOf(DOLLAR, i);
        if (start < 0) return; // acks and noise
        i = start + 1;
        const end = chunk.indexOf(HASH, i);
        // A packet that ends in this chunk, checksum included (all but large X), is read
        // where it is: no copy of its first bytes.
        if (end >= 0 && end + 2 < chunk.length) {
          if (!answer(chunk, i, Math.min(end, i + HEADER_BYTES))) return;
          i = end + 3;
          continue;
        }
        state = 1;
        headerLength = 0;
      }
      if (state === 1) {
        const end = chunk.indexOf(HASH, i);
        const stop = end < 0 ? chunk.length : end;
        if (headerLength < HEADER_BYTES) headerLength += chunk.copy(header, headerLength, i, Math.min(stop, i + HEADER_BYTES - headerLength));
        if (end < 0) return;
        i = end + 1;
        state = 2;
      }
      const digits = Math.min(4 - state, chunk.length - i);
      state += digits;
      i += digits;
      if (state < 4) return;
      state = 0;
      if (!answer(header, 0, headerLength)) return;
    }
  };
  const socket = readIntoKeptBuffer(accepted, onChunk);
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
}

const server = createServer({ pauseOnConnect: true }, serve);
server.listen(option('--port', 0), '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`gdb: target remote 127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
