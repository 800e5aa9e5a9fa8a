// One GDB connection: ack / no-ack mode, resend on `-`, the order of replies, Ctrl-C, stop
// replies, and the single place where handler failures become `E NN` replies. The session
// owns no Arm knowledge; it drives a DebugTarget through the packet table. Everything here
// is reset by constructing a new session, which the server does on every accept.

import { asBuffer, closeFrame, copyOf, hexByte, MalformedPacketError, printable, textToHex, writeHexPairs, writeHexSummed } from './codec.js';
import { PacketFramer, type FrameEvent } from './framer.js';
import { available, lookupPacket, THREAD_ID, type ClientFeatures, type PacketContext, type PacketSpec, type ProcessState, type Reply } from './packets.js';
import { TargetErrno, TargetError, type DebugTarget, type ResumeAction, type StopEvent } from './target.js';
import { WholeKind, wholeRequest, type WholeRequest } from './wholeRequest.js';

/** PacketSize we advertise: bounds every packet GDB sends, `$`, `#` and checksum included. */
export const PACKET_SIZE = 0x20000;
/** The most data an `m` reply carries (its hex must fit our own packet size); longer reads are clipped by the table's handler. */
const MAX_HEX_READ = Math.floor((PACKET_SIZE - 4) / 2);
/** The buffer short replies are built in: `$`, the hex of up to 2 KiB (a `g`, `p`, small `m`), `#cc`. */
const KEPT_BYTES = 2 + 4096 + 3;
/** The longest `m` whose bytes the target may read into the session's own buffer. */
const SHORT_READ = 2048;

const PLUS = 0x2b;
const DOLLAR = 0x24;
const ACK = Uint8Array.of(PLUS);
const NAK = Uint8Array.of(0x2d);

/** The empty reply: the packet is not supported. */
const UNSUPPORTED: Reply = { kind: 'text', text: '' };

/** E2BIG: the reply to a packet longer than PacketSize. */
const E2BIG = 0x07;

/** The table's entries for the packets of the short path: their failures are reported as the table's would be. */
const G_SPEC = lookupPacket('g')!;
const P_SPEC = lookupPacket('p0')!;
const M_SPEC = lookupPacket('m0,1')!;


export interface SessionIo {
  /**
   * Sends `bytes`. Returns true when the transport has finished with them (sent or copied
   * them all, nothing of its output still queued), so that their memory may be reused; any
   * other answer keeps that memory untouched.
   */
  write(bytes: Uint8Array): boolean | void;
  /**
   * True while the client has more unsent output than the transport allows: the session then
   * handles no further packets until `outputDrained()`, so a client that never reads cannot
   * make the stub buffer replies without bound.
   */
  congested?(): boolean;
  /** Close the connection after pending writes. */
  end(): void;
}

export interface SessionHooks {
  log(message: string): void;
  trace?(direction: 'in' | 'out', text: string): void;
}

/** A packet to handle, or a framing problem to answer with an error in its turn. */
type QueuedWork =
  | { readonly kind: 'packet'; readonly payload: Uint8Array }
  | { readonly kind: 'refuse'; readonly errno: number; readonly reason: string };

export class RspSession {
  private readonly framer = new PacketFramer(PACKET_SIZE - 4);
  private ackMode = true;
  private lastSent: Uint8Array | undefined;
  private running = false;
  private ended = false;
  /** Work waits here while an earlier (asynchronous) handler is still running, to keep replies in order. */
  private readonly queue: QueuedWork[] = [];
  private busy = false;
  private readonly features: ClientFeatures = { swbreak: false, hwbreak: false, errorMessage: false, errorStrings: false };
  private readonly state: ProcessState = { extended: false, process: 'attached' };
  private readonly context: PacketContext;
  /** The numbers of the packet the short path is serving (one object for the session's life). */
  private readonly request: WholeRequest = { first: 0, second: 0 };
  /**
   * In no-ack mode the short path builds its reply here instead of in a new buffer, while the
   * transport has taken every earlier write whole (no earlier reply can still be queued from
   * it): `$` at 1, the payload from 2, an even offset, so that hex pairs go in as 16-bit words.
   */
  private readonly kept = Buffer.from(new ArrayBuffer(KEPT_BYTES + 1));
  private readonly keptPairs = new Uint16Array(this.kept.buffer, 0, (KEPT_BYTES + 1) >>> 1);
  /** The frame last sent from `kept` by each kind of short reply, reused while its length holds (a `g` always). */
  private readonly keptFrames: Array<Buffer | undefined> = [undefined, undefined, undefined, undefined];
  /** Where the target reads a short `m`'s bytes, when it can (DebugTarget.readMemoryInto). */
  private readonly readBuffer = new Uint8Array(SHORT_READ);
  /** The transport said it had finished with the bytes of the last write (and so of all before it). */
  private outputTaken = false;
  /**
   * A large hex reply's frame (a 64 KiB `m` is 128 KiB of hex), reused on the same terms as
   * `kept`: a fresh buffer of that size is mapped and page-faulted in anew for every reply,
   * which cost a `dump` more CPU than encoding it (docs/performance.md).
   */
  private largeReply: Buffer | undefined;

