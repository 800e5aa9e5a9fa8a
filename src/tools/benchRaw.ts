// Raw round trips for `npm run bench`: a client of our own (no GDB in the path) that sends
// thousands of sequential packets over one no-ack connection and times each from the write
// of the request to the arrival of the whole reply. GDB's own cost per command is then out of
// the figure: what is left is the stub, the kernel's loopback and this client, and the last
// two are the same for every stub measured. Several stubs are measured in one run, taking turns
// by short blocks, so that a burst of load from elsewhere on the machine hits all of them alike.
// `node dist/tools/benchRaw.js COUNT PORT[@RAM] ...` measures stubs already listening.

import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { frame } from '../rsp/codec.js';

export interface Percentiles {
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
}

/** Seconds per round trip, one sample per packet, by kind (`m` of 8 bytes, `g`). */
export type RoundTrips = Record<'m' | 'g', number[]>;

export function percentiles(samples: readonly number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p90: at(0.9), p99: at(0.99) };
}

const PLUS = 0x2b;
const DOLLAR = 0x24;
const HASH = 0x23;

/**
 * One connection's replies, in order: whatever arrives is scanned for `$...#cc` (acks and
 * anything else between frames skipped); `next` gets called once per complete reply.
 */
class ReplyReader {
  private state: 'idle' | 'payload' | 'checksum' = 'idle';
  private digits = 0;
  private parts: Buffer[] = [];
  next: ((payload: Buffer) => void) | undefined;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.push(chunk));
  }

  private push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'idle') {
        const start = chunk.indexOf(DOLLAR, i);
        if (start < 0) return;
        this.state = 'payload';
        this.parts = [];
        i = start + 1;
      }
      if (this.state === 'payload') {
        const end = chunk.indexOf(HASH, i);
        this.parts.push(chunk.subarray(i, end < 0 ? chunk.length : end));
        if (end < 0) return;
        this.state = 'checksum';
        this.digits = 0;
        i = end + 1;
      }
      const take = Math.min(2 - this.digits, chunk.length - i);
      this.digits += take;
      i += take;
      if (this.digits < 2) return;
      this.state = 'idle';
      const payload = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
      const next = this.next;
      this.next = undefined;
      next?.(payload);
    }
  }
}

const framed = (text: string): Buffer => Buffer.from(frame(Buffer.from(text, 'latin1')));

function request(socket: Socket, reader: ReplyReader, packet: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    reader.next = resolve;
    socket.write(packet);
  });
}

/** One stub's connection, acks off when it offers that. */
interface Connection {
  readonly socket: Socket;
  readonly reader: ReplyReader;
  /** The requests, each with the '+' for the previous reply first while acks are on (as GDB sends them). */
  readonly m: Buffer;
  readonly g: Buffer;
  readonly ack: boolean;
}

/** Connects, and turns acks off when the stub offers it; otherwise every reply is acknowledged, as GDB would. */
async function open(port: number, ram: number): Promise<Connection> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const reader = new ReplyReader(socket);
  const supported = (await request(socket, reader, framed('qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+'))).toString('latin1');
  socket.write(Buffer.of(PLUS));
  let ack = true;
  if (supported.includes('QStartNoAckMode+')) {
    await request(socket, reader, framed('QStartNoAckMode'));
    socket.write(Buffer.of(PLUS));
    ack = false;
  }
  const ackThen = (packet: Buffer): Buffer => (ack ? Buffer.concat([Buffer.of(PLUS), packet]) : packet);
  return { socket, reader, m: ackThen(framed(`m${ram.toString(16)},8`)), g: ackThen(framed('g')), ack };
}

/** Round trips in a row to one stub before the next stub's turn: about 10 ms of traffic. */
const BLOCK = 200;

/**
 * Times `count` round trips of each kind (m and g alternating) on each stub, after `warmup`
 * untimed ones. With several stubs they take turns by blocks of BLOCK round trips, the
 * starting stub rotating: within a block a stub gets packets back to back, as from a client
 * of its own, and over the run every stub is measured in the same stretches of time, so that
 * load from elsewhere on the machine falls on all of them alike (a same-run A/B). Packet by
 * packet turns would share the load even more finely but measure something else: a stub
 * whose caches the other stubs evicted between two of its packets.
 */
export async function measureRoundTrips(targets: ReadonlyArray<{ port: number; ram: number }>, count: number, warmup = Math.min(200, count)): Promise<RoundTrips[]> {
  const connections: Connection[] = [];
  for (const { port, ram } of targets) connections.push(await open(port, ram));
  const samples = connections.map(() => ({ m: [] as number[], g: [] as number[] }));
  const n = connections.length;
  const perStub = 2 * (warmup + count);
  const total = perStub * n;

  await new Promise<void>((resolve) => {
    let step = 0;
    let began = 0;
    let target = 0;
    const sent = new Array<number>(n).fill(0);
    let kind: 'm' | 'g' = 'm';
    const send = (): void => {
      // Whose turn: block by block, rotating the first stub; a stub that has had its share is skipped.
      const block = Math.floor(step / BLOCK);
      target = (block + Math.floor(block / n)) % n;
      while (sent[target]! >= perStub) target = (target + 1) % n;
      kind = sent[target]! % 2 === 0 ? 'm' : 'g';
      const c = connections[target]!;
      c.reader.next = received;
      began = performance.now();
      c.socket.write(kind === 'm' ? c.m : c.g);
    };
    // A callback, not a promise per packet: the client's own cost is part of every figure.
    const received = (): void => {
      const seconds = (performance.now() - began) / 1000;
      if (sent[target]! >= 2 * warmup) samples[target]![kind].push(seconds);
      sent[target]!++;
      if (++step < total) send();
      else resolve();
    };
    send();
  });
  for (const c of connections) {
    c.socket.write(c.ack ? Buffer.concat([Buffer.of(PLUS), framed('k')]) : framed('k'));
    c.socket.end();
  }
  return samples;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // node dist/tools/benchRaw.js COUNT PORT[@RAM] [PORT[@RAM] ...]
  const count = Number(process.argv[2] ?? 3000);
  const targets = process.argv.slice(3).map((spec) => {
    const [port, ram] = spec.split('@');
    return { port: Number(port), ram: Number(ram ?? 0x1000_0000) };
  });
  measureRoundTrips(targets, count).then(
    (results) => {
      results.forEach((r, i) => {
        for (const [kind, samples] of Object.entries(r)) {
          const p = percentiles(samples);
          process.stdout.write(`${process.argv[3 + i]} ${kind}: median ${(p.median * 1e6).toFixed(1)} µs, p90 ${(p.p90 * 1e6).toFixed(1)} µs, p99 ${(p.p99 * 1e6).toFixed(1)} µs\n`);
        }
      });
    },
    (err: unknown) => {
      process.stderr.write(`benchRaw: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
