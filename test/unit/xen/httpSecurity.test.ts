// The HTTP API against web pages: a request must name the API in its Host header (loopback or
// an allowed name, with the API's port), so DNS rebinding gets nowhere; a request from a web
// page on another site (Origin) is refused; and a POST body must be declared as JSON, so a
// form or text/plain post cannot pass for one. Checked in that order, before the route. Each
// refusal is a 403 or 415 with a JSON error that says why, and the board is left untouched.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { MapApiServer } from '../../../src/xen/api/httpApi.js';
import { allowedHostName, HostPolicy, isLoopbackHost } from '../../../src/xen/api/origin.js';
import type { FakeMpuHardware } from './fakeHardware.js';
import { newService } from './harness.js';

let hardware: FakeMpuHardware;
let server: MapApiServer;
let port: number;

beforeEach(async () => {
  const made = newService(16);
  hardware = made.hardware;
  server = new MapApiServer(made.service, { log: () => undefined, allowedHosts: ['stub.lan', '192.0.2.7'] });
  port = (await server.listen('127.0.0.1', 0)).port;
});

afterEach(async () => {
  await server.close();
});

interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly contentType: string | undefined;
}

/** A request with exactly the headers given: no Host unless one is given. */
function send(method: string, path: string, headers: OutgoingHttpHeaders, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const contentType = res.headers['content-type'];
        resolve({ status: res.statusCode ?? 0, json: contentType === 'application/json' ? (JSON.parse(text) as Record<string, unknown>) : {}, contentType });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const self = (): string => `127.0.0.1:${port}`;
const json = { 'Content-Type': 'application/json' };
const UPDATE = JSON.stringify({ base: '0x100000', limit: '0x200000', flags: 'PAGE_HYPERVISOR_RW' });
const hardwareState = (): string => JSON.stringify(hardware.regions.map((r) => [r.prbar.toString(16), r.prlar.toString(16)]));

describe('Host', () => {
  it('accepts the loopback names and addresses with the API port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `127.3.2.1:${port}`, `[::1]:${port}`, `[0:0::1]:${port}`]) {
      expect((await send('GET', '/v1/regions', { Host: host })).status, host).toBe(200);
    }
  });

  const foreign = (): string[] => [
    `attacker.example:${port}`, // DNS rebinding: the page's own name, resolving to 127.0.0.1
    'attacker.example',
    '127.0.0.1', // no port means 80
    `127.0.0.1:${port + 1}`,
    `127.0.0.1:0${port}`,
    `localhost.:${port}`,
    `localhost:${port}@attacker.example`,
    `attacker.example@localhost:${port}`,
    `localhost:${port}/x`,
    `127.1:${port}`,
    `[::ffff:127.0.0.1]:${port}`,
    `0x7f.0.0.1:${port}`,
    '',
  ];

  it('refuses any other Host with 403 and a reason, on every route, before the route is looked at', async () => {
    for (const host of foreign()) {
      for (const [method, path] of [['GET', '/v1/regions'], ['GET', '/v1/events'], ['POST', '/v1/update'], ['GET', '/v1/nothing'], ['DELETE', '/v1/update']] as const) {
        const answer = await send(method, path, { Host: host, ...json }, method === 'POST' ? UPDATE : undefined);
        expect(answer.status, `${method} ${path} Host ${host}`).toBe(403);
        expect(answer.json['error']).toMatch(/^Host ".*" does not name this API \(localhost:\d+, 127\.0\.0\.1:\d+, \[::1\]:\d+, stub\.lan:\d+, 192\.0\.2\.7:\d+\); .*DNS rebinding/);
      }
    }
    expect(hardwareState()).toBe(JSON.stringify(newService(16).hardware.regions.map((r) => [r.prbar.toString(16), r.prlar.toString(16)])));
  });

  it('refuses a request without Host, and one with two', async () => {
    const none = await send('GET', '/v1/regions', {});
    expect(none.status).toBe(403);
    expect(none.json['error']).toMatch(/^no Host header: the API answers only requests that name it as localhost:\d+/);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`GET /v1/regions HTTP/1.1\r\nHost: ${self()}\r\nHost: attacker.example:${port}\r\nConnection: close\r\n\r\n`));
      let text = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 403 [^]*"error": "more than one Host header"/);
  });

  it('accepts the names given with --allow-host, in any case, with the API port only', async () => {
    for (const host of [`stub.lan:${port}`, `STUB.LAN:${port}`, `192.0.2.7:${port}`]) {
      expect((await send('GET', '/v1/regions', { Host: host })).status, host).toBe(200);
    }
    expect((await send('GET', '/v1/regions', { Host: 'stub.lan' })).status).toBe(403);
    expect((await send('GET', '/v1/regions', { Host: `sub.stub.lan:${port}` })).status).toBe(403);
  });
});

