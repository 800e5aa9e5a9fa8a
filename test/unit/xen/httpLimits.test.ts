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
import { newService } from './harness.js';

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

/** Opens a raw connection, lets `act` write to it, and resolves when the server closes it. */
function closeTime(port: number, act: (socket: Socket) => void): Promise<{ seconds: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const began = performance.now();
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.once('connect', () => act(socket));
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ seconds: (performance.now() - began) / 1000, answer });
    });
    // A trickle: one more byte every 200 ms, so the connection is never idle.
    (socket as Socket & { trickle?: (text: string) => void }).trickle = (text) => {
      timer = setInterval(() => socket.writable && socket.write(text), 200);
    };
  });
}

const trickle = (socket: Socket, text: string): void => (socket as Socket & { trickle: (text: string) => void }).trickle(text);

describe('slow requests', () => {
  it(`closes a connection whose headers do not finish within ${HEADERS_TIMEOUT_MS / 1000} s (real limits), with 408`, async () => {
    const port = await start();
    const [nothing, partial, dripping] = await Promise.all([
      closeTime(port, () => undefined),
      closeTime(port, (s) => s.write(`GET /v1/regions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`)),
      closeTime(port, (s) => {
        s.write('GET /v1/regions HTTP/1.1\r\n');
        trickle(s, 'X-A: b\r\n');
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
    const run = await closeTime(port, (s) => {
      s.write(`POST /v1/update HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
      trickle(s, ' ');
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
