// The core run with no debugger attached, in-process: each way the device tree walker ends is
// reported with what, where (pc and symbol) and after how many instructions; a debugger that
// attaches halts a running core without a report, and its leaving resumes the run (not after
// `kill`); without --run nothing runs; and the line `serve --run` prints.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseElf64 } from '../../../src/elf/elf64.js';
import { readFileSync } from 'node:fs';
import { attachCommand, stopLine, type CoreStopReport } from '../../../src/boot/unattended.js';
import { createLogger } from '../../../src/log.js';
import { startStub, type RunningStub } from '../../../src/wiring.js';
import { buildFdtWalkProgram } from '../../support/programs.js';

let walker: string;
let symbols: Map<string, number>;
let stub: RunningStub | undefined;
const quiet = createLogger('error', () => undefined);

beforeAll(() => {
  walker = buildFdtWalkProgram();
  symbols = new Map(parseElf64(readFileSync(walker)).symbols.map((s) => [s.name, s.address]));
});

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

/** Starts the walker with `append` as its command line; `first` is its first stop report. */
async function start(append: string, run = true): Promise<{ reports: CoreStopReport[]; first: Promise<CoreStopReport> }> {
  const reports: CoreStopReport[] = [];
  let firstReport: (r: CoreStopReport) => void = () => undefined;
  const first = new Promise<CoreStopReport>((resolve) => (firstReport = resolve));
  stub = await startStub({
    host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: quiet, kernel: walker, append, run, serial: { kind: 'none' },
    onCoreStop: (r) => {
      reports.push(r);
      firstReport(r);
    },
  });
  return { reports, first };
}

const tick = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('running with no debugger attached', () => {
  it('reports an idle core at its WFI', async () => {
    const r = await (await start('quiet')).first;
    expect(r).toMatchObject({ kind: 'idle', pc: BigInt(symbols.get('idle')!), symbol: 'idle', what: 'waits in WFI with nothing to wake it' });
    expect(r.instructions).toBeGreaterThan(1000);
  });

  it('reports an undefined instruction and a BRK where they are', async () => {
    const fault = await (await start('fault')).first;
    expect(fault).toMatchObject({ kind: 'undefined', what: 'undefined instruction 0x00000000 (UDF (all-zero instruction))' });
    expect(fault.symbol).toMatch(/^boot_main\+0x[0-9a-f]+$/);
    expect(Number(fault.pc) - symbols.get('boot_main')!).toBe(Number.parseInt(fault.symbol!.split('+')[1]!, 16));
    await stub!.close();
    const brk = await (await start('brk')).first;
    expect(brk).toMatchObject({ kind: 'brk', what: 'BRK #0x3e8' });
  });

  it('stops for a debugger that attaches, without a report, and resumes when it detaches', async () => {
    const { reports } = await start('spin');
    await tick();
    expect(stub!.target.run.running).toBe(true);
    stub!.target.attached();
    expect(stub!.target.run.running).toBe(false);
    const at = stub!.target.run.instructionsExecuted;
    await tick();
    expect(stub!.target.run.instructionsExecuted).toBe(at);
    stub!.target.detached('detach');
    await tick();
    expect(stub!.target.run.running).toBe(true);
    expect(stub!.target.run.instructionsExecuted).toBeGreaterThan(at);
    stub!.target.attached();
    stub!.target.detached('kill');
    expect(stub!.target.run.running).toBe(false);
    expect(reports).toEqual([]);
  });

  it('runs nothing without --run', async () => {
    await start('quiet', false);
    await tick();
    expect(stub!.target.run.instructionsExecuted).toBe(0);
    expect(stub!.target.run.running).toBe(false);
  });

  it('says what, where and how to attach in one line', () => {
    const report: CoreStopReport = { kind: 'undefined', pc: 0x40n, symbol: 'main+0x8', what: 'undefined instruction 0x00000000 (UDF)', instructions: 12 };
    const attach = attachCommand("/tmp/my kernel's.elf", { host: '127.0.0.1', port: 1234 });
    expect(attach).toBe(`gdb-multiarch '/tmp/my kernel'\\''s.elf' -ex 'target remote 127.0.0.1:1234'`);
    expect(stopLine(report, attach)).toBe(`mpustub: the core stopped with no debugger attached: undefined instruction 0x00000000 (UDF) at pc 0x40 <main+0x8>, after 12 instructions; attach with: ${attach}\n`);
    expect(stopLine({ ...report, kind: 'idle', what: 'waits in WFI with nothing to wake it', symbol: undefined }, 'gdb')).toBe(
      'mpustub: the core waits in WFI with nothing to wake it at pc 0x40, after 12 instructions; attach with: gdb\n',
    );
    expect(attachCommand(undefined, { host: '::1', port: 9 })).toBe(`gdb-multiarch -ex 'target remote [::1]:9'`);
  });
});