describe('Origin', () => {
  it('accepts a request without Origin (curl, the CLI, scripts) and one from the API\'s own origin', async () => {
    for (const origin of [undefined, `http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`, `http://stub.lan:${port}`]) {
      const answer = await send('POST', '/v1/update', { Host: self(), ...json, ...(origin ? { Origin: origin } : {}) }, UPDATE);
      expect(answer.status, String(origin)).toBe(200);
    }
  });

  it('refuses another origin, "null", and https or another port, with 403 before the route and the content type', async () => {
    const before = hardwareState();
    for (const origin of ['http://attacker.example', `http://attacker.example:${port}`, 'null', `https://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`, `http://127.0.0.1:${port}/`, 'http://127.0.0.1', `http://user@127.0.0.1:${port}`]) {
      // A "simple" cross-site request: text/plain needs no CORS preflight, so only this check stops it.
      for (const [method, path, headers] of [['POST', '/v1/update', { 'Content-Type': 'text/plain' }], ['POST', '/v1/after-init', {}], ['GET', '/v1/events', {}], ['GET', '/v1/nothing', {}]] as const) {
        const answer = await send(method, path, { Host: self(), Origin: origin, ...headers }, method === 'POST' && path === '/v1/update' ? UPDATE : undefined);
        expect(answer.status, `${origin} ${method} ${path}`).toBe(403);
        expect(answer.json['error']).toMatch(origin === 'null' ? /^Origin "null" \(a sandboxed page or a local file\)/ : /^Origin ".*" is not this API's own \(http:\/\/localhost:\d+, .*\): the API does not answer requests from other sites$/);
      }
    }
    expect(hardwareState()).toBe(before);
  });

  it('is checked after Host: a bad Host is reported first', async () => {
    const answer = await send('GET', '/v1/regions', { Host: `attacker.example:${port}`, Origin: 'http://attacker.example' });
    expect(answer.json['error']).toMatch(/^Host /);
  });

  it('keeps the event stream for its own origin', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/v1/events`, { headers: { Origin: `http://127.0.0.1:${port}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    await response.body!.cancel();
  });
});

