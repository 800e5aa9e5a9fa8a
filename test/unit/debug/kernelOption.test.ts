// `serve --kernel FILE` in-process: the ELF is placed in memory with pc at its entry and its
// symbols name code in the stub's messages; extended-remote `run` places it again (memory
// restored, symbols replaced rather than doubled); a kernel that cannot be read stops the
// start with the reason.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseElf64 } from '../../../src/elf/elf64.js';
import { createLogger } from '../../../src/log.js';
import { startStub, type RunningStub } from '../../../src/wiring.js';
import { readFileSync } from 'node:fs';
import { buildMpuFaultProgram } from '../../support/programs.js';

let elf: string;
let stub: RunningStub | undefined;
const quiet = createLogger('error', () => undefined);

beforeAll(() => {
  elf = buildMpuFaultProgram();
});

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function monitor(line: string): Promise<string> {
  let text = '';
  await stub!.monitors.run(line, (t) => (text += t));
  return text;
}

describe('--kernel', () => {
  it('places the ELF, sets pc to its entry, and names its code', async () => {
    stub = await startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: quiet, kernel: elf });
    const ready = parseElf64(readFileSync(elf)).symbols.find((s) => s.name === 'regions_ready')!.address;
    expect(stub.machine.core.pc).toBe(0n);
    expect(Buffer.from(stub.machine.readMemory(0x200000, 8, { origin: 'debugger' }).data).readBigUInt64LE(0)).toBe(0x5a5a5a5a5a5a5a5an);
    expect(await monitor(`symbols lookup 0x${(ready + 4).toString(16)}`)).toBe(`0x${(ready + 4).toString(16)} <regions_ready+0x4>\n`);
    expect(await monitor('symbols')).toMatch(new RegExp(`^\\d+ symbols:\\n  \\d+ from kernel ${elf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
  });

  it('is placed again by extended-remote run, its symbols replaced', async () => {
    stub = await startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: quiet, kernel: elf });
    const count = stub.target.symbols.size;
    stub.machine.writeMemory(0x200000, new Uint8Array(8), { origin: 'debugger' });
    stub.machine.core.pc = 0x40n;
    await stub.target.capabilities.restart!.restart();
    expect(stub.machine.core.pc).toBe(0n);
    expect(Buffer.from(stub.machine.readMemory(0x200000, 8, { origin: 'debugger' }).data).readBigUInt64LE(0)).toBe(0x5a5a5a5a5a5a5a5an);
    expect(stub.target.symbols.size).toBe(count);
  });

  it('refuses to start with a kernel it cannot read', async () => {
    await expect(startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: quiet, kernel: '/nonexistent.elf' })).rejects.toThrow(
      'cannot read kernel /nonexistent.elf: ENOENT',
    );
  });
});
