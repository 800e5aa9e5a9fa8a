// Ranges that end beyond the 48-bit physical address space. mfn + nr of map_pages_to_xen and
// start + len of ioremap_attr are sums of two checked inputs; a sum past 2^48 used to be
// accepted and left a shadow entry whose limit wrapped below its base, which no destroy could
// remove. Every way in (JSON bodies, monitor words, HTTP, the CLI, scenarios) must refuse it
// with an input error naming the field, before the service sees the request.

import fc from 'fast-check';
import { Command } from 'commander';
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MonitorRegistry } from '../../../src/debug/monitor.js';
import { registerXenCommands } from '../../../src/debug/xenCommands.js';
import { TargetErrno, TargetError } from '../../../src/rsp/target.js';
import { MapApiServer } from '../../../src/xen/api/httpApi.js';
import { registerMapCommands } from '../../../src/xen/api/client.js';
import { InputError, PHYSICAL_ADDRESS_END } from '../../../src/xen/input.js';
import { regionBase, regionIsValid, regionLimit } from '../../../src/xen/region.js';
import { OPERATIONS, requestFromJson, requestFromWords } from '../../../src/xen/requests.js';
import type { OperationRequest } from '../../../src/xen/result.js';
import { DEFAULT_BOOT_SCENARIO, parseScenario, runScenario } from '../../../src/xen/scenario.js';
import type { MapService } from '../../../src/xen/service.js';
import type { FakeMpuHardware } from './fakeHardware.js';
import { newService } from './harness.js';

const hex = (v: bigint): string => `0x${v.toString(16)}`;
const U64_END = 1n << 64n;
/** The last page of the 48-bit space, as a page number. */
const LAST_PAGE = (PHYSICAL_ADDRESS_END >> 12n) - 1n;

