// Reading an accepted TCP connection into one kept buffer instead of a new Buffer per read.
//
// Node's default read path allocates a fresh 64 KiB backing store for every read and passes
// the bytes through the readable stream ('data'); for a debugger's small request/reply
// traffic that is a few microseconds per round trip, and for 4 MiB of X packets it is 64 such
// allocations whose external memory drives the garbage collector. Node's `onread` socket
// option reads into a buffer the caller supplies and calls back with the byte count, but it is
// offered only on sockets the program creates itself, not on those a server accepts. So the
// accepted socket (from a server created with `pauseOnConnect`, so that nothing was read yet)
// gives up its native handle to a new Socket built with `onread`, as Node's own server builds
// the first one around it. That relies on two things Node does not document for this use (the
// socket's `_handle` and the `handle` constructor option); when either is missing the
// connection is read through 'data' events as before, with the same contract.
//
// The contract either way: `onChunk` gets a view that is valid only until it returns (the kept
// buffer is reused by the next read); whoever keeps bytes past that copies them. Pausing and
// resuming, 'end', 'close', 'error', 'drain' and every write behave as on any socket.

import { Socket } from 'node:net';

/** Bytes read per call: what libuv reads at most per read, Node's own chunk size. */
export const KEPT_BUFFER_BYTES = 64 * 1024;

/** The private handle Node gives its sockets; only its presence is relied on. */
interface SocketWithHandle {
  _handle?: object | null;
}

/**
 * Starts reading `socket` (accepted from a server created with `pauseOnConnect: true`) into
 * one kept buffer, calling `onChunk` with each read's bytes. Returns the socket to use from
 * now on: a new one owning the connection, or `socket` itself on the fallback path.
 */
export function readIntoKeptBuffer(socket: Socket, onChunk: (chunk: Buffer) => void): Socket {
  const handle = (socket as unknown as SocketWithHandle)._handle;
  if (!handle || socket.destroyed) return readThroughEvents(socket, onChunk);
  const kept = Buffer.allocUnsafeSlow(KEPT_BUFFER_BYTES);
  let owner: Socket;
  try {
    owner = new Socket({
      handle,
      readable: true,
      writable: true,
      onread: {
        buffer: kept,
        callback: (bytes: number) => {
          onChunk(kept.subarray(0, bytes));
          return true;
        },
      },
    } as ConstructorParameters<typeof Socket>[0]);
  } catch {
    return readThroughEvents(socket, onChunk);
  }
  // The accepted socket no longer owns the handle: destroying it closes nothing, and lets the
  // server count the connection as handed over.
  (socket as unknown as SocketWithHandle)._handle = null;
  socket.destroy();
  return owner;
}

function readThroughEvents(socket: Socket, onChunk: (chunk: Buffer) => void): Socket {
  socket.on('data', onChunk);
  socket.resume();
  return socket;
}