  constructor(
    private readonly target: DebugTarget,
    private readonly io: SessionIo,
    private readonly hooks: SessionHooks,
  ) {
    this.context = {
      target,
      features: this.features,
      state: this.state,
      packetSize: PACKET_SIZE,
      enterNoAckMode: () => {
        this.pendingNoAck = true;
      },
      resume: (action, signal) => this.resume(action, signal),
      stopReply: (stop) => this.stopReply(stop),
      console: (text) => this.sendConsole(text),
      endSession: (reason) => {
        this.pendingEnd = reason;
      },
    };
    target.attached();
  }

  private pendingNoAck = false;
  private ackOwed = false;
  private pendingEnd: 'detach' | 'kill' | undefined;
  private received = 0;

  /** Well-formed packets received so far (the server's handshake timeout looks at it). */
  get packetsReceived(): number {
    return this.received;
  }

  /** The transport's unsent output has drained: handle what waited. */
  outputDrained(): void {
    this.pump();
  }

  /** Bytes from the client; `chunk` is lent for the call (the transport reuses it), never kept. */
  receive(chunk: Uint8Array): void {
    if (this.ended) return;
    this.hooks.trace?.('in', printable(chunk));
    if (this.framer.idle && this.serveWhole(chunk)) return;
    this.framer.feed(chunk, this.onFrameEvent);
    this.flushAck();
  }

  /**
   * The short path: a chunk that is exactly one `g`, `p` or `m` (what GDB sends after each
   * stop and for each memory examine) is answered from its bytes, without the framer's events,
   * the packet's text or the table lookup, when nothing else is going on (nothing queued or
   * running, output not backed up). The reply, its ack and its errors are those of the
   * general path. Returns false, having done nothing, for anything else.
   */
  private serveWhole(chunk: Uint8Array): boolean {
    const kind = wholeRequest(chunk, this.request);
    if (kind === WholeKind.None || this.running || !this.canServe() || this.queue.length > 0) return false;
    if (kind === WholeKind.Memory && this.request.second > MAX_HEX_READ) return false;
    this.received++;
    this.acknowledge(true);
    try {
      const { first, second } = this.request;
      if (kind === WholeKind.Memory && second <= SHORT_READ && this.target.readMemoryInto?.(first, second, this.readBuffer)) {
        this.sendHexShort(kind, this.readBuffer, second);
      } else {
        const bytes =
          kind === WholeKind.RegisterBlock
            ? this.target.readRegisterBlock()
            : kind === WholeKind.Register
              ? this.target.readRegister(first)
              : this.target.readMemory(BigInt(first), second);
        this.sendHexShort(kind, bytes, bytes.length);
      }
    } catch (err) {
      const spec = kind === WholeKind.RegisterBlock ? G_SPEC : kind === WholeKind.Register ? P_SPEC : M_SPEC;
      this.sendText(this.failure(spec, err));
    }
    this.flushAck();
    return true;
  }

  /** The connection dropped without D or k. */
  disconnected(): void {
    if (this.ended) return;
    this.ended = true;
    this.running = false;
    // After D or vKill in extended mode the target has already been told.
    if (this.state.process !== 'none') this.target.detached('disconnect');
  }

