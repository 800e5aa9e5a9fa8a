// The `mpu ...` monitor commands: the enabled regions decoded with overlaps flagged, "would
// this access be allowed, and why", the regions programmed but not yet effective (a missing
// DSB + ISB shows up here), and the debugger's switches: MPU bypass, fault latching, and a
// context synchronisation.

import { registerByName } from '../arch/aarch64/registers.js';
import type { Access, AccessKind, ExceptionLevel } from '../machine/access.js';
import { faultAddressOf, type Machine, type MachineFault } from '../machine/machine.js';
import { describeAp } from '../machine/mpu/mpu.js';
import type { DecodedRegion, Regime } from '../machine/mpu/types.js';
import { TargetErrno, TargetError } from '../rsp/target.js';
import { describeFault } from './faultText.js';
import { describeEsr } from '../arch/aarch64/syndrome.js';
import { parseNumber, type MonitorRegistry } from './monitor.js';

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

const SHAREABILITY = ['non-shareable', 'reserved', 'outer shareable', 'inner shareable'];

function parseRegime(word: string | undefined, command: string): Regime {
  if (word === undefined || word.toLowerCase() === 'el2') return 'el2';
  if (word.toLowerCase() === 'el1' || word.toLowerCase() === 'el10') return 'el10';
  throw new TargetError(TargetErrno.EINVAL, `${command}: expected "el2" or "el1", got "${word}"`);
}

const regimeName = (regime: Regime): string => (regime === 'el2' ? 'EL2' : 'EL1&0');

export function describeRegion(region: DecodedRegion, regime: Regime): string {
  const size = region.limit - region.base + 1;
  const span = size > 0 ? `${hex(region.base).padStart(14)}..${hex(region.limit).padEnd(14)}` : `${hex(region.base)}..${hex(region.limit)} (empty: limit below base)`;
  return `${String(region.index).padStart(3)}  ${span} ${describeAp(region.ap, regime).padEnd(20)} ${region.xn ? 'XN' : 'X '}  ${SHAREABILITY[region.sh]!.padEnd(15)} AttrIndx=${region.attrIndx}  size ${hex(size > 0 ? size : 0)}`;
}

function sctlrOf(machine: Machine, regime: Regime): bigint {
  return machine.readRegister(registerByName(regime === 'el2' ? 'SCTLR_EL2' : 'SCTLR_EL1')!);
}

const ACCESS_KINDS: Record<string, AccessKind> = { r: 'read', read: 'read', w: 'write', write: 'write', x: 'fetch', fetch: 'fetch', exec: 'fetch' };
const LEVELS: Record<string, ExceptionLevel> = { el2: 2, el1: 1, el0: 0 };

function regionJson(region: DecodedRegion): Record<string, unknown> {
  return {
    index: region.index,
    prbar: hex(region.prbar),
    prlar: hex(region.prlar),
    enabled: region.enabled,
    base: hex(region.base),
    limit: hex(region.limit),
    ap: region.ap,
    xn: region.xn,
    sh: region.sh,
    attrIndx: region.attrIndx,
  };
}

/** One access judged once: the machine's fault (if any) and the MPU rule that decided. */
interface CheckVerdict {
  readonly access: Access;
  readonly fault: MachineFault | undefined;
  /** The rule and regions of an allowed access (none when the debugger bypasses the MPU). */
  readonly rule: string | null;
  readonly regions: readonly number[];
  readonly regime: Regime;
}

function checkVerdict(machine: Machine, access: Access): CheckVerdict {
  const { decision, fault } = machine.judge(access, 'core');
  const regime: Regime = fault?.kind === 'mpu' ? fault.fault.regime : access.el === 2 ? 'el2' : 'el10';
  if (fault) return { access, fault, regime, rule: fault.kind === 'mpu' ? fault.fault.rule : 'unmapped', regions: fault.kind === 'mpu' ? fault.fault.regions : [] };
  return { access, fault, regime, rule: decision?.allowed ? decision.rule : null, regions: decision?.allowed ? decision.regions : [] };
}

