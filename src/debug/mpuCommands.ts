// Monitor commands that explain the MPU: the enabled regions decoded with overlaps flagged,
// "would this access be allowed, and why", and the regions programmed but not yet effective
// (a missing DSB + ISB shows up here). The switches mpu bypass/latch/sync live in
// boardCommands.ts.

import { registerByName } from '../arch/aarch64/registers.js';
import type { AccessKind, ExceptionLevel } from '../machine/access.js';
import { faultAddressOf, type Machine } from '../machine/machine.js';
import { describeAp } from '../machine/mpu/mpu.js';
import type { DecodedRegion, Regime } from '../machine/mpu/types.js';
import { RegisterAccessError } from '../machine/sysregs.js';
import { TargetErrno, TargetError } from '../rsp/target.js';
import { describeFault } from './boardTarget.js';
import { describeEsr } from './boardCommands.js';
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
      const access = { address: Number(address), size: Number(size), kind, el };
      const fault = machine.check(access, 'core');
      if (json) {
        const regime: Regime = el === 2 ? 'el2' : 'el10';
        const decision = machine.mpu.check(access, machine.mpuControl());
        out(
          `${JSON.stringify({
            allowed: fault === undefined,
            kind,
            el,
            address: hex(address),
            size: Number(size),
            rule: fault ? (fault.kind === 'mpu' ? fault.fault.rule : 'unmapped') : decision.allowed ? decision.rule : null,
            regions: fault ? (fault.kind === 'mpu' ? fault.fault.regions : []) : decision.allowed ? decision.regions : [],
            regime: fault?.kind === 'mpu' ? fault.fault.regime : regime,
            reason: fault ? describeFault(fault) : null,
            faultAddress: fault ? hex(faultAddressOf(fault)) : null,
            esr: fault ? hex(fault.syndrome.esr) : null,
            far: fault ? hex(fault.syndrome.far) : null,
            hpfar: fault?.syndrome.hpfar !== undefined ? hex(fault.syndrome.hpfar) : null,
          })}\n`,
        );
        return;
      }
      const what = `${kind} of ${size} byte${size === 1n ? '' : 's'} at ${hex(address)} from EL${el}`;
      if (!fault) {
        const decision = machine.mpu.check(access, machine.mpuControl());
        const regions = decision.allowed ? decision.regions : [];
        const lines = [`allowed: ${what}`, `rule: ${decision.allowed ? decision.rule : '?'}`];
        const regime: Regime = el === 2 ? 'el2' : 'el10';
        for (const i of regions) lines.push(describeRegion(machine.mpu.effectiveRegion(regime, i), regime));
        out(`${lines.join('\n')}\n`);
        return;
      }
      const lines = [`refused: ${what}`, describeFault(fault)];
      if (fault.kind === 'mpu') {
        lines.push(`rule: ${fault.fault.rule}`);
        for (const i of fault.fault.regions) lines.push(describeRegion(machine.mpu.effectiveRegion(fault.fault.regime, i), fault.fault.regime));
      }
      lines.push(`first refused byte: ${hex(faultAddressOf(fault))}`);
      lines.push(`would latch ESR_EL2 ${hex(fault.syndrome.esr)} (${describeEsr(fault.syndrome.esr)}), FAR_EL2 ${hex(fault.syndrome.far)}${fault.syndrome.hpfar !== undefined ? `, HPFAR_EL2 ${hex(fault.syndrome.hpfar)}` : ''}`);
      out(`${lines.join('\n')}\n`);
    },
  });

  monitors.add({
    name: 'core msr',
    usage: 'core msr NAME VALUE',
    help: 'write a system register as code on the core would: MPU writes wait for a DSB then an ISB',
    run: (args, out) => {
      const reg = args[0] === undefined ? undefined : registerByName(args[0]);
      if (!reg || reg.encoding === undefined) throw new TargetError(TargetErrno.ENOENT, `core msr: no system register named "${args[0] ?? ''}"`);
      const value = parseNumber(args[1], 'core msr: value');
      if (value >= 1n << 64n) throw new TargetError(TargetErrno.EINVAL, `core msr: ${hex(value)} does not fit in 64 bits`);
      try {
        machine.writeRegister(reg, value, 'core');
      } catch (err) {
        if (err instanceof RegisterAccessError) throw new TargetError(err.kind === 'read-only' ? TargetErrno.EROFS : TargetErrno.ENOENT, `core msr: ${err.message}`);
        throw err;
      }
      const pending = reg.behaviour.kind === 'mpu' ? '; not effective until "monitor core dsb" then "monitor core isb"' : '';
      out(`MSR ${reg.name}, ${hex(value)}${pending}\n`);
    },
  });

  monitors.add({
    name: 'core dsb',
    usage: 'core dsb',
    help: 'a DSB as the core would execute it: MPU writes so far are complete',
    run: (_args, out) => {
      machine.dsb();
      out('DSB: MPU register writes so far are complete; an ISB makes them effective\n');
    },
  });

  monitors.add({
    name: 'core isb',
    usage: 'core isb',
    help: 'an ISB as the core would execute it: completed MPU writes become effective',
    run: (_args, out) => {
      const synchronised = machine.isb();
      out(synchronised ? 'ISB: completed MPU writes are now effective\n' : 'ISB: MPU writes are still in flight (no DSB since the last write); nothing changed\n');
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
}
