// The TCP side of the protocol layer: listens, serves one debugger at a time, and defends the
// single slot. A connection is judged by what it sends before its first packet (a browser's
// HTTP request is closed unheard, src/rsp/preamble.ts); it takes the slot only when its first
// packet starts, so a socket that connects and says nothing never locks GDB out, and a GDB that
// reconnects at once finds the slot its previous socket freed. A second debugger gets a clear
// refusal. Output is bounded: a session whose unsent replies pass a limit stops being read
// until they drain. Each debugger gets a fresh RspSession, so ack mode and thread selection
// never leak from one to the next, while the target (the board) keeps its state.

import { createServer, type Server, type Socket } from 'node:net';
import { readIntoKeptBuffer } from '../util/keptBufferReader.js';
import { listenOn } from '../util/listen.js';
import { frame } from './codec.js';
import { judgePreamble } from './preamble.js';
import { RspSession, type SessionHooks } from './session.js';
import type { DebugTarget } from './target.js';

export interface ServerLimits {
  /** A connection that has sent no valid packet by then is closed (an idle GDB never is). */
  readonly handshakeTimeoutMs: number;
  /** Idle time before TCP keepalive probes start, so that a dead peer's slot is freed. */
  readonly keepAliveDelayMs: number;
  /** Unsent output above which the session stops reading its client until the output drains. */
  readonly maxUnsentBytes: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  handshakeTimeoutMs: 10_000,
  keepAliveDelayMs: 10_000,
  // Eight of the largest replies (a PacketSize `m` reply is 128 KiB).
  maxUnsentBytes: 1 << 20,
};

interface ActiveDebugger {
  readonly socket: Socket;
  readonly session: RspSession;
  readonly peer: string;
}

export class RspServer {
  private readonly server: Server;
  private active: ActiveDebugger | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly limits: ServerLimits;

  constructor(
    private readonly target: DebugTarget,
    private readonly hooks: SessionHooks,
    limits: Partial<ServerLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    // Paused on connect: nothing is read until accept() has chosen how the socket is read.
    this.server = createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return listenOn(this.server, host, port);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(accepted: Socket): void {
    const peer = `${accepted.remoteAddress ?? '?'}:${accepted.remotePort ?? '?'}`;
    /** Chunks of a connection judged foreign or refused are dropped until it closes. */
    let heard = true;
    const socket = readIntoKeptBuffer(accepted, (chunk) => {
      if (heard) onData(chunk);
    });
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, this.limits.keepAliveDelayMs);
    socket.on('error', (err) => this.hooks.log(`rsp: connection ${peer}: ${err.message}`));

    let session: RspSession | undefined;
    let preamble: Buffer = Buffer.alloc(0);
    const handshake = setTimeout(() => {
      if (session && session.packetsReceived > 0) return;
      this.hooks.log(`rsp: closed ${peer}: no valid packet within ${this.limits.handshakeTimeoutMs / 1000} s`);
      socket.destroy();
    }, this.limits.handshakeTimeoutMs);

    // The chunk is the reader's kept buffer, reused by the next read: the preamble keeps a copy.
    const onData = (chunk: Buffer): void => {
      if (session) {
        session.receive(chunk);
        return;
      }
      preamble = Buffer.concat([preamble, chunk]);
      const verdict = judgePreamble(preamble);
      if (verdict.kind === 'undecided') return;
      if (verdict.kind === 'foreign') {
        this.hooks.log(`rsp: closed ${peer}: it sent ${verdict.reason} before any packet, so it is not a debugger (a web page can send such requests to loopback ports)`);
        heard = false;
        socket.destroy();
        return;
      }
      if (this.active) {
        heard = false;
        this.refuse(socket, peer, this.active.peer);
        return;
      }
      session = this.attach(socket, peer);
      session.receive(preamble);
      preamble = Buffer.alloc(0);
    };

    // A peer that closes its side is gone: free the slot on 'end', which comes before 'close',
    // so that a GDB reconnecting at once is not refused by its own previous socket.
    const gone = (): void => {
      clearTimeout(handshake);
      if (!session) return;
      const wasActive = this.active?.session === session;
      session.disconnected();
      if (wasActive) {
        this.active = undefined;
        this.hooks.log(`rsp: debugger ${peer} disconnected; waiting for the next one`);
      }
    };
    socket.on('end', gone);
    socket.on('close', () => {
      this.sockets.delete(socket);
      gone();
    });
  }

  /** The first packet of a connection while the slot is free: it becomes the debugger. */
  private attach(socket: Socket, peer: string): RspSession {
    this.hooks.log(`rsp: debugger connected from ${peer}`);
    const { maxUnsentBytes } = this.limits;
    const session = new RspSession(
      this.target,
      {
        write: (bytes) => {
          if (socket.destroyed) return false;
          socket.write(bytes);
          const unsent = socket.writableLength;
          // Stop reading a client that does not read its replies: its requests wait in the
          // kernel's buffers instead of our memory.
          if (unsent > maxUnsentBytes && !socket.isPaused()) socket.pause();
          // Nothing unsent: the write went to the kernel at once, and Node holds none of its bytes.
          return unsent === 0;
        },
        congested: () => socket.writableLength > maxUnsentBytes,
        end: () => {
          // The slot is freed as soon as the session ends (D, k), not when the socket closes.
          if (this.active?.socket === socket) this.active = undefined;
          socket.end();
        },
      },
      this.hooks,
    );
    socket.on('drain', () => {
      if (socket.isPaused()) socket.resume();
      session.outputDrained();
    });
    this.active = { socket, session, peer };
    return session;
  }

  /**
   * A second debugger while one is attached: acknowledge its first packet, answer it with an
   * error that says why (GDB prints it), and close. Nothing reaches the target.
   */
  private refuse(socket: Socket, peer: string, holder: string): void {
    const message = `mpustub: the board is already being debugged from ${holder}; only one GDB at a time`;
    this.hooks.log(`rsp: refused ${peer}: a debugger from ${holder} is attached`);
    socket.write('+');
    socket.write(frame(Buffer.from(`E.${message}`, 'latin1')));
    setTimeout(() => {
      if (!socket.destroyed) socket.end();
    }, 100);
  }
}