function verdictJson(v: CheckVerdict): Record<string, unknown> {
  const { access, fault } = v;
  return {
    allowed: fault === undefined,
    kind: access.kind,
    el: access.el,
    address: hex(access.address),
    size: access.size,
    rule: v.rule,
    regions: v.regions,
    regime: v.regime,
    reason: fault ? describeFault(fault) : null,
    faultAddress: fault ? hex(faultAddressOf(fault)) : null,
    takenTo: fault ? fault.syndrome.takenTo : null,
    esr: fault ? hex(fault.syndrome.esr) : null,
    esrDescription: fault ? describeEsr(fault.syndrome.esr) : null,
    far: fault ? hex(fault.syndrome.far) : null,
    hpfar: fault?.syndrome.hpfar !== undefined ? hex(fault.syndrome.hpfar) : null,
  };
}

function verdictText(machine: Machine, v: CheckVerdict): string {
  const { access, fault } = v;
  const what = `${access.kind} of ${access.size} byte${access.size === 1 ? '' : 's'} at ${hex(access.address)} from EL${access.el}`;
  const regionLines = v.regions.map((i) => describeRegion(machine.mpu.effectiveRegion(v.regime, i), v.regime));
  if (!fault) return `${[`allowed: ${what}`, `rule: ${v.rule ?? '?'}`, ...regionLines].join('\n')}\n`;
  const lines = [`refused: ${what}`, describeFault(fault)];
  if (fault.kind === 'mpu') lines.push(`rule: ${fault.fault.rule}`, ...regionLines);
  lines.push(`first refused byte: ${hex(faultAddressOf(fault))}`);
  const el = fault.syndrome.takenTo;
  lines.push(`would latch ESR_EL${el} ${hex(fault.syndrome.esr)} (${describeEsr(fault.syndrome.esr)}), FAR_EL${el} ${hex(fault.syndrome.far)}${fault.syndrome.hpfar !== undefined ? `, HPFAR_EL2 ${hex(fault.syndrome.hpfar)}` : ''}`);
  return `${lines.join('\n')}\n`;
}

