// Raw round trips for `npm run bench`: a client of our own (no GDB in the path) that sends
// thousands of sequential packets over one no-ack connection and times each from the write
// of the request to the arrival of the whole reply. GDB's own cost per command is then out of
// the figure: what is left is the stub, the kernel's loopback and this client, and the last
// two are the same for every stub measured. Kinds are interleaved (m, g, m, g, ...) so that a
// burst of load from elsewhere on the machine hits all of them alike.
// `node dist/tools/benchRaw.js PORT [RAM_ADDRESS] [COUNT]` measures a stub already listening.

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

/**
 * Connects, turns acks off (when the stub offers it; otherwise acknowledges every reply, as
 * GDB would), then times `count` round trips of each kind, after `warmup` untimed ones.
 */
export async function measureRoundTrips(port: number, ram: number, count: number, warmup = Math.min(200, count)): Promise<RoundTrips> {
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
  const kinds = { m: framed(`m${ram.toString(16)},8`), g: framed('g') } as const;
  const ackThen = (packet: Buffer): Buffer => (ack ? Buffer.concat([Buffer.of(PLUS), packet]) : packet);
  // In ack mode each request carries the '+' for the previous reply, as GDB's does.
  const m = ackThen(kinds.m);
  const g = ackThen(kinds.g);
  const samples = { m: [] as number[], g: [] as number[] };

  await new Promise<void>((resolve) => {
    let i = 0;
    let began = 0;
    let kind: 'm' | 'g' = 'm';
    const send = (): void => {
      kind = i % 2 === 0 ? 'm' : 'g';
      reader.next = received;
      began = performance.now();
      socket.write(kind === 'm' ? m : g);
    };
    // A callback, not a promise per packet: the client's own cost is part of every figure.
    const received = (): void => {
      const seconds = (performance.now() - began) / 1000;
      if (i >= 2 * warmup) samples[kind].push(seconds);
      i++;
      if (i < 2 * (warmup + count)) send();
      else resolve();
    };
    send();
  });
  socket.write(ack ? Buffer.concat([Buffer.of(PLUS), framed('k')]) : framed('k'));
  socket.end();
  return samples;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2]);
  const ram = Number(process.argv[3] ?? 0x1000_0000);
  const count = Number(process.argv[4] ?? 3000);
  measureRoundTrips(port, ram, count).then(
    (r) => {
      for (const [kind, samples] of Object.entries(r)) {
        const p = percentiles(samples);
        process.stdout.write(`${kind}: median ${(p.median * 1e6).toFixed(1)} µs, p90 ${(p.p90 * 1e6).toFixed(1)} µs, p99 ${(p.p99 * 1e6).toFixed(1)} µs\n`);
      }
    },
    (err: unknown) => {
      process.stderr.write(`benchRaw: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
