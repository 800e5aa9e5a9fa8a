// `monitor xen map` over qRcmd on the real board (startStub, as the CLI does): a range that ends
// beyond the 48-bit physical address space is refused with EINVAL and a console line naming the
// field, and the MPU the core runs under is left exactly as the boot scenario made it.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startStub, type RunningStub } from '../../src/wiring.js';
import { RspClient } from '../support/rspClient.js';

let stub: RunningStub;
let gdb: RspClient;

beforeEach(async () => {
  stub = await startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'default', traceRsp: false, logger: createLogger('error', () => undefined) });
  gdb = await RspClient.connect(stub.gdbAddress.port);
});

afterEach(async () => {
  gdb.close();
  await stub.close();
});

const monitor = (line: string): void => gdb.send(`qRcmd,${Buffer.from(line).toString('hex')}`);

describe('monitor xen over qRcmd', () => {
  it('refuses xen map whose end passes 2^48 with E16 and the field, leaving the MPU alone', async () => {
    const before = await stub.service.regions();
    monitor('xen map 0xfffffffff000 0xfffffffff 2 PAGE_HYPERVISOR_RW');
    const reply = await gdb.reply();
    expect(reply.payload).toBe('E16');
    expect(reply.console).toMatch(/^error: xen nr: mfn 0xfffffffff \+ nr 0x2 pages ends at 0x1000000001000, beyond the 48-bit physical address space/);
    expect(await stub.service.regions()).toEqual(before);
    expect(stub.service.lastFailure()).toBeNull();
  });
});
