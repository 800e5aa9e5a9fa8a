// The incoming half of RSP framing: a byte-at-a-time state machine that turns whatever TCP
// delivers (any split, several packets per chunk, Ctrl-C between them) into events. It never
// buffers more than `maxPayload` bytes: an oversized packet is drained up to its checksum and
// reported once, so a hostile client cannot make the stub grow without bound.

import { checksum, expandRuns, MalformedPacketError } from './codec.js';

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

export class PacketFramer {
  private state: State = 'idle';
  private buffer: Uint8Array;
  private length = 0;
  /** Bytes seen in the current packet, including those dropped once over the limit. */
  private seen = 0;
  private escaped = false;
  /** The packet's last payload byte was an unpaired '}'. */
  private danglingEscape = false;
  private checksumText = '';

  constructor(private readonly maxPayload: number) {
    this.buffer = new Uint8Array(Math.min(maxPayload, 4096));
  }

  /** Feeds a chunk; returns the events it completes, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'payload' && !this.escaped) {
        // Fast path: copy the run of ordinary payload bytes in one go (a 128 KiB X packet
        // would otherwise cost a call per byte).
        let j = i;
        while (j < chunk.length) {
          const b = chunk[j]!;
          if (b === HASH || b === DOLLAR || b === ESCAPE) break;
          j++;
        }
        if (j > i) {
          this.appendRun(chunk.subarray(i, j));
          i = j;
          continue;
        }
      }
      const event = this.step(chunk[i]!);
      if (event) events.push(event);
      i++;
    }
    return events;
  }

  private step(byte: number): FrameEvent | undefined {
    switch (this.state) {
      case 'idle':
        if (byte === DOLLAR) {
          this.startPacket();
          return undefined;
        }
        if (byte === ACK) return { kind: 'ack' };
        if (byte === NAK) return { kind: 'nak' };
        if (byte === CTRL_C) return { kind: 'interrupt' };
        return { kind: 'noise', byte };
      case 'payload':
        // '#' and '$' are never data, even right after '}' (GDB escapes both, and its own
        // reader ends a frame at any '#'): a dangling escape makes the packet malformed
        // instead of swallowing its end.
        if (byte === HASH) {
          this.danglingEscape = this.escaped;
          this.escaped = false;
          this.state = 'checksum-high';
          return undefined;
        }
        if (byte === DOLLAR) {
          // An unescaped '$' cannot be data: the sender gave up on the packet and started anew.
          this.startPacket();
          return { kind: 'noise', byte };
        }
        this.escaped = !this.escaped && byte === ESCAPE;
        this.append(byte);
        return undefined;
      case 'checksum-high':
        this.checksumText = String.fromCharCode(byte);
        this.state = 'checksum-low';
        return undefined;
      case 'checksum-low':
        this.checksumText += String.fromCharCode(byte);
        this.state = 'idle';
        return this.finishPacket();
    }
  }

  private startPacket(): void {
    this.state = 'payload';
    this.length = 0;
    this.seen = 0;
    this.escaped = false;
  }

  private appendRun(run: Uint8Array): void {
    const room = this.maxPayload - this.seen;
    this.seen += run.length;
    if (room <= 0) return;
    const kept = run.length <= room ? run : run.subarray(0, room);
    this.ensureCapacity(this.length + kept.length);
    this.buffer.set(kept, this.length);
    this.length += kept.length;
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(Math.min(this.maxPayload, size));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  private append(byte: number): void {
    this.seen++;
    if (this.seen > this.maxPayload) return; // drained, not kept
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(Math.min(this.maxPayload, this.buffer.length * 2));
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = byte;
  }

  private finishPacket(): FrameEvent {
    if (this.seen > this.maxPayload) return { kind: 'oversized', length: this.seen };
    const raw = this.buffer.slice(0, this.length);
    const expected = checksum(raw);
    if (!/^[0-9a-fA-F]{2}$/.test(this.checksumText) || parseInt(this.checksumText, 16) !== expected) {
      return { kind: 'bad-checksum', expected, received: this.checksumText };
    }
    if (this.danglingEscape) return { kind: 'malformed', reason: "escape character '}' right before '#'" };
    try {
      return { kind: 'packet', payload: expandRuns(raw, this.maxPayload) };
    } catch (err) {
      if (err instanceof MalformedPacketError) return { kind: 'malformed', reason: err.message };
      throw err;
    }
  }
}
