// The map service's HTTP API over loopback: every route, the errors a bad request gets (with
// the board untouched), requests from many clients applied one at a time, the event stream,
// and the CLI client against it.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { MapApiServer } from '../../../src/xen/api/httpApi.js';
import { registerMapCommands } from '../../../src/xen/api/client.js';
import type { MapService } from '../../../src/xen/service.js';
import { newService, shadowTable } from './harness.js';
import type { FakeMpuHardware } from './fakeHardware.js';

let service: MapService;
let hardware: FakeMpuHardware;
let server: MapApiServer;
let base: string;
const logs: string[] = [];

beforeEach(async () => {
  ({ service, hardware } = newService(16));
  server = new MapApiServer(service, { log: (m) => logs.push(m) });
  const { port } = await server.listen('127.0.0.1', 0);
  base = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  await server.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(base + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function get(path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(base + path);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const hardwareState = () => JSON.stringify(hardware.regions.map((r) => [r.prbar.toString(16), r.prlar.toString(16)]));

describe('operations', () => {
  it('applies xen_mpumap_update and answers rc, errno, messages and the index', async () => {
    const ok = await post('/v1/update', { base: '0x100000', limit: '0x200000', flags: 'PAGE_HYPERVISOR_RW' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ rc: 0, errno: null, messages: [], index: 0, effect: 'inserted' });
    const overlap = await post('/v1/update', { base: 0x180000, limit: 0x280000, flags: 0x2f });
    expect(overlap.status).toBe(200);
    expect(overlap.json).toMatchObject({ rc: -22, errno: 'EINVAL', index: null });
    expect((overlap.json['messages'] as string[])[0]).toMatch(/overlaps with the existing region/);
    expect(overlap.json['conflict']).toMatchObject({ index: 0, base: '0x100000', limit: '0x200000' });
  });

  it('offers every wrapper', async () => {
    expect((await post('/v1/map', { virt: '0x300000', mfn: '0x300', nr: 16, flags: 'PAGE_HYPERVISOR_RO' })).json['rc']).toBe(0);
    expect((await post('/v1/modify', { start: '0x300000', end: '0x310000', flags: 'PAGE_HYPERVISOR_RW' })).json['rc']).toBe(0);
    expect((await post('/v1/ioremap', { start: '0x9c0a0000', len: '0x1000', flags: 'PAGE_HYPERVISOR_NOCACHE' })).json).toMatchObject({ rc: 0, address: '0x9c0a0000' });
    expect((await post('/v1/destroy-containing', { addr: '0x9c0a0010' })).json).toMatchObject({ rc: -22, messages: ["Assertion 'IS_ALIGNED(s, PAGE_SIZE)' failed"] });
    expect((await post('/v1/destroy-containing', { addr: '0x9c0a0000' })).json['rc']).toBe(0);
    expect((await post('/v1/destroy', { start: '0x300000', end: '0x308000' })).json).toMatchObject({ rc: -22, messages: ['Cannot remove a partial region'] });
    expect((await post('/v1/destroy', { start: '0x300000', end: '0x310000' })).json['rc']).toBe(0);
    expect(shadowTable(service)).toEqual([]);
  });

  it('applies a scenario in order, stopping at the first failure unless told to go on', async () => {
    const operations = [
      { op: 'update', base: '0x0', limit: '0x1000', flags: 'PAGE_HYPERVISOR_RW' },
      { op: 'update', base: '0x0', limit: '0x2000', flags: 'PAGE_HYPERVISOR_RW' },
      { op: 'update', base: '0x4000', limit: '0x5000', flags: 'PAGE_HYPERVISOR_RW' },
    ];
    const stopped = await post('/v1/scenario', { name: 't', operations });
    expect(stopped.json).toMatchObject({ scenario: 't', rc: -22, skipped: 1 });
    expect(shadowTable(service)).toHaveLength(1);
    const going = await post('/v1/scenario', { operations: operations.slice(1), continueOnError: true });
    expect(going.json).toMatchObject({ rc: -22, skipped: 0 });
    expect(shadowTable(service)).toHaveLength(2);
  });

  it('shows the regions, the diff and the last error', async () => {
    await post('/v1/update', { base: '0x100000', limit: '0x200000', flags: 'PAGE_HYPERVISOR_RW' });
    const regions = await get('/v1/regions');
    expect(regions.json).toMatchObject({ maxRegions: 16, mask: '0x1', disableMode: 'upstream' });
    expect(regions.json['shadow']).toEqual([{ index: 0, base: '0x100000', limit: '0x200000', prbar: '0x100032', prlar: '0x1fffcf', refcount: 0 }]);
    expect((regions.json['hardware'] as unknown[]).length).toBe(16);
    expect(regions.json['sctlr_el2']).toMatch(/^0x/);
    expect((await get('/v1/diff')).json).toEqual({ disagreements: [] });
    expect((await get('/v1/last-error')).json).toEqual({ lastError: null });
    await post('/v1/destroy', { start: '0x100000', end: '0x180000' });
    expect(((await get('/v1/last-error')).json['lastError'] as Record<string, unknown>)['rc']).toBe(-22);
  });
});

describe('upstream disable quirk', () => {
  it('warns in the answer when a freed region stays enabled in the MPU', async () => {
    const { service: big } = newService(40);
    const bigServer = new MapApiServer(big, { log: () => undefined });
    const { port } = await bigServer.listen('127.0.0.1', 0);
    try {
      for (let i = 0; i < 34; i++) {
        const base = (i * 0x10000).toString(16);
        await fetch(`http://127.0.0.1:${port}/v1/update`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ base: `0x${base}`, limit: `0x${(i * 0x10000 + 0x1000).toString(16)}`, flags: 'PAGE_HYPERVISOR_RW' }) });
      }
      const answer = await fetch(`http://127.0.0.1:${port}/v1/destroy`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ start: '0x210000', end: '0x211000' }) });
      const json = (await answer.json()) as Record<string, unknown>;
      expect(json).toMatchObject({ rc: 0, index: 33, effect: 'removed' });
      expect(json['disagreements']).toMatchObject([{ index: 33, kind: 'enabled-in-hardware-only', effective: true }]);
    } finally {
      await bigServer.close();
    }
  });
});

