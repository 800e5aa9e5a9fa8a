// What `--kernel` hands the kernel besides its image, in-process: the generated device tree at
// the top of DRAM with x0 pointing at it and x1..x3 zero, placed again by extended-remote
// `run`; --append in its bootargs; a user's blob (--dtb FILE) read again at each `run`; none;
// the refusals (a blob that is not one, a kernel in the way, --dtb without --kernel); and
// `monitor board dtb`.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '../../../src/arch/aarch64/registers.js';
import { generateDtb } from '../../../src/boot/deviceTree.js';
import { createLogger } from '../../../src/log.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { startStub, type RunningStub, type StubOptions } from '../../../src/wiring.js';
import { decompile, recompile } from '../../support/dtc.js';
import { buildFdtWalkProgram, buildMpuFaultProgram } from '../../support/programs.js';

let walker: string;
let mpuFault: string;
let dir: string;
let stub: RunningStub | undefined;
const quiet = createLogger('error', () => undefined);
const BOOT_REGISTERS = ['x0', 'x1', 'x2', 'x3'] as const;

beforeAll(() => {
  walker = buildFdtWalkProgram();
  mpuFault = buildMpuFaultProgram();
  dir = mkdtempSync(join(tmpdir(), 'mpustub-dtb-'));
});

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

function start(options: Partial<StubOptions>): Promise<RunningStub> {
  return startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: quiet, kernel: walker, ...options });
}

const bootRegisters = (s: RunningStub): bigint[] => BOOT_REGISTERS.map((name) => s.machine.readRegister(register(name)));

function memoryAt(s: RunningStub, address: number, length: number): Buffer {
  const out = new Uint8Array(length);
  s.machine.memory.read(address, out);
  return Buffer.from(out);
}

async function monitor(line: string): Promise<string> {
  let text = '';
  await stub!.monitors.run(line, (t) => (text += t));
  return text;
}

describe('boot inputs of --kernel', () => {
  it('places the generated tree at 0x7fe00000 with x0 pointing at it, and again at every run', async () => {
    stub = await start({});
    const blob = Buffer.from(generateDtb(DEFAULT_BOARD, { bootargs: '' }));
    expect(bootRegisters(stub)).toEqual([0x7fe0_0000n, 0n, 0n, 0n]);
    expect(memoryAt(stub, 0x7fe0_0000, blob.length).equals(blob)).toBe(true);
    stub.machine.memory.write(0x7fe0_0000, new Uint8Array(16));
    stub.machine.writeRegister(register('x0'), 5n, 'debugger');
    stub.machine.writeRegister(register('x2'), 7n, 'debugger');
    await stub.target.capabilities.restart!.restart();
    expect(bootRegisters(stub)).toEqual([0x7fe0_0000n, 0n, 0n, 0n]);
    expect(memoryAt(stub, 0x7fe0_0000, blob.length).equals(blob)).toBe(true);
    expect(await monitor('board dtb')).toBe(
      `device tree generated from the board: ${blob.length} bytes at 0x7fe00000 (x0 at the kernel's entry)\n` +
        `save it from GDB: dump binary memory board.dtb 0x7fe00000 0x${(0x7fe0_0000 + blob.length).toString(16)}\n` +
        'or without GDB: mpustub serve --dump-dtb board.dtb (with the same --board and --append)\n',
    );
  });

  it('puts --append in bootargs and xen,xen-bootargs', async () => {
    stub = await start({ append: 'console=dtuart dtuart=serial0 "quoted"' });
    const size = memoryAt(stub, 0x7fe0_0004, 4).readUInt32BE(0);
    const chosen = decompile(memoryAt(stub, 0x7fe0_0000, size)).nodes.get('/chosen')!;
    expect(chosen.get('bootargs')).toBe('"console=dtuart dtuart=serial0 \\"quoted\\""');
    expect(chosen.get('xen,xen-bootargs')).toBe(chosen.get('bootargs'));
  });

  it('places a user blob (--dtb FILE), read again at every run', async () => {
    const file = join(dir, 'user.dtb');
    const user = (model: string): Buffer => Buffer.from(recompile(`/dts-v1/;\n/ { model = "${model}"; chosen { bootargs = "from a file"; }; };\n`));
    writeFileSync(file, user('first'));
    stub = await start({ dtb: { kind: 'file', path: file } });
    expect(bootRegisters(stub)).toEqual([0x7fe0_0000n, 0n, 0n, 0n]);
    expect(memoryAt(stub, 0x7fe0_0000, user('first').length).equals(user('first'))).toBe(true);
    writeFileSync(file, user('second, longer'));
    await stub.target.capabilities.restart!.restart();
    expect(memoryAt(stub, 0x7fe0_0000, user('second, longer').length).equals(user('second, longer'))).toBe(true);
    expect(await monitor('board dtb')).toContain(`device tree from ${file}: ${user('second, longer').length} bytes at 0x7fe00000`);
  });

  it('places nothing with --dtb none', async () => {
    stub = await start({ dtb: { kind: 'none' } });
    expect(bootRegisters(stub)).toEqual([0n, 0n, 0n, 0n]);
    expect(memoryAt(stub, 0x7fe0_0000, 4).readUInt32BE(0)).toBe(0);
    expect(await monitor('board dtb')).toBe('no device tree: --dtb none\n');
  });

  it('refuses a file that is no device tree, a kernel in the way, and --dtb or --append without a kernel', async () => {
    const notDtb = join(dir, 'not.dtb');
    writeFileSync(notDtb, Buffer.alloc(64, 0x41));
    await expect(start({ dtb: { kind: 'file', path: notDtb } })).rejects.toThrow(`device tree ${notDtb}: not a flattened device tree (magic 0x41414141, expected 0xd00dfeed)`);
    await expect(start({ dtb: { kind: 'file', path: join(dir, 'missing.dtb') } })).rejects.toThrow('cannot read device tree');
    // 4 MiB of RAM: the slot is 0x200000..0x3fffff, where mpu_fault.S has its read-only page.
    const board = { ...DEFAULT_BOARD, memory: [{ name: 'dram', kind: 'ram' as const, base: 0, size: 0x40_0000 }] };
    await expect(start({ board, kernel: mpuFault })).rejects.toThrow(/the generated device tree at 0x200000 \(\d+ bytes\) would overlap the segment of kernel .*mpu_fault\.elf at 0x200000/);
    await expect(startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: quiet, append: 'x' })).rejects.toThrow('--dtb and --append need --kernel');
  });
});