describe('Content-Type', () => {
  it('refuses a POST body that is not declared as JSON with 415 and the command that works', async () => {
    const before = hardwareState();
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json', 'application/json; charset=latin1']) {
      const answer = await send('POST', '/v1/update', { Host: `localhost:${port}`, 'Content-Type': type }, UPDATE);
      expect(answer.status, type).toBe(415);
      expect(answer.json['error']).toContain(`e.g. curl --json '{"base":"0x100000","limit":"0x200000","flags":"PAGE_HYPERVISOR_RW"}' http://localhost:${port}/v1/update`);
    }
    const untyped = await send('POST', '/v1/scenario', { Host: self() }, '{"operations": []}');
    expect(untyped.status).toBe(415);
    expect(untyped.json['error']).toMatch(/^POST \/v1\/scenario takes a JSON body sent with Content-Type: application\/json in UTF-8 \(this one had no Content-Type\), e\.g\. curl --json /);
    expect(hardwareState()).toBe(before);
  });

  it('accepts application/json with parameters and in any case', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"', 'application/json ; charset=utf8']) {
      const answer = await send('POST', '/v1/destroy', { Host: self(), 'Content-Type': type }, '{"start": "0x0", "end": "0x1000"}');
      expect(answer.status, type).toBe(200);
    }
  });

  it('accepts a POST without Content-Type when it has no body (boot, free-init, after-init)', async () => {
    const boot = await send('POST', '/v1/boot', { Host: self() });
    expect(boot.status).toBe(200);
    expect(boot.json).toMatchObject({ rc: 0, effect: 'booted' });
    expect((await send('POST', '/v1/after-init', { Host: self(), 'Content-Length': '0' })).status).toBe(200);
    // An empty body where fields are needed is the request's fault, not the content type's.
    expect((await send('POST', '/v1/update', { Host: self() })).status).toBe(400);
  });

  it('is checked after the route and the method', async () => {
    expect((await send('POST', '/v1/nothing', { Host: self(), 'Content-Type': 'text/plain' }, 'x')).status).toBe(404);
    expect((await send('POST', '/v1/regions', { Host: self(), 'Content-Type': 'text/plain' }, 'x')).status).toBe(405);
  });
});

describe('HostPolicy', () => {
  it('accepts the address the API is bound to, in canonical form', () => {
    const policy = new HostPolicy(1235, '192.168.7.2', []);
    expect(policy.accepts('192.168.7.2:1235')).toBe(true);
    expect(policy.accepts('192.168.7.3:1235')).toBe(false);
    const v6 = new HostPolicy(1235, 'fd00::0:7', ['Board.Lab']);
    expect(v6.accepts('[fd00::7]:1235')).toBe(true);
    expect(v6.accepts('board.lab:1235')).toBe(true);
    expect(new HostPolicy(80, '127.0.0.1', []).accepts('localhost')).toBe(true);
  });

  it('knows loopback, and checks the names it is given', () => {
    expect(['localhost', '127.0.0.1', '127.255.0.9', '::1', '[::1]', '0:0:0:0:0:0:0:1'].every(isLoopbackHost)).toBe(true);
    expect(['localhost.', '128.0.0.1', '::2', '0.0.0.0', 'evil.localhost'].some(isLoopbackHost)).toBe(false);
    expect(allowedHostName('Stub.Lan')).toBe('stub.lan');
    expect(allowedHostName('[FD00::7]')).toBe('fd00::7');
    for (const bad of ['stub.lan:1235', 'http://stub.lan', 'a b', '', 'stub.lan.']) expect(() => allowedHostName(bad), bad).toThrow(/not a host name or an address/);
  });
});

describe('requests a page makes without an Origin', () => {
  it('refuses Sec-Fetch-Site cross-site and same-site (an image or link to the event stream) and accepts same-origin and none', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const answer = await send('GET', '/v1/events', { Host: self(), 'Sec-Fetch-Site': site });
      expect(answer.status, site).toBe(403);
      expect(String(answer.json.error)).toMatch(/Sec-Fetch-Site .*does not answer requests from web pages/);
    }
    expect((await send('GET', '/v1/regions', { Host: self(), 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
    expect((await send('GET', '/v1/regions', { Host: self(), 'Sec-Fetch-Site': 'none' })).status).toBe(200);
  });

  it('opens at most 32 event streams at once and says so to the next', async () => {
    const sockets = await Promise.all(
      Array.from({ length: 32 }, async () => {
        const socket = connect(port, '127.0.0.1');
        let head = '';
        socket.on('data', (c: Buffer) => (head += c.toString('latin1')));
        socket.write(`GET /v1/events HTTP/1.1\r\nHost: ${self()}\r\n\r\n`);
        await expect.poll(() => head, { timeout: 2000 }).toContain('200 OK');
        return socket;
      }),
    );
    const answer = await send('GET', '/v1/events', { Host: self() });
    expect(answer.status).toBe(503);
    expect(String(answer.json.error)).toMatch(/already 32 event streams open/);
    for (const socket of sockets) socket.destroy();
  });
});
