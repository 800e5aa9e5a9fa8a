// The example scenarios shipped in docs/scenarios/ run against the simulated machine (the map
// service programming the MPU through its registers) and give the outcomes their descriptions
// promise — including the ones that fail on purpose, and upstream's disable quirk.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MachineMpuHardware } from '../../../src/debug/machineMpuHardware.js';
import { DEFAULT_BOARD, parseBoard } from '../../../src/machine/board.js';
import type { DisableMode } from '../../../src/xen/programmer.js';
import { DEFAULT_BOOT_SCENARIO, loadScenarioFile, parseScenario, runScenario } from '../../../src/xen/scenario.js';
import { MapService } from '../../../src/xen/service.js';
import { createMachine } from '../../../src/wiring.js';
import { shadowTable } from './harness.js';

const file = (name: string) => new URL(`../../../docs/scenarios/${name}`, import.meta.url).pathname;

async function bootedService(board = DEFAULT_BOARD, disableMode: DisableMode = 'upstream', boot = true) {
  const machine = createMachine(board);
  const service = new MapService(new MachineMpuHardware(machine), { disableMode });
  if (boot) expect((await runScenario(service, DEFAULT_BOOT_SCENARIO)).rc).toBe(0);
  return { machine, service };
}

describe('docs/scenarios', () => {
  it('boot-extra applies after the default boot', async () => {
    const { service } = await bootedService();
    const outcome = await runScenario(service, loadScenarioFile(file('boot-extra.json')));
    expect(outcome.rc).toBe(0);
    expect(outcome.results.map((r) => r.effect)).toEqual(['freed-init', 'inserted', 'inserted']);
  });

  it('refcount takes and gives back references, leaving the table as it was', async () => {
    const { service } = await bootedService();
    const before = [shadowTable(service), service.shadowEntries().bitmap];
    const outcome = await runScenario(service, loadScenarioFile(file('refcount.json')));
    expect(outcome.rc).toBe(0);
    expect(outcome.results.map((r) => r.effect)).toEqual(['inserted', 'referenced', 'referenced', 'unreferenced', 'unreferenced', 'removed']);
    expect([shadowTable(service), service.shadowEntries().bitmap]).toEqual(before);
  });

  it('overlap-fails stops at the overlap with Xen\'s message', async () => {
    const { service } = await bootedService();
    const outcome = await runScenario(service, loadScenarioFile(file('overlap-fails.json')));
    expect(outcome.rc).toBe(-22);
    expect(outcome.results[1]!.messages[0]).toMatch(/^Range 0x00000030008000 - 0x00000030018000 overlaps with the existing region 0x00000030000000 - 0x00000030010000$/);
  });

  it('partial-removal-fails refuses half a region', async () => {
    const { service } = await bootedService();
    const outcome = await runScenario(service, loadScenarioFile(file('partial-removal-fails.json')));
    expect(outcome.results[1]).toMatchObject({ rc: -22, messages: ['Cannot remove a partial region'] });
  });

  it('exhausted-pool runs out of entries at the 22nd mapping on a 32-region board', async () => {
    const { service } = await bootedService();
    const outcome = await runScenario(service, loadScenarioFile(file('exhausted-pool.json')));
    expect(outcome.rc).toBe(-2);
    expect(outcome.results).toHaveLength(22);
    expect(outcome.results[21]).toMatchObject({ errno: 'ENOENT', messages: ['EL2 MPU memory region mapping pool exhausted'] });
    expect(outcome.skipped).toBe(18);
  });

  it('upstream-disable-quirk leaves region 33 enabled in hardware on a 64-region board, and the intended mode does not', async () => {
    const board = parseBoard(readFileSync(file('board-64.json'), 'utf8'));
    const scenario = loadScenarioFile(file('upstream-disable-quirk.json'));
    const upstream = await bootedService(board, 'upstream', false);
    expect((await runScenario(upstream.service, scenario)).rc).toBe(0);
    const diff = await upstream.service.diff();
    expect(diff).toMatchObject([{ index: 33, kind: 'enabled-in-hardware-only', effective: true }]);
    // The MPU still enforces the freed region: the debugger can read it.
    expect(upstream.machine.readMemory(0x41b0_0000, 4, { origin: 'debugger' }).fault).toBeUndefined();

    const intended = await bootedService(board, 'intended', false);
    expect((await runScenario(intended.service, scenario)).rc).toBe(0);
    expect(await intended.service.diff()).toEqual([]);
    expect(intended.machine.readMemory(0x41b0_0000, 4, { origin: 'debugger' }).fault?.kind).toBe('mpu');
  });

  it('refuses malformed scenarios with precise errors', () => {
    expect(() => parseScenario({ operations: [{ op: 'update', base: '0x0' }] })).toThrow(/operations\[0\]\.limit: missing/);
    expect(() => parseScenario({ operations: [], extra: 1 })).toThrow(/extra: unknown field/);
    expect(() => parseScenario([])).toThrow(/expected an object/);
    expect(() => loadScenarioFile('/nonexistent.json')).toThrow(/cannot read scenario/);
  });
});
