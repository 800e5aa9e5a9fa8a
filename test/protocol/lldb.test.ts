// The packets LLDB sends on top of GDB's (lldbgdbremote.md in LLVM's source), starting with
// the exit status LLDB waits for after `k`.

import { afterEach, describe, expect, it } from 'vitest';
import { RspServer } from '../../src/rsp/server.js';
import { RspClient } from '../support/rspClient.js';
import { FakeTarget } from './fakeTarget.js';

describe('LLDB packets over a fake target', () => {
  let server: RspServer;
  let port: number;
  const clients: RspClient[] = [];

  async function serve(target: FakeTarget): Promise<RspClient> {
    server = new RspServer(target, { log: () => undefined });
    ({ port } = await server.listen('127.0.0.1', 0));
    const c = await RspClient.connect(port);
    clients.push(c);
    return c;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  it('answers k with an exit status before closing (LLDB waits for one)', async () => {
    const c = await serve(new FakeTarget());
    expect(await c.request('k')).toBe('X09');
    await c.closedByStub();
  });

  it('answers k while the target runs too', async () => {
    const target = new FakeTarget();
    const c = await serve(target);
    c.send('c');
    expect(await c.silentFor(20)).toBe(true);
    expect(await c.request('k')).toBe('X09');
    await c.closedByStub();
    expect(target.events).toContain('detached:kill');
  });
});
