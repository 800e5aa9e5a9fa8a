// Scenarios: a named list of map operations applied in order as one unit under the service's
// lock, stopping at the first failure unless asked to go on. The embedded default is what
// `npm start` applies: Xen's arm64 boot on a plausible image at 0x0, then the mappings Xen's
// later boot code makes (device tree, static heap, device ioremaps).

import { readFileSync } from 'node:fs';
import { checkFields, InputError, isPlainObject } from './input.js';
import { parseJsonText } from './jsonText.js';
import { requestFromScenarioEntry } from './requests.js';
import type { OperationRequest, OperationResult } from './result.js';
import type { MapService, ServiceSession } from './service.js';
import { DEFAULT_LAYOUT } from './layout.js';
import { PAGE_HYPERVISOR_NOCACHE, PAGE_HYPERVISOR_RO, PAGE_HYPERVISOR_RW } from './flags.js';

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly operations: readonly OperationRequest[];
  readonly continueOnError: boolean;
}

export interface ScenarioOutcome {
  readonly scenario: string;
  /** 0 when every applied operation succeeded, else the rc of the first failure. */
  readonly rc: number;
  readonly results: readonly OperationResult[];
  /** Operations not applied because an earlier one failed. */
  readonly skipped: number;
}

export function parseScenario(value: unknown, where = 'scenario'): Scenario {
  if (!isPlainObject(value)) throw new InputError(where, 'expected an object with "operations"');
  checkFields(value, ['name', 'description', 'operations', 'continueOnError'], ['operations'], where === 'scenario' ? '' : where);
  const name = value['name'] ?? 'unnamed';
  const description = value['description'] ?? '';
  if (typeof name !== 'string') throw new InputError('name', 'expected a string');
  if (typeof description !== 'string') throw new InputError('description', 'expected a string');
  const continueOnError = value['continueOnError'] ?? false;
  if (typeof continueOnError !== 'boolean') throw new InputError('continueOnError', 'expected true or false');
  const list = value['operations'];
  if (!Array.isArray(list)) throw new InputError('operations', 'expected an array of operations');
  if (list.length > 10_000) throw new InputError('operations', `at most 10000 operations, got ${list.length}`);
  const operations = list.map((entry, i) => requestFromScenarioEntry(entry, `operations[${i}]`));
  return { name, description, operations, continueOnError };
}

export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read scenario ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = parseJsonText(text);
  } catch (err) {
    throw new Error(`scenario ${path} is not JSON: ${(err as Error).message}`);
  }
  try {
    return parseScenario(json);
  } catch (err) {
    if (err instanceof InputError) throw new Error(`scenario ${path}: ${err.message}`);
    throw err;
  }
}

/** Applies a scenario as one unit: no other request is interleaved with its operations. */
export function runScenario(service: MapService, scenario: Scenario): Promise<ScenarioOutcome> {
  return service.exclusive((session) => applyScenario(session, scenario));
}

/** Applies a scenario inside a session that already holds the service's lock. */
export function applyScenario(session: ServiceSession, scenario: Scenario): ScenarioOutcome {
  const results: OperationResult[] = [];
  let rc = 0;
  for (const request of scenario.operations) {
    const result = session.execute(request);
    results.push(result);
    if (result.rc !== 0 && rc === 0) rc = result.rc;
    if (result.rc !== 0 && !scenario.continueOnError) break;
  }
  return { scenario: scenario.name, rc, results, skipped: scenario.operations.length - results.length };
}

const page = (address: bigint): bigint => address >> 12n;

/**
 * The embedded default: the Xen image of layout.ts boots (enable_boot_cpu_mm), then maps what
 * its boot code maps next on the FVP BaseR: the device tree blob handed over by the loader,
 * the static heap, the GIC distributor and redistributors, and a second UART.
 */
export const DEFAULT_BOOT_SCENARIO: Scenario = {
  name: 'default-boot',
  description: 'Xen 4.22 arm64 boot on the FVP BaseR layout: boot regions, DTB, static heap, GIC and UART ioremaps',
  continueOnError: false,
  operations: [
    { op: 'boot', layout: DEFAULT_LAYOUT },
    // early_fdt_map(): the DTB, read-only, 2 MiB at 0x7fe00000 (top of the first 2 GiB).
    { op: 'map', virt: 0x7fe0_0000n, mfn: page(0x7fe0_0000n), nr: 0x200n, flags: PAGE_HYPERVISOR_RO },
    // The static heap (xen,static-heap) of 256 MiB at 0x10000000.
    { op: 'map', virt: 0x1000_0000n, mfn: page(0x1000_0000n), nr: 0x1_0000n, flags: PAGE_HYPERVISOR_RW },
    // GICv3 distributor (64 KiB) and redistributors (1 MiB) of the FVP BaseR.
    { op: 'ioremap', start: 0xaf00_0000n, len: 0x1_0000n, flags: PAGE_HYPERVISOR_NOCACHE },
    { op: 'ioremap', start: 0xaf10_0000n, len: 0x10_0000n, flags: PAGE_HYPERVISOR_NOCACHE },
    // UART1 for the console once the early UART is handed over.
    { op: 'ioremap', start: 0x9c0a_0000n, len: 0x1000n, flags: PAGE_HYPERVISOR_NOCACHE },
  ],
};
