// The incoming half of RSP framing: a state machine that turns whatever TCP delivers (any
// split, several packets per chunk, Ctrl-C between them) into events. A packet that arrived
// whole is checked and handed on in one step, as a view of the chunk. Otherwise, inside a
// payload, it moves run by run, not byte by byte: the native indexOf finds the next '#' or '$'
// and the bytes before it are copied in one go, so a 128 KiB X packet costs a few calls
// instead of a JavaScript step per byte. It never buffers more than `maxPayload` bytes: an oversized packet
// is drained up to its checksum and reported once, so a hostile client cannot make the stub
// grow without bound.

import { asBuffer, checksum, copyOf, expandRuns, hexDigit, MalformedPacketError } from './codec.js';

export type FrameEvent =
  /** A well-formed packet; `payload` is run-length expanded but still `}`-escaped. */
  | { readonly kind: 'packet'; readonly payload: Uint8Array }
  | { readonly kind: 'bad-checksum'; readonly expected: number; readonly received: string }
  /** The packet was longer than the limit; its bytes were dropped. */
  | { readonly kind: 'oversized'; readonly length: number }
  /** The checksum was right but the run-length encoding was not. */
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'ack' }
  | { readonly kind: 'nak' }
  /** Ctrl-C (0x03) outside a packet. */
  | { readonly kind: 'interrupt' }
  /** Bytes outside any packet that mean nothing (skipped, reported for the trace). */
  | { readonly kind: 'noise'; readonly byte: number };

type State = 'idle' | 'payload' | 'checksum-high' | 'checksum-low';

const DOLLAR = 0x24;
const HASH = 0x23;
const ESCAPE = 0x7d;
const ACK = 0x2b;
const NAK = 0x2d;
const CTRL_C = 0x03;
const RUN = 0x2a;
const ACK_EVENT: FrameEvent = { kind: 'ack' };
const NAK_EVENT: FrameEvent = { kind: 'nak' };
const INTERRUPT_EVENT: FrameEvent = { kind: 'interrupt' };

export class PacketFramer {
  private state: State = 'idle';
  private buffer: Uint8Array;
  private length = 0;
  /** Bytes seen in the current packet, including those dropped once over the limit. */
  private seen = 0;
  /** The last byte kept was an unpaired '}': the next one is escaped data. */
  private escaped = false;
  /** The packet's last payload byte was an unpaired '}'. */
  private danglingEscape = false;
  /** The first checksum digit's value (-1: not a hex digit) and character. */
  private checksumHigh = 0;
  private checksumHighByte = 0;
  /** Events of the current `push`, when called without a sink. */
  private collected: FrameEvent[] = [];
  private readonly collect = (event: FrameEvent): void => {
    this.collected.push(event.kind === 'packet' ? { kind: 'packet', payload: copyOf(event.payload) } : event);
  };

  constructor(private readonly maxPayload: number) {
    this.buffer = new Uint8Array(Math.min(maxPayload, 4096));
  }

  /** True between packets: no packet has been started and left unfinished by an earlier chunk. */
  get idle(): boolean {
    return this.state === 'idle';
  }

  /** Feeds a chunk; returns the events it completes, in order, their payloads copied. */
  push(chunk: Uint8Array): FrameEvent[] {
    this.collected = [];
    this.feed(chunk, this.collect);
    return this.collected;
  }