  /** A field, not a method: the framer calls it for every event without a bind per chunk. */
  private readonly onFrameEvent = (event: FrameEvent): void => {
    switch (event.kind) {
      case 'packet':
        this.received++;
        this.acknowledge(true);
        // Nothing waiting before it (the usual case): served at once, without a queue entry.
        if (this.queue.length === 0 && this.canServe()) this.serve(event.payload);
        else {
          // The payload is a view of the transport's or the framer's buffer, reused once this
          // returns: a packet that waits its turn keeps a copy.
          this.queue.push({ kind: 'packet', payload: copyOf(event.payload) });
          this.pump();
        }
        return;
      case 'bad-checksum':
        this.hooks.log(`rsp: bad checksum (got "${event.received}", expected ${hexByte(event.expected)})${this.ackMode ? '; asked for a resend' : ''}`);
        this.acknowledge(false);
        return;
      case 'oversized':
        // Acknowledged (so GDB does not resend it forever) and refused.
        this.hooks.log(`rsp: packet of ${event.length} bytes exceeds PacketSize 0x${PACKET_SIZE.toString(16)}; dropped`);
        this.acknowledge(true);
        this.queue.push({ kind: 'refuse', errno: E2BIG, reason: `packet longer than PacketSize 0x${PACKET_SIZE.toString(16)}` });
        this.pump();
        return;
      case 'malformed':
        this.hooks.log(`rsp: malformed packet: ${event.reason}`);
        this.acknowledge(true);
        this.queue.push({ kind: 'refuse', errno: TargetErrno.EINVAL, reason: event.reason });
        this.pump();
        return;
      case 'nak':
        // A resend is refused while output is backed up: a burst of '-' would otherwise
        // multiply the last reply (up to 128 KiB) in memory.
        if (!this.ackMode || !this.lastSent) return;
        if (this.io.congested?.()) {
          this.hooks.log('rsp: resend requested while replies are backed up; ignored');
          return;
        }
        this.writeRaw(this.lastSent);
        return;
      case 'interrupt':
        if (this.running) this.target.capabilities.runControl?.interrupt();
        else this.hooks.log('rsp: Ctrl-C while the target is stopped; ignored');
        return;
      case 'ack':
      case 'noise':
        return;
    }
  };

  /**
   * Ack mode: a packet's '+' is owed until its reply goes out, and then travels in the same
   * write (one syscall and one wake-up of the client per packet, not two). What is still owed
   * when the chunk has been handled (no reply yet: a resume, an asynchronous handler, a queued
   * packet) is sent alone then, so GDB never waits for it.
   */
  private acknowledge(good: boolean): void {
    if (!this.ackMode) return;
    if (good) {
      this.flushAck();
      this.ackOwed = true;
    } else this.writeRaw(NAK);
  }

  private flushAck(): void {
    if (!this.ackOwed) return;
    this.ackOwed = false;
    // After D or k nothing more goes out: the transport is closing.
    if (this.ended) return;
    this.hooks.trace?.('out', '+');
    this.put(ACK);
  }

  /**
   * Handles queued work in order. Handlers that answer synchronously (all but monitor
   * commands) are served in the same tick, with no promise in the path; an asynchronous one
   * holds the queue until it settles.
   */
  private pump(): void {
    while (this.queue.length > 0 && this.canServe()) {
      const work = this.queue.shift()!;
      if (work.kind === 'refuse') this.sendText(this.errorReply(work.errno, work.reason));
      else this.serve(work.payload);
    }
  }

  private canServe(): boolean {
    return !this.busy && !this.ended && !this.io.congested?.();
  }

  /** Handles one packet; an asynchronous handler holds the queue until it settles. */
  private serve(payload: Uint8Array): void {
    const pending = this.handle(payload);
    if (!pending) return;
    this.busy = true;
    void pending.then(() => {
      this.busy = false;
      this.pump();
    });
  }

  /** The packet's text; for `X` only its header, since the data is binary and may be 128 KiB. */
  private packetText(payload: Uint8Array): string {
    const bytes = asBuffer(payload);
    if (payload[0] === 0x58 /* X */) {
      const colon = bytes.indexOf(0x3a);
      return bytes.toString('latin1', 0, colon < 0 ? bytes.length : colon + 1);
    }
    return bytes.toString('latin1');
  }

