// MPU events (src/machine/mpuEvents.ts) in words, for the catch line GDB prints before a stop
// and for `monitor mpu history`: who (code at pc <symbol> and EL, the debugger, the map
// service), what (the register, the region it reached, old -> new with fields decoded, or the
// regions a synchronisation made effective), and as JSON for scripts.

import { formatFields } from '../arch/aarch64/fields.js';
import type { MpuEvent, MpuWriteEvent } from '../machine/mpuEvents.js';
import type { Regime } from '../machine/mpu/types.js';
import type { SymbolTable } from './symbolTable.js';

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;
const regimeName = (regime: Regime): string => (regime === 'el2' ? 'EL2' : 'EL1&0');

const SCTLR_BITS: ReadonlyArray<readonly [string, bigint]> = [
  ['M', 0n],
  ['A', 1n],
  ['BR', 17n],
  ['WXN', 19n],
];

/** Who made the change: `pc 0x40 <map_region+0x8>, EL2` for code on the core. */
export function describeAgent(event: MpuEvent, symbols: SymbolTable): string {
  if (event.agent === 'core') return `pc ${symbols.formatAddress(event.pc)}, EL${event.el}`;
  return event.agent === 'debugger' ? 'debugger' : 'map service';
}

function describeWrite(event: MpuWriteEvent, regionCount: (regime: Regime) => number): string {
  const name = event.register.name;
  const change = `${hex(event.before)} -> ${hex(event.after)}`;
  const verb = event.agent === 'debugger' ? 'write' : 'MSR';
  if (name.startsWith('SCTLR')) {
    const flips = SCTLR_BITS.filter(([, bit]) => ((event.before ^ event.after) >> bit) & 1n).map(([field, bit]) => `${field} ${(event.before >> bit) & 1n}->${(event.after >> bit) & 1n}`);
    return `${verb} ${name}: ${change} (${flips.join(', ')}) ${formatFields(event.register, event.after)}`;
  }
  if (event.region !== undefined) {
    const count = regionCount(event.regime);
    const where = event.region < count ? `region ${event.region}` : `region ${event.region}, not implemented (${count} regions): write ignored`;
    const fields = event.register.fields ? ` ${formatFields(event.register, event.after)}` : '';
    const same = event.region < count && event.before === event.after ? ' (unchanged)' : '';
    return `${verb} ${name} (${where}): ${change}${fields}${same}`;
  }
  if (event.register.name.startsWith('PRENR')) {
    const turned = event.regionsChanged.map((r) => `${r} ${(event.after >> BigInt(r)) & 1n ? 'enabled' : 'disabled'}`);
    return `${verb} ${name}: ${change}${turned.length > 0 ? ` (region ${turned.join(', region ')})` : ' (no region changed)'}`;
  }
  return `${verb} ${name}: ${change}${event.register.fields ? ` ${formatFields(event.register, event.after)}` : ''}`;
}

function describeRegions(regions: { readonly el2: readonly number[]; readonly el10: readonly number[] }): string {
  const parts: string[] = [];
  if (regions.el2.length > 0) parts.push(`${regimeName('el2')} region${regions.el2.length > 1 ? 's' : ''} ${regions.el2.join(', ')}`);
  if (regions.el10.length > 0) parts.push(`${regimeName('el10')} region${regions.el10.length > 1 ? 's' : ''} ${regions.el10.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'no region changed';
}

/** What happened, in one line without the agent. */
export function describeMpuChange(event: MpuEvent, regionCount: (regime: Regime) => number): string {
  switch (event.kind) {
    case 'write':
      return describeWrite(event, regionCount);
    case 'dsb':
      return 'DSB: MPU writes complete (an ISB makes them effective)';
    case 'isb-ignored':
      return 'ISB while MPU writes await a DSB: nothing became effective';
    case 'sync': {
      const what = event.cause === 'isb' ? 'ISB' : event.cause === 'forced' ? 'forced synchronisation' : 'synchronisation on leaving debug state';
      return `${what}: now effective: ${describeRegions(event.regions)}`;
    }
    case 'reset':
      return 'board reset: every region disabled and zero';
  }
}

/** The event for scripts; values in hex strings, the symbol of pc when one covers it. */
export function mpuEventJson(event: MpuEvent, symbols: SymbolTable): Record<string, unknown> {
  const base = { kind: event.kind, agent: event.agent, pc: hex(event.pc), symbol: symbols.describe(event.pc) ?? null, el: event.el };
  switch (event.kind) {
    case 'write':
      return {
        ...base,
        register: event.register.name,
        regime: event.regime,
        region: event.region ?? null,
        regionsChanged: event.regionsChanged,
        written: hex(event.written),
        before: hex(event.before),
        after: hex(event.after),
      };
    case 'sync':
      return { ...base, cause: event.cause, regions: event.regions };
    default:
      return base;
  }
}
