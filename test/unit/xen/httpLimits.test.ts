// Clients of the map service's HTTP API that hold on to the server: a request whose headers or
// body never finish is cut off within the documented time (Node only looks for such
// connections every connectionsCheckingInterval, 30 s unless told otherwise), and an event
// stream client that stops reading is dropped once its backlog passes a bound, so memory stays
// bounded whatever it does.

import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { HEADERS_TIMEOUT_MS, MapApiServer, type MapApiOptions } from '../../../src/xen/api/httpApi.js';
import type { MapService } from '../../../src/xen/service.js';
import { newService, RW } from './harness.js';

const servers: MapApiServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const logs: string[] = [];

async function start(limits: MapApiOptions['limits'] = {}, service: MapService = newService(16).service): Promise<number> {
  logs.length = 0;
  const server = new MapApiServer(service, { log: (message) => logs.push(message), limits });
  servers.push(server);
  return (await server.listen('127.0.0.1', 0)).port;
}

/**
 * Opens a raw connection, lets `act` write to it, and resolves when the server closes it.
 * `act` may start a trickle: one more piece every 200 ms, so the connection is never idle.
 */
function closeTime(port: number, act: (socket: Socket, trickle: (text: string) => void) => void): Promise<{ seconds: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const began = performance.now();
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const trickle = (text: string): void => {
      timer = setInterval(() => socket.writable && socket.write(text), 200);
    };
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.once('connect', () => act(socket, trickle));
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ seconds: (performance.now() - began) / 1000, answer });
    });
  });
}

describe('slow requests', () => {
  it(`closes a connection whose headers do not finish within ${HEADERS_TIMEOUT_MS / 1000} s (real limits), with 408`, async () => {
    const port = await start();
    const [nothing, partial, dripping] = await Promise.all([
      closeTime(port, () => undefined),
      closeTime(port, (s) => s.write(`GET /v1/regions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`)),
      closeTime(port, (s, trickle) => {
        s.write('GET /v1/regions HTTP/1.1\r\n');
        trickle('X-A: b\r\n');
      }),
    ]);
    for (const run of [partial, dripping]) {
      expect(run.answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(run.seconds).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS / 1000 - 0.1);
      expect(run.seconds).toBeLessThan(7);
    }
    expect(nothing.seconds).toBeLessThan(7);
  }, 15_000);

  it('closes a request whose body trickles past the request limit, with 408, and keeps serving', async () => {
    const port = await start({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
    const run = await closeTime(port, (s, trickle) => {
      s.write(`POST /v1/update HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
      trickle(' ');
    });
    expect(run.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(run.seconds).toBeGreaterThanOrEqual(1.9);
    expect(run.seconds).toBeLessThan(3.5);
    expect((await fetch(`http://127.0.0.1:${port}/v1/regions`)).status).toBe(200);
    // A client cut off mid-body is the client's failure, not an internal error of the service.
    expect(logs).toEqual([]);
  });

  it('refuses limits Node would reject or that would never close a connection', () => {
    const { service } = newService(16);
    expect(() => new MapApiServer(service, { log: () => undefined, limits: { headersTimeoutMs: 3_000, requestTimeoutMs: 2_000 } })).toThrow(/headersTimeoutMs/);
    expect(() => new MapApiServer(service, { log: () => undefined, limits: { requestTimeoutMs: 0 } })).toThrow(/requestTimeoutMs/);
  });
});

/** A raw /v1/events client that sends its request and then stops reading. */
async function stalledEventClient(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  socket.pause();
  return socket;
}

/** Starts reading again; resolves with the last bytes sent once the server ends the stream, or null if it has not within `ms`. */
function readToEnd(socket: Socket, ms: number): Promise<string | null> {
  return new Promise((resolve) => {
    let tail = '';
    const timer = setTimeout(() => resolve(null), ms);
    socket.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString('latin1')).slice(-2048)));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(tail);
    });
    socket.resume();
  });
}

/**
 * `count` operations straight on the service, each published to the event stream: in one
 * burst, as a scenario applies them, or yielding to the event loop every 100 operations, as
 * requests arriving one by one do (the stub then hands events to the kernel as it goes).
 */
async function operations(service: MapService, count: number, paced = false): Promise<void> {
  for (let i = 0; i < count; i += 2) {
    await service.execute({ op: 'update', base: 0x10_0000n, limit: 0x20_0000n, flags: RW });
    await service.execute({ op: 'destroy', start: 0x10_0000n, end: 0x20_0000n });
    if (paced && i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

const MiB = 1 << 20;

describe('event stream clients that stop reading', () => {
  it('five stalled clients during 20 000 operations: each is dropped with a last event, memory stays bounded', async () => {
    const { service } = newService(16);
    // A long grace, so that the clients can still read their last event when they resume.
    const port = await start({ eventDropGraceMs: 60_000 }, service);
    // Warm-up with the same burst and no client: code compiled, and the heap grown to what
    // 20 000 back-to-back operations need, so that the figure below is what the clients cost.
    await operations(service, 20_000);
    const clients = await Promise.all(Array.from({ length: 5 }, () => stalledEventClient(port)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = process.memoryUsage().rss;
    await operations(service, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const growth = process.memoryUsage().rss - before;
    // Without the bound every event stays buffered for every client: about 90 MiB here,
    // against about 25 MiB with it, however many operations run.
    expect(growth / MiB).toBeLessThan(64);
    for (const tail of await Promise.all(clients.map((c) => readToEnd(c, 10_000)))) {
      // The last event, then the end of the chunked body, then the connection closes.
      expect(tail).toMatch(/event: dropped\ndata: \{"reason":"this client fell more than 1048576 bytes behind[^\n]*\}\n\n\r\n0\r\n\r\n$/);
    }
  }, 30_000);

  it('destroys the connection of a dropped client that still does not read, once the grace period is over', async () => {
    const { service } = newService(16);
    const port = await start({ eventBacklogBytes: 64 * 1024, eventDropGraceMs: 100 }, service);
    const client = await stalledEventClient(port);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Paced, so that the kernel's socket buffers fill first and the stub's backlog grows after.
    await operations(service, 40_000, true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // What the kernel had already taken can still be read; then the stream ends, without the
    // last event, which was still waiting in the stub when the connection went.
    const tail = await readToEnd(client, 5_000);
    expect(tail).not.toBeNull();
    expect(tail).not.toMatch(/event: dropped/);
  }, 30_000);

  it('keeps a client that reads', async () => {
    const { service } = newService(16);
    const port = await start({ eventBacklogBytes: 64 * 1024 }, service);
    const response = await fetch(`http://127.0.0.1:${port}/v1/events`);
    const reader = response.body!.getReader();
    let events = 0;
    const reading = (async () => {
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
        const parts = text.split('\n\n');
        text = parts.pop()!;
        events += parts.filter((p) => p.startsWith('event: operation')).length;
        if (parts.some((p) => p.startsWith('event: dropped'))) throw new Error('dropped');
        if (events === 2_000) return;
      }
    })();
    for (let i = 0; i < 2_000; i += 2) {
      await operations(service, 2);
      // Pace the operations like real clients so that a reading client keeps up.
      if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await reading;
    expect(events).toBe(2_000);
    await reader.cancel();
  });
});
