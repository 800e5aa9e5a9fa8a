// Optional target capabilities: a target offers run control, breakpoints, monitor commands,
// restart, identity and a memory map or not; qSupported offers exactly what is present, and a
// packet that needs an absent capability gets the empty reply (GDB's "unsupported").

import { afterEach, describe, expect, it } from 'vitest';
import { RspServer } from '../../src/rsp/server.js';
import type { CapabilityName } from '../../src/rsp/target.js';
import { RspClient } from '../support/rspClient.js';
import { FakeTarget } from './fakeTarget.js';

let server: RspServer | undefined;
const clients: RspClient[] = [];

async function serve(target: FakeTarget): Promise<RspClient> {
  server = new RspServer(target, { log: () => undefined });
  const { port } = await server.listen('127.0.0.1', 0);
  const c = await RspClient.connect(port);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
});

const featuresOf = async (c: RspClient): Promise<string[]> => (await c.request('qSupported:swbreak+;hwbreak+')).split(';');

describe('capabilities', () => {
  it('offers everything a full target has', async () => {
    const c = await serve(new FakeTarget());
    expect(await featuresOf(c)).toEqual(expect.arrayContaining(['QStartNoAckMode+', 'qXfer:features:read+', 'binary-upload+', 'vContSupported+', 'swbreak+', 'hwbreak+']));
  });

  it('without run control: no vContSupported+, and c, s, vCont, vCont? are unsupported', async () => {
    const c = await serve(new FakeTarget(['runControl']));
    const features = await featuresOf(c);
    expect(features).not.toContain('vContSupported+');
    expect(features).toContain('qXfer:features:read+');
    for (const packet of ['c', 's', 'C05', 'vCont?', 'vCont;c']) expect(await c.request(packet), packet).toBe('');
    expect(await c.request('?')).toBe('T05thread:1;'); // the stop state is part of the core
    expect(await c.request('m0,4')).toBe('00000000');
  });

  it('without breakpoints: no swbreak+/hwbreak+, and Z/z are unsupported', async () => {
    const c = await serve(new FakeTarget(['breakpoints']));
    const features = await featuresOf(c);
    expect(features).not.toContain('swbreak+');
    expect(features).not.toContain('hwbreak+');
    expect(await c.request('Z0,100,4')).toBe('');
    expect(await c.request('z0,100,4')).toBe('');
  });

  it('a breakpoint type the target does not support gets the empty reply', async () => {
    const c = await serve(new FakeTarget());
    expect(await c.request('Z4,100,4')).toBe(''); // the fake offers no access watchpoints
    expect(await c.request('Z2,100,4')).toBe('OK');
  });

  it('without monitor commands or restart, qRcmd and vRun are unsupported', async () => {
    const missing: CapabilityName[] = ['monitor', 'restart'];
    const c = await serve(new FakeTarget(missing));
    expect(await c.request(`qRcmd,${Buffer.from('help').toString('hex')}`)).toBe('');
    expect(await c.request('!')).toBe('OK');
    expect(await c.request('vRun;')).toBe('');
  });
});