  /**
   * Feeds a chunk; hands each event it completes to `sink`, in order, with no array in between.
   * A packet's payload is a view of the chunk or of the framer's buffer, valid only until the
   * sink returns: a sink that keeps it copies it.
   */
  feed(chunk: Uint8Array, sink: (event: FrameEvent) => void): void {
    const bytes = asBuffer(chunk);
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      if (this.state === 'idle' && bytes[i] === DOLLAR) {
        const end = this.wholePacketAt(bytes, i);
        if (end > 0) {
          sink({ kind: 'packet', payload: bytes.subarray(i + 1, end - 3) });
          i = end;
          continue;
        }
      }
      if (this.state === 'payload') {
        // The run up to the next '#' (end of payload) or '$' (a new packet: this one is
        // abandoned) is data, '}' escapes included: copy it whole.
        const hash = bytes.indexOf(HASH, i);
        const end = hash < 0 ? n : hash;
        const dollar = bytes.indexOf(DOLLAR, i);
        const stop = dollar >= 0 && dollar < end ? dollar : end;
        if (stop > i) {
          this.appendRun(bytes, i, stop);
          i = stop;
          if (i === n) return;
        }
      }
      const event = this.step(bytes[i]!);
      if (event) sink(event);
      i++;
    }
  }

  /**
   * The fast path for a packet that arrived whole (every packet GDB sends but the large X
   * ones): when bytes[start] opens a well-formed packet that ends in this chunk, with no '$'
   * inside, no dangling escape, no run-length '*', within the limit and with the right
   * checksum, returns the offset after its checksum; its payload is then handed on as a view of
   * the chunk, with no copy and no state change.
   * Returns 0 otherwise, and the state machine below deals with it, errors included.
   */
  private wholePacketAt(bytes: Buffer, start: number): number {
    const hash = bytes.indexOf(HASH, start + 1);
    if (hash < 0 || hash + 2 >= bytes.length || hash - start - 1 > this.maxPayload) return 0;
    const dollar = bytes.indexOf(DOLLAR, start + 1);
    if (dollar >= 0 && dollar < hash) return 0;
    let escapes = 0;
    while (hash - escapes - 1 > start && bytes[hash - escapes - 1] === ESCAPE) escapes++;
    if (escapes % 2 === 1) return 0;
    const high = hexDigit(bytes[hash + 1]!);
    const low = hexDigit(bytes[hash + 2]!);
    if (high < 0 || low < 0 || high * 16 + low !== checksum(bytes, start + 1, hash)) return 0;
    const run = bytes.indexOf(RUN, start + 1);
    if (run >= 0 && run < hash) return 0;
    return hash + 3;
  }

  private step(byte: number): FrameEvent | undefined {
    switch (this.state) {
      case 'idle':
        if (byte === DOLLAR) {
          this.startPacket();
          return undefined;
        }
        if (byte === ACK) return ACK_EVENT;
        if (byte === NAK) return NAK_EVENT;
        if (byte === CTRL_C) return INTERRUPT_EVENT;
        return { kind: 'noise', byte };
      case 'payload':
        // Only '#' and '$' reach here (runs take the rest). Neither is ever data, even right
        // after '}' (GDB escapes both, and its own reader ends a frame at any '#'): a dangling
        // escape makes the packet malformed instead of swallowing its end.
        if (byte === HASH) {
          this.danglingEscape = this.escaped;
          this.escaped = false;
          this.state = 'checksum-high';
          return undefined;
        }
        // An unescaped '$' cannot be data: the sender gave up on the packet and started anew.
        this.startPacket();
        return { kind: 'noise', byte };
      case 'checksum-high':
        this.checksumHigh = hexDigit(byte);
        this.checksumHighByte = byte;
        this.state = 'checksum-low';
        return undefined;
      case 'checksum-low': {
        this.state = 'idle';
        const low = hexDigit(byte);
        return this.finishPacket(this.checksumHigh < 0 || low < 0 ? -1 : this.checksumHigh * 16 + low, byte);
      }
    }
  }

  private startPacket(): void {
    this.state = 'payload';
    this.length = 0;
    this.seen = 0;
    this.escaped = false;
  }

  /** Keeps bytes[from, to) (up to the limit) and works out whether it ends inside an escape. */
  private appendRun(bytes: Uint8Array, from: number, to: number): void {
    // A run of k '}' at the end leaves an escape open when k is odd; if the whole run is '}',
    // the escape state it started with counts too.
    let k = 0;
    while (to - k > from && bytes[to - k - 1] === ESCAPE) k++;
    this.escaped = k === to - from ? this.escaped !== (k % 2 === 1) : k % 2 === 1;
    const room = this.maxPayload - this.seen;
    this.seen += to - from;
    if (room <= 0) return;
    const kept = Math.min(to - from, room);
    this.ensureCapacity(this.length + kept);
    this.buffer.set(bytes.subarray(from, from + kept), this.length);
    this.length += kept;
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(Math.min(this.maxPayload, size));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  private finishPacket(received: number, lowByte: number): FrameEvent {
    if (this.seen > this.maxPayload) return { kind: 'oversized', length: this.seen };
    const kept = this.buffer.subarray(0, this.length);
    const expected = checksum(kept);
    if (received !== expected) {
      return { kind: 'bad-checksum', expected, received: String.fromCharCode(this.checksumHighByte, lowByte) };
    }
    if (this.danglingEscape) return { kind: 'malformed', reason: "escape character '}' right before '#'" };
    try {
      // A view of the framer's buffer: the sink is done with it before the next packet starts.
      return { kind: 'packet', payload: expandRuns(kept, this.maxPayload) };
    } catch (err) {
      if (err instanceof MalformedPacketError) return { kind: 'malformed', reason: err.message };
      throw err;
    }
  }
}
