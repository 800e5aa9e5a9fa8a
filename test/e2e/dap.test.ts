// End to end through an IDE's debug adapter: cdt-gdb-adapter (Debug Adapter Protocol) runs
// gdb-multiarch against the built stub started with `--register-types plain`, the setting
// docs/clients.md gives for IDEs. A session attaches and loads test/programs/calls.c, stops at
// a breakpoint with four frames, steps over, out and in, reads a general and a system
// register, writes a system register from the Registers view (the write must reach the stub
// as a P packet), writes and reads memory, runs `monitor mpu` from the debug console, then
// disconnects; a second session attaches at once. gdb-multiarch is required (no skipping).

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerByName } from '../../src/arch/aarch64/registers.js';
import { DapSession } from '../support/dap.js';
import { requireGdb } from '../support/gdb.js';
import { buildCallsProgram } from '../support/programs.js';
import { startStubProcess, type StubProcess } from '../support/stubProcess.js';

const SOURCE = new URL('../programs/calls.c', import.meta.url).pathname;

/** The 1-based line of calls.c holding `text` (so that editing the file does not break the test). */
function lineOf(text: string): number {
  const index = readFileSync(SOURCE, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`calls.c has no line with ${text}`);
  return index + 1;
}

const MIX_FIRST = lineOf('uint64_t x = h ^ v;');
const MIX_SECOND = lineOf('x *= 0x100000001b3ull;');
const ROUND_LOOP = lineOf('for (int i = 0; i < n; i++)');
const ROUND_CALL = lineOf('h = mix(h, (uint64_t)i);');

/** A frame as name:line, the way a call-stack view shows it. */
function where(frame: { name: string; line: number }): string {
  return `${frame.name}:${frame.line}`;
}

describe('a Debug Adapter Protocol session through cdt-gdb-adapter', () => {
  let program: string;
  let stub: StubProcess;
  let session: DapSession | undefined;

  beforeAll(async () => {
    requireGdb();
    program = buildCallsProgram();
    // --trace-rsp: the test checks the packets GDB sent for the IDE's writes.
    stub = await startStubProcess(['--scenario', 'none', '--api-port', 'off', '--register-types', 'plain', '--trace-rsp']);
  }, 60_000);

  afterAll(async () => {
    await session?.client.stop();
    await stub?.stop();
  });

  it('breaks, unwinds, steps, edits registers and memory, and runs monitor commands', async () => {
    const report = () => `adapter output:\n${session?.output.join('')}\nstub stderr (last 4000):\n${stub.stderr().slice(-4000)}`;
    session = await DapSession.attach(stub.port, program);
    const stop = await session.runToBreakpoint(SOURCE, MIX_FIRST);
    expect(stop.body.reason, report()).toBe('breakpoint');
    const thread = await session.threadId();

    const frames = await session.frames(thread);
    expect(frames.map(where)).toEqual([`mix:${MIX_FIRST}`, `round_of:${ROUND_CALL}`, expect.stringMatching(/^compute:/), expect.stringMatching(/^_start:/)]);
    const top = frames[0]!;

    // Registers view: values in hex, a general and a system register among them.
    const registers = await session.registersReference(top.id);
    const values = new Map((await session.client.variablesRequest({ variablesReference: registers })).body.variables.map((v) => [v.name, v.value]));
    expect(values.get('x0'), report()).toMatch(/^0x[0-9a-f]+$/);
    expect(values.get('pc')).toBe(top.instructionPointerReference?.replace(/^0x0*/, '0x'));
    expect(values.get('SCTLR_EL2')).toBe('0x30c50830');

    // Editing a system register in the Registers view: a plain number is accepted and reaches the stub.
    const set = await session.client.setVariableRequest({ variablesReference: registers, name: 'PRSELR_EL2', value: '5' });
    expect(set.body.value).toBe('0x5');
    const prselr = registerByName('PRSELR_EL2')!.regnum.toString(16);
    expect(stub.stderr(), report()).toContain(`$P${prselr}=0500000000000000#`);
    expect(await session.console('monitor reg PRSELR_EL2', top.id)).toContain('PRSELR_EL2 = 0x5 [ REGION=0x5 ]');
    const hover = await session.client.evaluateRequest({ expression: '$PRSELR_EL2', context: 'hover', frameId: top.id });
    expect(hover.body.result).toBe('5');

    // Memory view: a write goes to the stub as a memory packet and reads back.
    const bytes = Buffer.from('8877665544332211', 'hex');
    await session.writeMemory(0x100008n, bytes);
    expect(stub.stderr()).toMatch(/\$[MX]100008,8:/);
    expect((await session.readMemory(0x100008n, 8)).toString('hex')).toBe(bytes.toString('hex'));

    // The debug console passes monitor commands to the stub.
    expect(await session.console('monitor mpu', top.id)).toContain('EL2 MPU: 32 regions');

    // Stepping: over a line, out of mix (needs the second frame), over the loop, into mix again.
    expect((await session.step('next', thread)).body.reason).toBe('step');
    expect(where((await session.frames(thread))[0]!)).toBe(`mix:${MIX_SECOND}`);
    await session.step('stepOut', thread);
    const afterOut = await session.frames(thread);
    expect(afterOut.map((f) => f.name), report()).toEqual(['round_of', 'compute', '_start']);
    expect(afterOut[0]!.line).toBe(ROUND_CALL);
    await session.step('next', thread);
    expect(where((await session.frames(thread))[0]!)).toBe(`round_of:${ROUND_LOOP}`);
    await session.step('stepIn', thread);
    expect(where((await session.frames(thread))[0]!)).toBe(`round_of:${ROUND_CALL}`);
    await session.step('stepIn', thread);
    expect(where((await session.frames(thread))[0]!)).toBe(`mix:${MIX_FIRST}`);

    await session.disconnect();
    session = undefined;
  }, 120_000);

  it('attaches again at once after a disconnect', async () => {
    // A session left by a failed first test would hold the stub: end it, then start afresh.
    await session?.disconnect().catch(() => undefined);
    // The previous session's adapter and GDB are gone; the stub must take the next one now.
    session = await DapSession.attach(stub.port, program);
    const stop = await session.runToBreakpoint(SOURCE, MIX_FIRST);
    expect(stop.body.reason).toBe('breakpoint');
    const frames = await session.frames(await session.threadId());
    expect(frames.length).toBeGreaterThan(1);
    expect(where(frames[0]!)).toBe(`mix:${MIX_FIRST}`);
    await session.disconnect();
    session = undefined;
  }, 120_000);
});