/** The InputError `work` throws (anything else, or nothing, fails the test). */
function refusalOf(work: () => unknown): InputError {
  try {
    work();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError, but the request was built');
}

/** Everything a refused request must leave alone: registers, selector, SCTLR and the shadow. */
function boardState(service: MapService, hardware: FakeMpuHardware): unknown {
  return {
    registers: hardware.regions.map((r) => ({ ...r })),
    prselr: hardware.prselr,
    sctlr: hardware.sctlr,
    shadow: service.shadowEntries(),
  };
}

/**
 * A map request whose end wraps: the last page of the address space onward, `i` pages apart,
 * each ending at (2^36 + 1) << 12 = 2^48 + 0x1000, which PRLAR's 48-bit LIMIT field reads as
 * 0x1000.
 */
function wrappingMap(i: number): Record<string, string> {
  const mfn = LAST_PAGE - BigInt(i);
  return { virt: hex(mfn << 12n), mfn: hex(mfn), nr: hex(BigInt(i) + 2n), flags: 'PAGE_HYPERVISOR_RW' };
}

const MAP_MESSAGE = /^nr: mfn 0xfffffffff \+ nr 0x2 pages ends at 0x1000000001000, beyond the 48-bit physical address space/;

describe('ranges ending beyond 2^48', () => {
  it('21 wrapping map requests on a booted 32-region board are all refused and change nothing', async () => {
    const { service, hardware } = newService(32);
    const booted = await runScenario(service, DEFAULT_BOOT_SCENARIO);
    expect(booted.rc).toBe(0);
    const lastSequence = booted.results.at(-1)!.sequence;
    const before = boardState(service, hardware);
    for (let i = 0; i < 21; i++) {
      // Built as the API and scenarios build it; an accepted request goes to the service.
      const refusal = refusalOf(() => {
        void service.execute(requestFromJson('map', wrappingMap(i)));
      });
      expect(refusal.field).toBe('nr');
    }
    await service.regions(); // anything queued above has been applied
    expect(boardState(service, hardware)).toEqual(before);
    expect(service.lastFailure()).toBeNull();
    // The board still has its 21 free entries, and the refusals used no sequence numbers.
    const next = await service.execute(requestFromJson('map', { virt: '0x40000000', mfn: '0x40000', nr: '0x10', flags: 'PAGE_HYPERVISOR_RW' }));
    expect(next).toMatchObject({ rc: 0, effect: 'inserted', index: 11, sequence: lastSequence + 1 });
  });

  it('refuses exactly the ends past 2^48: the last page and the whole space are accepted', () => {
    expect(() => requestFromJson('map', { virt: hex(LAST_PAGE << 12n), mfn: hex(LAST_PAGE), nr: '1', flags: 47 })).not.toThrow();
    expect(() => requestFromJson('map', { virt: hex(LAST_PAGE << 12n), mfn: hex(LAST_PAGE), nr: '2', flags: 47 })).toThrow(MAP_MESSAGE);
    expect(requestFromJson('map', { virt: '0', mfn: '0', nr: hex(1n << 36n), flags: 47 })).toMatchObject({ op: 'map', nr: 1n << 36n });
    expect(() => requestFromJson('ioremap', { start: '0xfffffffff000', len: '0x1000', flags: 'PAGE_HYPERVISOR_NOCACHE' })).not.toThrow();
    expect(() => requestFromJson('ioremap', { start: '0xfffffffff000', len: '0x1001', flags: 'PAGE_HYPERVISOR_NOCACHE' })).toThrow(
      /^len: start 0xfffffffff000 \+ len 0x1001 ends at 0x1000000000001, beyond the 48-bit physical address space/,
    );
    // A boot layout's early UART is a start and a size too.
    const uart = refusalOf(() => requestFromJson('boot', { layout: { earlyUart: { base: '0xffffffff0000', size: '0x20000' } } }));
    expect(uart.field).toBe('layout.earlyUart.size');
    expect(uart.problem).toMatch(/^base 0xffffffff0000 \+ size 0x20000 ends at 0x1000000010000, beyond the 48-bit physical address space/);
    // Scenario entries name the entry as well as the field.
    const scenario = refusalOf(() => parseScenario({ operations: [{ op: 'update', base: '0x0', limit: '0x1000', flags: 47 }, { op: 'map', ...wrappingMap(0) }] }));
    expect(scenario.field).toBe('operations[1].nr');
  });

  it('keeps Xen\'s own refusals: an end at or below the start is still rc -22 from Xen, not an input error', async () => {
    const { service } = newService(8);
    const destroy = await service.execute(requestFromJson('destroy', { start: '0x3000', end: '0x1000' }));
    expect(destroy).toMatchObject({ rc: -22, messages: ['Base address 0x00000000003000 must be smaller than limit address 0x00000000001000'] });
    const map = await service.execute(requestFromWords('map', ['0x5000', '0x1', '0x2', 'PAGE_HYPERVISOR_RW']));
    expect(map).toMatchObject({ rc: -22, errno: 'EINVAL' });
    const zero = await service.execute(requestFromJson('ioremap', { start: '0xfffffffff000', len: '0', flags: 'PAGE_HYPERVISOR_NOCACHE' }));
    expect(zero).toMatchObject({ rc: -22, address: null });
  });
});

describe('property: no operation leaves a range past 2^48 in the table', () => {
  // Byte values: low pages, around 2^48 (page steps and single bytes), around 2^64, anywhere.
  // Weighted towards values inside the space, so that many requests get through to the table.
  const around = (centre: bigint, step: bigint, k: bigint): fc.Arbitrary<bigint> =>
    fc.bigInt({ min: -k, max: k }).map((n) => centre + n * step).filter((v) => v >= 0n);
  const bytes = fc.oneof(
    { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 0x20n }).map((p) => p * 0x1000n) },
    { weight: 3, arbitrary: around(PHYSICAL_ADDRESS_END, 0x1000n, 24n) },
    { weight: 1, arbitrary: around(PHYSICAL_ADDRESS_END, 1n, 0x1100n) },
    { weight: 1, arbitrary: around(U64_END, 0x1000n, 8n) },
    { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: PHYSICAL_ADDRESS_END }) },
    { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: U64_END + 0x1000n }) },
  );
  // Page numbers and counts: small, around 2^36 (2^48 in pages), around 2^52 (2^64 in pages).
  const pages = fc.oneof(
    { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 0x20n }) },
    { weight: 3, arbitrary: around(1n << 36n, 1n, 24n) },
    { weight: 1, arbitrary: around(1n << 52n, 1n, 8n) },
    { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: 1n << 36n }) },
    { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 1n << 53n }) },
  );
  // Sizes: zero, a few pages, or anything.
  const size = fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 8n }).map((n) => n * 0x1000n), bytes);
  const flags = fc.constantFrom('PAGE_HYPERVISOR_RW', 'PAGE_HYPERVISOR_RO', 'PAGE_HYPERVISOR_NOCACHE', '0');
  const presentFlags = fc.constantFrom('PAGE_HYPERVISOR_RW', 'PAGE_HYPERVISOR_RO', 'PAGE_HYPERVISOR_NOCACHE');
  const startAndEnd = fc.tuple(bytes, fc.oneof(bytes, size)).chain(([start, other]) =>
    fc.constantFrom([start, other], [start, start + other]),
  );

  type Input = { readonly op: string; readonly body: Record<string, string>; readonly words: boolean };
  const input = (op: string, body: fc.Arbitrary<Record<string, string>>): fc.Arbitrary<Input> =>
    fc.tuple(body, fc.boolean()).map(([b, words]) => ({ op, body: b, words }));

  const byOp: Record<string, fc.Arbitrary<Input>> = {
    update: input('update', fc.tuple(startAndEnd, flags).map(([[base, limit], f]) => ({ base: hex(base), limit: hex(limit), flags: f }))),
    map: input(
      'map',
      fc.tuple(pages, pages, presentFlags, fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: bytes })).map(([mfn, nr, f, virt]) => ({
        // On an MPU system VA == PA: virt is normally mfn << 12, but the port passes any virt on.
        virt: hex(virt ?? mfn << 12n),
        mfn: hex(mfn),
        nr: hex(nr),
        flags: f,
      })),
    ),
    destroy: input('destroy', startAndEnd.map(([start, end]) => ({ start: hex(start), end: hex(end) }))),
    modify: input('modify', fc.tuple(startAndEnd, presentFlags).map(([[start, end], f]) => ({ start: hex(start), end: hex(end), flags: f }))),
    ioremap: input('ioremap', fc.tuple(bytes, size, presentFlags).map(([start, len, f]) => ({ start: hex(start), len: hex(len), flags: f }))),
    'destroy-containing': input('destroy-containing', bytes.map((addr) => ({ addr: hex(addr) }))),
  };

  it('generates every operation the interfaces offer', () => {
    expect(Object.keys(byOp).sort()).toEqual(OPERATIONS.map((o) => o.op).sort());
  });

  /** Throws when an enabled entry is empty, wrapped, or reaches past 2^48. */
  function checkTable(service: MapService, after: string): void {
    const { entries, maxRegions } = service.shadowEntries();
    for (let i = 0; i < maxRegions; i++) {
      const e = entries[i]!;
      if (!regionIsValid(e)) continue;
      const [base, limit] = [regionBase(e), regionLimit(e)];
      if (limit <= base || limit > PHYSICAL_ADDRESS_END) throw new Error(`after ${after}: entry ${i} is [${hex(base)}, ${hex(limit)})`);
    }
  }

  /** Builds a request the way the API and scenarios do, or the way the monitor and CLI do. */
  function build(input: Input): OperationRequest {
    if (!input.words) return requestFromJson(input.op, input.body);
    const spec = OPERATIONS.find((o) => o.op === input.op)!;
    return requestFromWords(input.op, spec.fields.map(([f]) => input.body[f]!));
  }

  it('every request is refused naming a field, or leaves only sound entries that can all be destroyed again', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(...Object.values(byOp)), { minLength: 1, maxLength: 30 }), async (inputs) => {
        const { service, hardware } = newService(32);
        for (const one of inputs) {
          const described = `${one.op} ${JSON.stringify(one.body)}`;
          let request: OperationRequest;
          try {
            request = build(one);
          } catch (err) {
            if (!(err instanceof InputError)) throw err;
            const fields: readonly string[] = OPERATIONS.find((o) => o.op === one.op)!.fields.map(([f]) => f);
            if (!fields.includes(err.field)) throw new Error(`${described}: refused naming "${err.field}", not one of ${fields.join(', ')}`);
            continue;
          }
          await service.execute(request);
          checkTable(service, described);
        }
        // Every entry left, however it was made, goes away through destroy of its own range.
        const { entries, maxRegions } = service.shadowEntries();
        for (let i = 0; i < maxRegions; i++) {
          const e = entries[i]!;
          if (!regionIsValid(e)) continue;
          const body = { start: hex(regionBase(e)), end: hex(regionLimit(e)) };
          for (let use = 0; use <= e.refcount; use++) {
            const result = await service.execute(requestFromJson('destroy', body));
            if (result.rc !== 0) throw new Error(`entry ${i} ${JSON.stringify(body)} cannot be destroyed: ${result.messages.join('; ')}`);
          }
        }
        if (hardware.enabledRegions().length !== 0 || service.shadowEntries().bitmap !== 0n) throw new Error('entries are left after destroying all of them');
      }),
      { numRuns: 300 },
    );
  });
});

