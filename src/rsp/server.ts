// The TCP side of the protocol layer: listens, serves one GDB at a time, and gives a second
// client a clear refusal (an error reply naming who holds the board) instead of a hang. Each
// accepted connection gets a fresh RspSession, so ack mode and thread selection never leak
// from one debugger to the next, while the target (the board) keeps its state.

import { createServer, type Server, type Socket } from 'node:net';
import { listenOn } from '../util/listen.js';
import { frame } from './codec.js';
import { RspSession, type SessionHooks } from './session.js';
import type { DebugTarget } from './target.js';

/** How long a refused client may stay connected waiting for its first packet. */
const REFUSAL_GRACE_MS = 2000;

export class RspServer {
  private readonly server: Server;
  private active: { socket: Socket; session: RspSession; peer: string } | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly target: DebugTarget,
    private readonly hooks: SessionHooks,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return listenOn(this.server, host, port);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    if (this.active) {
      this.refuse(socket, peer, this.active.peer);
      return;
    }
    this.hooks.log(`rsp: debugger connected from ${peer}`);
    // The slot is freed as soon as the session ends (D, k) so that the next debugger is not
    // refused while this socket finishes closing.
    const release = (): void => {
      if (this.active?.socket === socket) this.active = undefined;
    };
    const session = new RspSession(
      this.target,
      {
        write: (bytes) => {
          if (!socket.destroyed) socket.write(bytes);
        },
        end: () => {
          release();
          socket.end();
        },
      },
      this.hooks,
    );
    this.active = { socket, session, peer };
    socket.on('data', (chunk: Buffer) => session.receive(chunk));
    socket.on('error', (err) => this.hooks.log(`rsp: connection ${peer}: ${err.message}`));
    socket.on('close', () => {
      session.disconnected();
      release();
      this.hooks.log(`rsp: debugger ${peer} disconnected; waiting for the next one`);
    });
  }

  /**
   * A second debugger while one is attached: acknowledge its first packet, answer it with an
   * error that says why (GDB prints it), and close. Nothing reaches the target.
   */
  private refuse(socket: Socket, peer: string, holder: string): void {
    const message = `mpustub: the board is already being debugged from ${holder}; only one GDB at a time`;
    this.hooks.log(`rsp: refused ${peer}: a debugger from ${holder} is attached`);
    const finish = (): void => {
      if (!socket.destroyed) socket.end();
    };
    const timer = setTimeout(finish, REFUSAL_GRACE_MS);
    socket.on('error', () => undefined);
    socket.on('close', () => clearTimeout(timer));
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      // Wait for the first packet (GDB may send a bare '+' first), then answer it once.
      if (answered || !chunk.includes(0x24)) return;
      answered = true;
      socket.write('+');
      socket.write(frame(Buffer.from(`E.${message}`, 'latin1')));
      clearTimeout(timer);
      setTimeout(finish, 100);
    });
  }
}
