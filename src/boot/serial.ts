// Where the board's PL011 output goes (`--serial`): the stub's log (the default without
// --kernel, as before), the stub's stdout (the default with --kernel, as QEMU's -nographic
// does), a file, a TCP listener on loopback, or nowhere. The UART hands its output over a
// line at a time (src/machine/memory.ts); each line goes out with its newline, its bytes as
// the kernel wrote them. Input to the UART is not modelled: what a TCP client sends is read
// and dropped.

import { closeSync, openSync, writeSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { Logger } from '../log.js';
import { listenOn } from '../util/listen.js';

export type SerialChoice =
  | { readonly kind: 'log' }
  | { readonly kind: 'stdio' }
  | { readonly kind: 'none' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'tcp'; readonly port: number };

export const SERIAL_USAGE = 'stdio, log, none, file:PATH or tcp:PORT (on 127.0.0.1; 0 = any free port)';

export function parseSerialChoice(text: string): SerialChoice {
  if (text === 'log' || text === 'stdio' || text === 'none') return { kind: text };
  if (text.startsWith('file:') && text.length > 5) return { kind: 'file', path: text.slice(5) };
  const tcp = /^tcp:(\d{1,5})$/.exec(text);
  if (tcp && Number(tcp[1]) <= 65535) return { kind: 'tcp', port: Number(tcp[1]) };
  throw new Error(`--serial: "${text}" is not one of ${SERIAL_USAGE}`);
}

/** What produces the lines: the machine's UART console. */
export interface ConsoleSource {
  onConsoleLine(listener: (line: string) => void): () => void;
}

export interface SerialOutput {
  /** The TCP listener's address (`tcp:PORT`). */
  readonly address?: { readonly host: string; readonly port: number };
  close(): Promise<void>;
}

/** Output kept for a TCP client that has not connected yet: the start of a boot matters most. */
const TCP_BACKLOG_BYTES = 64 * 1024;

const bytesOf = (line: string): Buffer => Buffer.from(`${line}\n`, 'latin1');

export async function openSerial(choice: SerialChoice, source: ConsoleSource, logger: Logger, stdout: NodeJS.WritableStream = process.stdout): Promise<SerialOutput> {
  switch (choice.kind) {
    case 'log': {
      const off = source.onConsoleLine((line) => logger.info(`uart: ${line}`));
      return { close: () => Promise.resolve(void off()) };
    }
    case 'none':
      return { close: () => Promise.resolve() };
    case 'stdio': {
      const off = source.onConsoleLine((line) => {
        stdout.write(bytesOf(line));
        logger.debug(`uart: ${line}`);
      });
      return { close: () => Promise.resolve(void off()) };
    }
    case 'file': {
      let fd: number;
      try {
        fd = openSync(choice.path, 'w');
      } catch (err) {
        throw new Error(`cannot open serial output ${choice.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      // Written as it comes, so that a reader of the file (a test, tail -f) sees each line at once.
      const off = source.onConsoleLine((line) => {
        writeSync(fd, bytesOf(line));
        logger.debug(`uart: ${line}`);
      });
      return {
        close: () => {
          off();
          closeSync(fd);
          return Promise.resolve();
        },
      };
    }
    case 'tcp':
      return openTcpSerial(choice.port, source, logger);
  }
}

/** A loopback listener serving one client at a time; output waits (bounded) for the first one. */
async function openTcpSerial(port: number, source: ConsoleSource, logger: Logger): Promise<SerialOutput> {
  let client: Socket | undefined;
  let backlog: Buffer[] = [];
  let backlogBytes = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      if (client === socket) client = undefined;
    });
    socket.on('error', () => undefined);
    if (client) {
      socket.end('mpustub: the serial port already has a client\n');
      return;
    }
    client = socket;
    socket.on('data', () => undefined); // no UART input: read and dropped
    for (const chunk of backlog) socket.write(chunk);
    backlog = [];
    backlogBytes = 0;
  });
  const off = source.onConsoleLine((line) => {
    const bytes = bytesOf(line);
    logger.debug(`uart: ${line}`);
    if (client) {
      client.write(bytes);
      return;
    }
    backlog.push(bytes);
    backlogBytes += bytes.length;
    while (backlogBytes > TCP_BACKLOG_BYTES && backlog.length > 1) backlogBytes -= backlog.shift()!.length;
  });
  let address: { host: string; port: number };
  try {
    address = await listenOn(server, '127.0.0.1', port);
  } catch (err) {
    off();
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`cannot listen for the serial port on 127.0.0.1:${port}: ${code === 'EADDRINUSE' ? 'the address is already in use' : (err as Error).message}; choose another with --serial tcp:PORT (0 = any free port)`);
  }
  return {
    address,
    close: () => {
      off();
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