describe('monitor commands', () => {
  it('xen map and xen ioremap refuse a range past 2^48 naming the field, changing nothing', async () => {
    const { service, hardware } = newService(32);
    const monitors = new MonitorRegistry();
    registerXenCommands(monitors, service, { enabled: false });
    const before = boardState(service, hardware);
    let output = '';
    const out = (text: string): void => {
      output += text;
    };
    const failure = (line: string): Promise<unknown> => monitors.run(line, out).then(() => null, (err: unknown) => err);

    const map = await failure('xen map 0xfffffffff000 0xfffffffff 2 PAGE_HYPERVISOR_RW');
    expect(map).toBeInstanceOf(TargetError);
    expect((map as TargetError).errno).toBe(TargetErrno.EINVAL);
    expect((map as TargetError).message).toMatch(/^xen nr: mfn 0xfffffffff \+ nr 0x2 pages ends at 0x1000000001000, beyond the 48-bit physical address space.*; usage: monitor xen map VIRT MFN NR FLAGS$/);

    const ioremap = await failure('xen ioremap 0xffffffffff00 0x200 PAGE_HYPERVISOR_NOCACHE');
    expect((ioremap as TargetError).message).toMatch(/^xen len: start 0xffffffffff00 \+ len 0x200 ends at 0x1000000000100, beyond/);

    expect(output).toBe('');
    expect(boardState(service, hardware)).toEqual(before);
    expect(service.lastFailure()).toBeNull();
  });
});

