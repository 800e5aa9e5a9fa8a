// The board view behind the region-map page, served in-process: `GET /v1/board` shows both
// regimes, the shadow, the diff and the last refused access, and reading it changes nothing
// (a region waiting for its ISB stays pending); `GET /v1/history` exists only where a history
// is kept; the page's files are served at `/` under the API's rules, with a policy that keeps
// the page from loading or framing anything foreign.

import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import type { Machine } from '../../../src/machine/machine.js';
import { MachineMpuHardware } from '../../../src/debug/machineMpuHardware.js';
import type { BoardJson, BoardViewSource } from '../../../src/view/boardJson.js';
import { createBoardView } from '../../../src/view/boardView.js';
import { createMachine } from '../../../src/wiring.js';
import { MapApiServer } from '../../../src/xen/api/httpApi.js';
import { MapService } from '../../../src/xen/service.js';

let server: MapApiServer | null = null;
let pageDir: string | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
  if (pageDir !== null) rmSync(pageDir, { recursive: true, force: true });
  pageDir = null;
});

interface Started {
  readonly machine: Machine;
  readonly service: MapService;
  readonly port: number;
}

async function start(options: { history?: BoardViewSource['history']; page?: boolean } = {}): Promise<Started> {
  const machine = createMachine(DEFAULT_BOARD);
  const service = new MapService(new MachineMpuHardware(machine));
  expect((await service.boot()).rc).toBe(0);
  pageDir = mkdtempSync(join(tmpdir(), 'mpustub-page-'));
  if (options.page !== false) {
    writeFileSync(join(pageDir, 'index.html'), '<!doctype html><title>map</title>');
    writeFileSync(join(pageDir, 'page.js'), 'console.log(1);');
  }
  server = new MapApiServer(service, { log: () => undefined, boardView: createBoardView(machine, service, { running: false }, options.history), pageDir });
  const { port } = await server.listen('127.0.0.1', 0);
  return { machine, service, port };
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

function send(port: number, method: string, path: string, headers: OutgoingHttpHeaders = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function boardOf(port: number): Promise<BoardJson> {
  const answer = await send(port, 'GET', '/v1/board');
  expect(answer.status, answer.text).toBe(200);
  return JSON.parse(answer.text) as BoardJson;
}

const reg = (name: string) => register(name as Parameters<typeof register>[0]);

describe('GET /v1/board', () => {
  it('shows both regimes, the shadow beside the EL2 MPU, and no disagreement after a boot', async () => {
    const { port } = await start();
    const board = await boardOf(port);
    expect(board.board.name).toBe(DEFAULT_BOARD.name);
    expect(board.board.memory.find((m) => m.name === 'uart0')).toEqual({ name: 'uart0', kind: 'device', base: '0x9c090000', limit: '0x9c090fff' });
    expect(board.el2.enabled).toBe(true);
    expect(board.el2.regions.map((r) => r.index)).toEqual(board.shadow.entries.map((e) => e.index));
    expect(board.el2.regions.length).toBeGreaterThan(0);
    expect(board.el1).toMatchObject({ name: 'el1', enabled: false, regions: [] });
    expect(board.disagreements).toEqual([]);
    expect(board).toMatchObject({ lastFault: null, lastError: null, history: false, core: { running: false } });
  });

  it('reads the MPU without side effects: a region waiting for its ISB stays pending however often the page looks', async () => {
    const { machine, port } = await start();
    machine.writeRegister(reg('PRSELR_EL2'), 20n, 'core');
    machine.writeRegister(reg('PRBAR_EL2'), 0x5000_0032n, 'core');
    machine.writeRegister(reg('PRLAR_EL2'), 0x5001_ffcfn, 'core');
    machine.dsb();
    for (let i = 0; i < 3; i++) {
      const board = await boardOf(port);
      expect(board.el2.pending).toEqual([20]);
      const region = board.el2.regions.find((r) => r.index === 20)!;
      expect(region).toMatchObject({ pending: true, programmed: { enabled: true, base: '0x50000000', limit: '0x5001ffff' }, effective: { enabled: false } });
      expect(board.disagreements).toEqual([expect.objectContaining({ index: 20, kind: 'enabled-in-hardware-only', effective: true })]);
    }
    expect(machine.mpu.pendingRegions('el2')).toEqual([20]);
    expect(machine.readRegister(reg('PRSELR_EL2'))).toBe(20n);
  });

  it('carries the last refused access with its rule and syndrome, and the last refused operation', async () => {
    const { machine, service, port } = await start();
    const read = machine.readMemory(0x9000_0000, 4, { origin: 'debugger' });
    expect(read.fault).toBeDefined();
    await service.execute({ op: 'update', base: 0x10_0000n, limit: 0x18_0000n, flags: 0x2f });
    const board = await boardOf(port);
    expect(board.lastFault).toMatchObject({ origin: 'debugger', address: '0x90000000', regime: 'el2', rule: 'no-region', esr: '0x9600000c', far: '0x90000000', latched: false });
    expect(board.lastFault!.esrDescription).toContain('EC=0x25');
    expect(board.lastError).toMatchObject({ rc: -22, errno: 'EINVAL', effect: 'refused' });
  });
});

describe('GET /v1/history', () => {
  it('is absent where no history is kept', async () => {
    const { port } = await start();
    expect((await send(port, 'GET', '/v1/history?regime=el2&region=3')).status).toBe(404);
  });

  it('answers from the history where one is kept, and refuses a bad query', async () => {
    const asked: string[] = [];
    const { port } = await start({
      history: (regime, index) => {
        asked.push(`${regime}:${index}`);
        return Promise.resolve({ entries: [`write ${index}`] });
      },
    });
    expect((await boardOf(port)).history).toBe(true);
    const answer = await send(port, 'GET', '/v1/history?regime=el1&region=7');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ entries: ['write 7'] });
    expect((await send(port, 'GET', '/v1/history?region=255')).status).toBe(400);
    expect((await send(port, 'GET', '/v1/history?regime=el3&region=1')).status).toBe(400);
    expect(asked).toEqual(['el1:7']);
  });
});

describe('the page at /', () => {
  it('is served with a policy that allows only its own files and no framing', async () => {
    const { port } = await start();
    const page = await send(port, 'GET', '/', { 'Sec-Fetch-Site': 'none' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<title>map</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'; script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const script = await send(port, 'GET', '/page.js', { 'Sec-Fetch-Site': 'same-origin' });
    expect(script).toMatchObject({ status: 200, text: 'console.log(1);' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('follows the API\'s rules: another site, another Host, POST', async () => {
    const { port } = await start();
    expect((await send(port, 'GET', '/', { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await send(port, 'GET', '/', { Host: `attacker.example:${port}` })).status).toBe(403);
    expect((await send(port, 'GET', '/page.js', { Origin: 'http://attacker.example' })).status).toBe(403);
    const post = await send(port, 'POST', '/');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET');
  });

  it('serves nothing but its own files, and says how to build them when they are missing', async () => {
    const { port } = await start({ page: false });
    const missing = await send(port, 'GET', '/');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('npm run build');
    for (const path of ['/../package.json', '/page.js/../../package.json', '/%2e%2e/package.json', '/etc/passwd']) {
      expect((await send(port, 'GET', path)).status, path).toBe(404);
    }
  });
});