export function registerMpuCommands(monitors: MonitorRegistry, machine: Machine): void {
  monitors.add({
    name: 'mpu',
    usage: 'mpu [el2|el1]',
    help: 'the enabled MPU regions (effective), decoded; overlapping regions flagged',
    run: (args, out) => {
      const regime = parseRegime(args[0], 'mpu');
      const sctlr = sctlrOf(machine, regime);
      const el = regime === 'el2' ? 'EL2' : 'EL1';
      const lines = [
        `${regimeName(regime)} MPU: ${machine.mpu.regionCount(regime)} regions; SCTLR_${el}.M=${sctlr & 1n} (${sctlr & 1n ? 'enabled' : 'disabled'}), BR=${(sctlr >> 17n) & 1n}, WXN=${(sctlr >> 19n) & 1n}, A=${(sctlr >> 1n) & 1n}`,
      ];
      const enabled: DecodedRegion[] = [];
      for (let i = 0; i < machine.mpu.regionCount(regime); i++) {
        const region = machine.mpu.effectiveRegion(regime, i);
        if (region.enabled) enabled.push(region);
      }
      if (enabled.length === 0) lines.push('no enabled regions');
      else {
        lines.push('  #  base           limit          access               XN  shareability    attributes');
        for (const region of enabled) lines.push(describeRegion(region, regime));
      }
      for (const o of machine.mpu.overlaps(regime)) {
        lines.push(`overlap: regions ${o.a} and ${o.b} share ${hex(o.start)}..${hex(o.end - 1)}; the architecture forbids it and any access there faults`);
      }
      const pending = machine.mpu.pendingRegions(regime);
      if (pending.length > 0) lines.push(`${pending.length} region(s) programmed but not yet effective: ${pending.join(', ')} ("monitor mpu pending")`);
      out(`${lines.join('\n')}\n`);
    },
  });

  monitors.add({
    name: 'mpu json',
    usage: 'mpu json [el2|el1]',
    help: 'every region, programmed and effective, as JSON (for GDB Python scripts)',
    run: (args, out) => {
      const regime = parseRegime(args[0], 'mpu json');
      const sctlr = sctlrOf(machine, regime);
      const regions = [];
      for (let i = 0; i < machine.mpu.regionCount(regime); i++) {
        regions.push({ programmed: regionJson(machine.mpu.programmedRegion(regime, i)), effective: regionJson(machine.mpu.effectiveRegion(regime, i)) });
      }
      const overlaps = machine.mpu.overlaps(regime).map((o) => ({ regions: [o.a, o.b], start: hex(o.start), end: hex(o.end - 1) }));
      out(`${JSON.stringify({ regime, regionCount: machine.mpu.regionCount(regime), sctlr: hex(sctlr), enabled: (sctlr & 1n) === 1n, regions, overlaps, pending: machine.mpu.pendingRegions(regime) })}\n`);
    },
  });

  monitors.add({
    name: 'mpu check',
    usage: 'mpu check ADDR [r|w|x] [el2|el1|el0] [SIZE] [json]',
    help: 'would this access be allowed? which regions match, and the rule that decides',
    run: (args, out) => {
      const address = parseNumber(args[0], 'mpu check: address');
      let kind: AccessKind = 'read';
      let el: ExceptionLevel = machine.currentEl;
      let size = 1n;
      let json = false;
      for (const word of args.slice(1)) {
        const w = word.toLowerCase();
        if (w === 'json') json = true;
        else if (ACCESS_KINDS[w]) kind = ACCESS_KINDS[w];
        else if (LEVELS[w] !== undefined) el = LEVELS[w];
        else size = parseNumber(word, 'mpu check: size');
      }
      if (size < 1n || size > 0x1000_0000n) throw new TargetError(TargetErrno.EINVAL, 'mpu check: size must be 1..0x10000000');
      if (address + size > 1n << 48n) throw new TargetError(TargetErrno.EINVAL, `mpu check: ${hex(address)} + ${hex(size)} is beyond the 48-bit physical address space`);
      const verdict = checkVerdict(machine, { address: Number(address), size: Number(size), kind, el });
      out(json ? `${JSON.stringify(verdictJson(verdict))}\n` : verdictText(machine, verdict));
    },
  });

  monitors.add({
    name: 'mpu pending',
    usage: 'mpu pending [el2|el1]',
    help: 'regions programmed but not yet effective (no DSB + ISB since the write)',
    run: (args, out) => {
      const regime = parseRegime(args[0], 'mpu pending');
      const pending = machine.mpu.pendingRegions(regime);
      if (pending.length === 0) {
        out(`${regimeName(regime)} MPU: every programmed region is effective\n`);
        return;
      }
      const lines = [`${regimeName(regime)} MPU: ${pending.length} region(s) programmed but not yet effective (a DSB + ISB would make them so):`];
      for (const i of pending) {
        const p = machine.mpu.programmedRegion(regime, i);
        const e = machine.mpu.effectiveRegion(regime, i);
        lines.push(`  region ${i}: programmed PRBAR ${hex(p.prbar)} PRLAR ${hex(p.prlar)}; effective PRBAR ${hex(e.prbar)} PRLAR ${hex(e.prlar)}`);
      }
      out(`${lines.join('\n')}\n`);
    },
  });

  monitors.addSwitch(
    'mpu bypass',
    'debugger accesses skip the MPU (physical access) or are checked like EL2 accesses',
    { get: () => machine.options.debuggerBypassesMpu, set: (on) => (machine.options.debuggerBypassesMpu = on) },
    (on) => `debugger accesses ${on ? 'bypass' : 'are checked by'} the MPU`,
  );

  monitors.addSwitch(
    'mpu latch',
    'refused debugger accesses also set ESR_EL2/FAR_EL2 as a guest access would',
    { get: () => machine.options.latchDebuggerFaults, set: (on) => (machine.options.latchDebuggerFaults = on) },
    (on) => `refused debugger accesses ${on ? 'latch' : 'do not latch'} ESR_EL2/FAR_EL2`,
  );

  monitors.add({
    name: 'mpu sync',
    usage: 'mpu sync',
    help: 'a context synchronisation (DSB; ISB): programmed MPU registers become effective',
    run: (_args, out) => {
      machine.performedBy('debugger', () => machine.forceSynchronize());
      out('MPU context synchronised: programmed regions are now effective\n');
    },
  });
}