describe('HTTP API and CLI', () => {
  let service: MapService;
  let hardware: FakeMpuHardware;
  let server: MapApiServer;
  let port: number;

  beforeEach(async () => {
    ({ service, hardware } = newService(32));
    server = new MapApiServer(service, { log: () => undefined });
    ({ port } = await server.listen('127.0.0.1', 0));
  });

  afterEach(async () => {
    await server.close();
  });

  /** A JSON POST with exactly these headers (no Origin), as a local script would send it. */
  function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const text = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path, method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } },
        (res) => {
          let answer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (answer += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(answer) as Record<string, unknown> }));
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  }

  it('POST /v1/map, /v1/ioremap and /v1/scenario with a range past 2^48 answer 400 naming the field', async () => {
    const before = boardState(service, hardware);
    const map = await post('/v1/map', wrappingMap(0));
    expect(map.status).toBe(400);
    expect(map.json['field']).toBe('nr');
    expect(String(map.json['error'])).toMatch(MAP_MESSAGE);

    const ioremap = await post('/v1/ioremap', { start: '0xffffffffff00', len: '0x200', flags: 'PAGE_HYPERVISOR_NOCACHE' });
    expect(ioremap).toMatchObject({ status: 400, json: { field: 'len' } });

    // The whole scenario is refused: its first, valid, operation is not applied either.
    const scenario = await post('/v1/scenario', { operations: [{ op: 'update', base: '0x0', limit: '0x1000', flags: 'PAGE_HYPERVISOR_RW' }, { op: 'map', ...wrappingMap(3) }] });
    expect(scenario).toMatchObject({ status: 400, json: { field: 'operations[1].nr' } });

    expect(boardState(service, hardware)).toEqual(before);
    expect(service.lastFailure()).toBeNull();
  });

  it('mpustub map with a range past 2^48 exits 2 with the API\'s message', async () => {
    let err = '';
    let code = -1;
    const program = new Command('mpustub').exitOverride();
    registerMapCommands(program, { out: () => undefined, err: (t) => (err += t), exit: (c) => (code = c) });
    const before = boardState(service, hardware);
    await program.parseAsync(['node', 'mpustub', 'map', '0xfffffffff000', '0xfffffffff', '2', 'PAGE_HYPERVISOR_RW', '--api', `http://127.0.0.1:${port}`]);
    expect(code).toBe(2);
    expect(err).toMatch(/HTTP 400: nr: mfn 0xfffffffff \+ nr 0x2 pages ends at 0x1000000001000, beyond the 48-bit/);
    expect(boardState(service, hardware)).toEqual(before);
  });
});