  /** Runs one packet; returns a promise only when its handler is asynchronous. */
  private handle(payload: Uint8Array): Promise<void> | undefined {
    const packet = this.packetText(payload);
    const spec = lookupPacket(packet);
    if (this.running && !spec?.whileRunning) {
      // All-stop mode: GDB waits for the stop reply before sending anything but Ctrl-C.
      this.hooks.log(`rsp: "${printable(payload, 40)}" received while the target runs; refused`);
      this.sendText(this.errorReply(TargetErrno.EBUSY, 'the target is running; interrupt it first'));
      return undefined;
    }
    // Unknown, or needing a capability the target lacks: the empty reply says "unsupported".
    if (!spec || !available(this.target, spec)) {
      this.finish(UNSUPPORTED);
      return undefined;
    }
    let outcome: Reply | Promise<Reply>;
    try {
      outcome = spec.handler(this.context, packet.slice(spec.prefix.length), payload);
    } catch (err) {
      this.finish({ kind: 'text', text: this.failure(spec, err) });
      return undefined;
    }
    if (!(outcome instanceof Promise)) {
      this.finish(outcome);
      return undefined;
    }
    return outcome.then(
      (reply) => this.finish(reply),
      (err: unknown) => this.finish({ kind: 'text', text: this.failure(spec, err) }),
    );
  }

  private finish(reply: Reply): void {
    if (this.ended) return;
    if (reply.kind === 'text') {
      this.sendText(reply.text);
      if (reply.afterReply) this.afterReply(reply.afterReply);
    } else if (reply.kind === 'hex') this.sendHex(reply.bytes);
    else if (reply.kind === 'binary') this.sendBytes(reply.bytes);
    if (this.pendingNoAck) {
      this.pendingNoAck = false;
      this.ackMode = false;
      this.lastSent = undefined;
    }
    if (this.pendingEnd) this.end(this.pendingEnd);
  }