describe('bad requests', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['/v1/update', '{not json', /not valid JSON/],
    ['/v1/update', '[1,2]', /JSON object/],
    ['/v1/update', { base: '0x0', limit: '0x1000' }, /flags: missing/],
    ['/v1/update', { base: '0x0', limit: '0x1000', flags: 'RW', extra: 1 }, /extra: unknown field/],
    ['/v1/update', { base: -1, limit: '0x1000', flags: 47 }, /base: must not be negative/],
    ['/v1/update', { base: 1.5, limit: '0x1000', flags: 47 }, /base: expected an integer/],
    ['/v1/update', { base: '0x1000000000000', limit: '0x1000', flags: 47 }, /beyond the 48-bit/],
    ['/v1/update', { base: '0x0', limit: '0x1000', flags: 'PAGE_BOGUS' }, /unknown flag "PAGE_BOGUS"/],
    ['/v1/update', { base: '0x0', limit: '0x1000', flags: 'MT_NORMAL|MT_DEVICE_nGnRE' }, /both set the memory type/],
    ['/v1/map', { virt: '0x0', mfn: '0x0', nr: '0xfffffffffffffff', flags: 47 }, /nr: .* out of range/],
    ['/v1/scenario', { operations: [{ op: 'explode' }] }, /operations\[0\]\.op: unknown operation "explode"/],
    ['/v1/scenario', { operations: 'x' }, /operations: expected an array/],
  ];
  for (const [path, body, message] of cases) {
    it(`answers 400 for ${path} ${typeof body === 'string' ? body : JSON.stringify(body)}`, async () => {
      const before = hardwareState();
      const answer = await post(path, body);
      expect(answer.status).toBe(400);
      expect(String(answer.json['error'])).toMatch(message);
      expect(hardwareState()).toBe(before);
    });
  }

  it('locates a syntax error in the body by line and column, and skips a leading byte order mark', async () => {
    const bad = await post('/v1/update', '{\n  "base": "0x0",\n  "limit": "0x1000"\n  "flags": "PAGE_HYPERVISOR_RW"\n}');
    expect(bad.status).toBe(400);
    expect(bad.json['error']).toBe("the body is not valid JSON: line 4, column 3: Expected ',' or '}' after property value");
    const bom = await post('/v1/update', '\ufeff{"base": "0x0", "limit": "0x1000", "flags": "PAGE_HYPERVISOR_RW"}');
    expect(bom.json).toMatchObject({ rc: 0, effect: 'inserted' });
  });

  it('answers 404 for an unknown route and 405 with Allow for a wrong method', async () => {
    expect((await get('/v2/nothing')).status).toBe(404);
    const wrong = await fetch(`${base}/v1/regions`, { method: 'POST', body: '{}' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect((await get('/v1/update')).status).toBe(405);
  });

  it('refuses a body over 1 MiB with 413 and keeps serving', async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/v1/update`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('x'.repeat(2 * 1024 * 1024));
    });
    expect(answer).toBe(413);
    expect((await get('/v1/regions')).status).toBe(200);
  });
});

describe('concurrency', () => {
  it('applies 40 concurrent requests one at a time: no entry is handed out twice', async () => {
    const requests = Array.from({ length: 40 }, (_, i) => post('/v1/update', { base: `0x${(i * 0x10000).toString(16)}`, limit: `0x${(i * 0x10000 + 0x1000).toString(16)}`, flags: 'PAGE_HYPERVISOR_RW' }));
    const answers = await Promise.all(requests);
    const inserted = answers.filter((a) => a.json['rc'] === 0).map((a) => a.json['index']);
    expect(inserted).toHaveLength(16);
    expect(new Set(inserted).size).toBe(16);
    expect(answers.filter((a) => a.json['errno'] === 'ENOENT')).toHaveLength(24);
    const sequences = answers.map((a) => a.json['sequence'] as number).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(shadowTable(service)).toHaveLength(16);
  });
});

describe('event stream', () => {
  it('sends one event per operation', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/v1/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    await reader.read(); // the comment line
    await post('/v1/update', { base: '0x0', limit: '0x1000', flags: 'PAGE_HYPERVISOR_RW' });
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/^event: operation\ndata: \{.*"rc":0/);
    controller.abort();
  });
});

describe('CLI client', () => {
  async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    let code = -1;
    const program = new Command('mpustub').exitOverride();
    registerMapCommands(program, { out: (t) => (out += t), err: (t) => (err += t), exit: (c) => (code = c) });
    await program.parseAsync(['node', 'mpustub', ...args, '--api', base]);
    return { code, out, err };
  }

  it('maps, prints a table, and exits 0', async () => {
    const mapped = await cli('map', '0x300000', '0x300', '16', 'PAGE_HYPERVISOR_RW');
    expect(mapped.code).toBe(0);
    expect(mapped.out).toMatch(/rc 0: inserted, entry 0/);
    const regions = await cli('regions');
    expect(regions.out).toMatch(/1 of 16 entries in use/);
    expect(regions.out).toMatch(/0x300000\s+0x310000/);
  });

  it('exits 1 on a refusal and prints Xen\'s message; --json gives the API answer', async () => {
    await cli('update', '0x0', '0x2000', 'PAGE_HYPERVISOR_RW');
    const refused = await cli('unmap', '0x0', '0x1000');
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/\(XEN\) Cannot remove a partial region/);
    const json = await cli('unmap', '0x0', '0x1000', '--json');
    expect(JSON.parse(json.out)).toMatchObject({ rc: -22, errno: 'EINVAL' });
  });

  it('exits 2 with a clear message for a bad request or no service', async () => {
    const bad = await cli('update', '0x0', '0x2000', 'NOPE');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/HTTP 400: flags: unknown flag "NOPE"/);
    let err = '';
    let code = -1;
    const program = new Command('mpustub').exitOverride();
    registerMapCommands(program, { out: () => undefined, err: (t) => (err += t), exit: (c) => (code = c) });
    await program.parseAsync(['node', 'mpustub', 'regions', '--api', 'http://127.0.0.1:9']);
    expect(code).toBe(2);
    expect(err).toMatch(/cannot reach the map service/);
  });

  it('sends a scenario file that starts with a byte order mark; a syntax error names its line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpustub-'));
    const bom = join(dir, 'bom.json');
    writeFileSync(bom, `\ufeff${JSON.stringify({ name: 'bom', operations: [{ op: 'update', base: '0x0', limit: '0x2000', flags: 'PAGE_HYPERVISOR_RW' }] })}`);
    expect(await cli('scenario', bom)).toMatchObject({ code: 0, out: expect.stringMatching(/scenario bom: rc 0/) as unknown });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "operations": [\n    {"op": "update", "flags": PAGE_HYPERVISOR_RW}\n  ]\n}\n');
    const refused = await cli('scenario', broken);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/broken\.json: line 3, column 31: Unexpected token 'P'/);
  });

  it('gives up with exit status 2 when the port accepts but never answers (--timeout)', async () => {
    // One server that never answers, one that sends its headers and then stalls in the body.
    const held = new Set<Socket>();
    const silent = createNetServer((socket) => held.add(socket));
    const stalling = createNetServer((socket) => {
      held.add(socket);
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    });
    const url = async (server: NetServer): Promise<string> => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    const runAgainst = async (api: string, ...args: string[]) => {
      let err = '';
      let code = -1;
      const program = new Command('mpustub').exitOverride();
      registerMapCommands(program, { out: () => undefined, err: (t) => (err += t), exit: (c) => (code = c) });
      const began = performance.now();
      await program.parseAsync(['node', 'mpustub', ...args, '--api', api, '--timeout', '0.5']);
      return { code, err, seconds: (performance.now() - began) / 1000 };
    };
    try {
      const silentUrl = await url(silent);
      const stallingUrl = await url(stalling);
      for (const run of [await runAgainst(silentUrl, 'regions'), await runAgainst(silentUrl, 'map', '0x0', '0x0', '1', 'PAGE_HYPERVISOR_RW'), await runAgainst(stallingUrl, 'diff')]) {
        expect(run.code).toBe(2);
        expect(run.err).toMatch(/did not answer within 0\.5 s/);
        expect(run.seconds).toBeGreaterThanOrEqual(0.45);
        expect(run.seconds).toBeLessThan(3);
      }
    } finally {
      for (const socket of held) socket.destroy();
      for (const server of [silent, stalling]) await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a --timeout that is not a positive number of seconds', async () => {
    let err = '';
    const program = new Command('mpustub').exitOverride().configureOutput({ writeErr: (t) => (err += t) });
    registerMapCommands(program, { out: () => undefined, err: () => undefined, exit: () => undefined });
    await expect(program.parseAsync(['node', 'mpustub', 'regions', '--timeout', '0'])).rejects.toThrow();
    expect(err).toMatch(/a timeout is a number of seconds greater than 0/);
  });

  it('applies a scenario file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpustub-'));
    const file = join(dir, 's.json');
    writeFileSync(file, JSON.stringify({ name: 'two', operations: [{ op: 'update', base: '0x0', limit: '0x2000', flags: 'PAGE_HYPERVISOR_RW' }, { op: 'destroy', start: '0x0', end: '0x1000' }] }));
    const run = await cli('scenario', file);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/scenario two: rc -22/);
  });
});

describe('closing', () => {
  it('lets a request already being answered finish, then refuses connections', async () => {
    let release!: () => void;
    const held = service.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
    // The update waits behind the held lock: it is in flight when the server closes.
    const answer = post('/v1/update', { base: '0x100000', limit: '0x200000', flags: 'PAGE_HYPERVISOR_RW' });
    await new Promise((r) => setTimeout(r, 50));
    const closing = server.close();
    setTimeout(() => release(), 50);
    expect(await answer).toMatchObject({ status: 200, json: { rc: 0 } });
    await closing;
    await held;
    await expect(fetch(base + '/v1/regions')).rejects.toThrow();
  });
});
