// A small RSP client for protocol tests: frames packets, checks the checksums of replies,
// acknowledges them (until no-ack mode), collects `O` console output, and lets a test send raw
// bytes to exercise malformed traffic. Independent of src/rsp on purpose, so that a framing bug
// on one side cannot hide a matching bug on the other.

import { connect, type Socket } from 'node:net';

function sum(bytes: Buffer): string {
  let s = 0;
  for (const b of bytes) s = (s + b) & 0xff;
  return s.toString(16).padStart(2, '0');
}

export function framePacket(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  return Buffer.concat([Buffer.from('$'), body, Buffer.from(`#${sum(body)}`)]);
}

export interface Reply {
  /** The payload as a latin1 string (binary replies keep their bytes). */
  readonly payload: string;
  /** Console output carried by `O` packets that came before the reply. */
  readonly console: string;
}

export class RspClient {
  private buffer = Buffer.alloc(0);
  private readonly waiters: Array<() => void> = [];
  /** Every '+' / '-' the stub sent, in order. */
  readonly acks: string[] = [];
  private ackMode = true;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RspClient> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new RspClient(socket);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async waitForData(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms; buffer: ${JSON.stringify(this.buffer.toString('latin1'))}`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  sendRaw(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  send(payload: string | Buffer): void {
    this.sendRaw(framePacket(payload));
  }

  /** Next single byte '+'/'-' or whole packet from the stub. */
  private async nextUnit(timeoutMs: number): Promise<{ kind: 'ack' | 'nak' } | { kind: 'packet'; payload: Buffer }> {
    for (;;) {
      const first = this.buffer[0];
      if (first === 0x2b || first === 0x2d) {
        this.buffer = this.buffer.subarray(1);
        this.acks.push(String.fromCharCode(first));
        return { kind: first === 0x2b ? 'ack' : 'nak' };
      }
      if (first === 0x24) {
        const hash = this.buffer.indexOf(0x23);
        if (hash >= 0 && this.buffer.length >= hash + 3) {
          const payload = this.buffer.subarray(1, hash);
          const cs = this.buffer.subarray(hash + 1, hash + 3).toString('latin1');
          this.buffer = this.buffer.subarray(hash + 3);
          if (cs !== sum(payload)) throw new Error(`bad checksum from stub: ${cs} for ${payload.toString('latin1')}`);
          return { kind: 'packet', payload: Buffer.from(payload) };
        }
      } else if (first !== undefined) {
        throw new Error(`unexpected byte 0x${first.toString(16)} from stub`);
      }
      if (this.closed) throw new Error('connection closed by the stub');
      await this.waitForData(timeoutMs);
    }
  }

  /** Reads the next reply packet, skipping acks and gathering `O` console packets. */
  async reply(timeoutMs = 3000): Promise<Reply> {
    let console = '';
    for (;;) {
      const unit = await this.nextUnit(timeoutMs);
      if (unit.kind !== 'packet') continue;
      if (this.ackMode) this.sendRaw('+');
      const text = unit.payload.toString('latin1');
      if (text.startsWith('O') && text.length > 1 && /^[0-9a-f]+$/.test(text.slice(1))) {
        console += Buffer.from(text.slice(1), 'hex').toString('utf8');
        continue;
      }
      return { payload: text, console };
    }
  }

  /** Sends a packet and returns its reply payload. */
  async request(payload: string | Buffer, timeoutMs?: number): Promise<string> {
    this.send(payload);
    return (await this.reply(timeoutMs)).payload;
  }

  async noAck(): Promise<void> {
    const r = await this.request('QStartNoAckMode');
    if (r !== 'OK') throw new Error(`QStartNoAckMode answered ${r}`);
    this.ackMode = false;
  }

  /** Waits for the stub to close the connection. */
  async closedByStub(timeoutMs = 3000): Promise<void> {
    while (!this.closed) await this.waitForData(timeoutMs);
  }

  /** True when nothing arrives within `ms`. */
  /** True when no packet arrives within `ms` (acks and naks are collected into `acks`). */
  async silentFor(ms: number): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    while (this.buffer[0] === 0x2b || this.buffer[0] === 0x2d) {
      this.acks.push(String.fromCharCode(this.buffer[0]));
      this.buffer = this.buffer.subarray(1);
    }
    return this.buffer.length === 0;
  }

  /** The TCP socket, for tests that misbehave on purpose (pause reading, write raw floods). */
  get rawSocket(): Socket {
    return this.socket;
  }

  close(): void {
    this.socket.destroy();
  }
}
