// The map operations come from one table (src/xen/requests.ts OPERATIONS): every operation, by
// every name, is reachable from each way in — the HTTP API, the monitor, the command-line client
// and (through `monitor xen ops json`) the GDB scripts, whose end-to-end test checks the last.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { createLogger } from '../../../src/log.js';
import { startStub, type RunningStub } from '../../../src/wiring.js';
import { registerMapCommands } from '../../../src/xen/api/client.js';
import { namesOf, OPERATIONS, type OperationSpec } from '../../../src/xen/requests.js';

let stub: RunningStub;
let api: string;

beforeAll(async () => {
  stub = await startStub({ host: '127.0.0.1', port: 0, apiPort: 0, scenario: 'none', traceRsp: false, logger: createLogger('error', () => undefined) });
  api = `http://127.0.0.1:${stub.apiAddress!.port}`;
});

afterAll(async () => {
  await stub.close();
});

const specs = OPERATIONS as readonly OperationSpec[];

describe('every map operation', () => {
  it('has a route in the HTTP API that reaches the service (a bad body is the service input check speaking, not a 404)', async () => {
    for (const spec of specs) {
      const answer = await fetch(`${api}/v1/${spec.op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(answer.status, spec.op).toBe(400);
      expect(((await answer.json()) as { field?: string }).field, spec.op).toBe(spec.fields[0]![0]);
    }
  });

  it('is a monitor command under each of its names', async () => {
    for (const spec of specs) {
      for (const name of namesOf(spec)) expect(stub.monitors.names, name).toContain(`xen ${name}`);
    }
    let text = '';
    await stub.monitors.run('xen ops json', (t) => (text += t));
    const listed = JSON.parse(text) as Array<{ op: string; names: string[]; fields: string[] }>;
    expect(listed.map((o) => o.op)).toEqual(specs.map((s) => s.op));
    expect(listed.find((o) => o.op === 'destroy')?.names).toEqual(['destroy', 'unmap']);
    expect(listed.find((o) => o.op === 'map')?.fields).toEqual(['virt', 'mfn', 'nr', 'flags']);
  });

  it('is a command of the command-line client, with its fields as arguments', () => {
    const program = new Command('mpustub');
    registerMapCommands(program);
    for (const spec of specs) {
      const command = program.commands.find((c) => c.name() === (spec.aliases?.[0] ?? spec.op));
      expect(command, spec.op).toBeDefined();
      expect(command!.registeredArguments.map((a) => a.name())).toEqual(spec.fields.map(([f]) => f));
    }
  });
});

describe('reading the table', () => {
  it('changes nothing: a region waiting for its DSB + ISB stays pending, and no MPU change is recorded', async () => {
    let text = '';
    const out = (t: string): void => void (text += t);
    await stub.monitors.run('core msr PRSELR_EL2 20', out);
    await stub.monitors.run('core msr PRLAR_EL2 0x3000ffc1', out);
    await stub.monitors.run('core msr PRSELR_EL2 0', out);
    expect(stub.machine.mpu.pendingRegions('el2')).toEqual([20]);
    const recorded = stub.target.mpuHistory.length;
    for (const route of ['/v1/regions', '/v1/diff', '/v1/board']) expect((await fetch(`${api}${route}`)).status, route).toBe(200);
    await stub.monitors.run('xen table', out);
    await stub.monitors.run('xen diff', out);
    expect(stub.machine.mpu.pendingRegions('el2')).toEqual([20]);
    expect(stub.target.mpuHistory.length).toBe(recorded);
    await stub.monitors.run('mpu sync', out);
  });
});