  /**
   * A reply's follow-up, run before the session reads anything more. It was checked not to fail
   * before the reply was chosen; if it fails all the same, the client has been told otherwise,
   * so the log says so plainly.
   */
  private afterReply(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.hooks.log(`rsp: internal error after the reply was sent (the client was told it succeeded): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The one mapping from a handler's failure to the reply GDB expects. */
  private failure(spec: PacketSpec, err: unknown): string {
    const packetName = spec.prefix;
    if (err instanceof TargetError) {
      this.hooks.log(`rsp: ${packetName}: ${err.message}`);
      if (spec.consoleOnError) this.sendConsole(`error: ${err.message}\n`);
      return this.errorReply(err.errno, err.message);
    }
    if (err instanceof MalformedPacketError) {
      this.hooks.log(`rsp: malformed ${packetName} packet: ${err.message}`);
      return this.errorReply(TargetErrno.EINVAL, err.message);
    }
    // A bug of ours: say so, keep serving.
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.hooks.log(`rsp: internal error while handling ${packetName}: ${message}`);
    if (spec.consoleOnError) this.sendConsole(`internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    return this.errorReply(TargetErrno.EIO, 'internal error in the stub');
  }

  /** `E NN`, or `E.text` when GDB announced error-message+ (GDB 13 does not), or `E NN;hex` for LLDB. */
  private errorReply(errno: number, message: string): string {
    if (this.features.errorMessage) return `E.${message.replace(/[#$}*]/g, ' ')}`;
    if (this.features.errorStrings) return `E${hexByte(errno)};${textToHex(message)}`;
    return `E${hexByte(errno)}`;
  }

  private resume(action: ResumeAction, signal: number): void {
    this.running = true;
    // Resume packets need runControl, which the session checked before the handler ran.
    this.target.capabilities.runControl!.resume(
      action,
      (stop) => {
        if (!this.running || this.ended) return;
        this.running = false;
        if (stop.console !== undefined) this.sendConsole(stop.console);
        this.sendText(this.stopReply(stop));
      },
      signal,
    );
  }

  private stopReply(stop: StopEvent): string {
    let reply = `T${hexByte(stop.signal)}`;
    for (const [key, value] of stop.pairs ?? []) {
      if (key === 'swbreak' && !this.features.swbreak) continue;
      if (key === 'hwbreak' && !this.features.hwbreak) continue;
      reply += `${key}:${value};`;
    }
    return `${reply}thread:${THREAD_ID.toString(16)};`;
  }

  private sendConsole(text: string): void {
    if (text.length === 0 || this.ended) return;
    // Split so that no O packet exceeds what GDB comfortably buffers.
    const chunk = 2048;
    for (let at = 0; at < text.length; at += chunk) this.sendText(`O${textToHex(text.slice(at, at + chunk))}`);
  }

  // A reply is framed where it is encoded: one buffer holds the owed '+', '$', the payload
  // (text, bytes, or bytes as hex) and '#cc', with no intermediate copy, and goes out in one
  // write. Buffer.allocUnsafe takes replies under 4 KiB from Node's shared pool.

  private sendText(text: string): void {
    const out = this.openFrame(text.length);
    out.write(text, out.length - 3 - text.length, 'latin1');
    this.sendFrame(out);
  }

  private sendBytes(bytes: Uint8Array): void {
    const out = this.openFrame(bytes.length);
    out.set(bytes, out.length - 3 - bytes.length);
    this.sendFrame(out);
  }

  private sendHex(bytes: Uint8Array): void {
    const length = bytes.length * 2;
    const out = !this.ackMode && this.outputTaken && length > KEPT_BYTES ? this.reusedFrame(length) : this.openFrame(length, 2);
    const sum = writeHexSummed(bytes, out, out.length - 3 - bytes.length * 2);
    this.sendFrame(out, sum);
  }

  /**
   * A short path's reply: in no-ack mode, when the transport has taken every earlier write,
   * built in the kept buffer and sent through a view of it kept per kind of reply; otherwise
   * as any other reply.
   */
  private sendHexShort(kind: WholeKind, bytes: Uint8Array, length: number): void {
    const size = 2 * length + 4;
    if (this.ackMode || !this.outputTaken || size > KEPT_BYTES) {
      this.sendHex(length === bytes.length ? bytes : bytes.subarray(0, length));
      return;
    }
    const kept = this.kept;
    kept[1] = DOLLAR;
    closeFrame(kept, 2, 2 + 2 * length, writeHexPairs(bytes, length, this.keptPairs, 1));
    let frame = this.keptFrames[kind];
    if (frame === undefined || frame.length !== size) {
      frame = Buffer.from(kept.buffer, kept.byteOffset + 1, size);
      this.keptFrames[kind] = frame;
    }
    this.hooks.trace?.('out', printable(frame));
    this.put(frame);
  }

  /**
   * A frame for `length` payload bytes in `largeReply`, its '$' already in: only in no-ack mode
   * (no '+' owed, no frame kept for a resend) and while the transport holds no earlier bytes.
   */
  private reusedFrame(length: number): Buffer {
    const size = length + 4;
    if (!this.largeReply || this.largeReply.length < size) this.largeReply = Buffer.allocUnsafeSlow(size);
    const out = this.largeReply.subarray(0, size);
    out[0] = DOLLAR;
    return out;
  }

  /**
   * A buffer for a frame with `length` payload bytes, its owed '+' and its '$' already in;
   * with `align` 2, slack in front puts the payload on an even address, so that hex digits
   * can be stored two at a time.
   */
  private openFrame(length: number, align = 1): Buffer {
    const ack = this.ackOwed ? 1 : 0;
    this.ackOwed = false;
    const size = ack + length + 4;
    if (align === 1) {
      const out = Buffer.allocUnsafe(size);
      out[0] = PLUS;
      out[ack] = DOLLAR;
      return out;
    }
    const whole = Buffer.allocUnsafe(size + align - 1);
    const pad = (align - ((whole.byteOffset + ack + 1) % align)) % align;
    const out = whole.subarray(pad, pad + size);
    out[0] = PLUS;
    out[ack] = DOLLAR;
    return out;
  }

  /** Checksums the payload in place (unless `sum` is known), keeps the frame for a resend (ack mode), writes it. */
  private sendFrame(out: Buffer, sum?: number): void {
    const start = out[0] === PLUS ? 2 : 1;
    closeFrame(out, start, out.length - 3, sum);
    if (this.ackMode) this.lastSent = start === 2 ? out.subarray(1) : out;
    if (this.ended) return;
    this.hooks.trace?.('out', printable(out));
    this.put(out);
  }

  /** Anything but a reply (a '-', a resend): an owed '+' goes first. */
  private writeRaw(bytes: Uint8Array): void {
    if (this.ended) return;
    this.flushAck();
    this.hooks.trace?.('out', printable(bytes));
    this.put(bytes);
  }

  /** Every write goes through here, to know whether the kept buffer may be written again. */
  private put(bytes: Uint8Array): void {
    this.outputTaken = this.io.write(bytes) === true;
  }

  private end(reason: 'detach' | 'kill'): void {
    this.ended = true;
    this.running = false;
    this.target.detached(reason);
    this.hooks.log(`rsp: debugger ${reason === 'detach' ? 'detached' : 'sent kill; the board keeps running for the next debugger'}`);
    this.io.end();
  }
}
