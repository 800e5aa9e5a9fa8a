// Monitor commands about the board itself: what it is, the last refused access, register
// decoding, the debugger's MPU bypass and fault latching, and context synchronisation.

import { formatFields } from '../arch/aarch64/fields.js';
import { registerByName, type RegisterSpec } from '../arch/aarch64/registers.js';
import { TargetErrno, TargetError } from '../rsp/target.js';
import { describeFault, type BoardTarget } from './boardTarget.js';
import { parseSwitch, type MonitorRegistry } from './monitor.js';

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

const EXCEPTION_CLASSES: Record<number, string> = {
  0x20: 'instruction abort from a lower EL',
  0x21: 'instruction abort taken without a change of EL',
  0x24: 'data abort from a lower EL',
  0x25: 'data abort taken without a change of EL',
};

/** Fault status codes of the abort ISS (DFSC/IFSC). */
export function faultStatusName(fsc: number): string {
  if (fsc >= 0x04 && fsc <= 0x07) return `translation fault, level ${fsc & 3}`;
  if (fsc >= 0x0c && fsc <= 0x0f) return `permission fault, level ${fsc & 3}`;
  if (fsc === 0x10) return 'synchronous external abort';
  if (fsc === 0x21) return 'alignment fault';
  return `fault status ${hex(fsc)}`;
}

export function describeEsr(esr: bigint): string {
  const ec = Number((esr >> 26n) & 0x3fn);
  const il = Number((esr >> 25n) & 1n);
  const fsc = Number(esr & 0x3fn);
  const wnr = Number((esr >> 6n) & 1n);
  const parts = [`EC=${hex(ec)} (${EXCEPTION_CLASSES[ec] ?? 'other'})`, `IL=${il}`];
  if (EXCEPTION_CLASSES[ec]) {
    parts.push(`FSC=${hex(fsc)} (${faultStatusName(fsc)})`);
    if (ec === 0x24 || ec === 0x25) parts.push(`WnR=${wnr} (${wnr ? 'write' : 'read'})`);
  }
  return parts.join(', ');
}

function registerLine(target: BoardTarget, reg: RegisterSpec): string {
  const value = target.machine.readRegister(reg);
  const fields = reg.fields ? ` ${formatFields(reg, value)}` : '';
  return `${reg.name} = ${hex(value)}${fields}`;
}

export function registerBoardCommands(monitors: MonitorRegistry, target: BoardTarget): void {
  const machine = target.machine;

  monitors.add({
    name: 'info',
    usage: 'info',
    help: 'the board: memory map, MPU region counts, exception level, debugger options',
    run: (_args, out) => {
      const b = machine.board;
      const lines = [
        `board ${b.name}: Armv8-R AArch64, MIDR_EL1 ${hex(b.cpu.midr)}, EL${machine.core.el}`,
        `MPU regions: EL2 ${b.mpuRegions.el2}, EL1 ${b.mpuRegions.el1}`,
        'memory map:',
        ...b.memory.map((r) => `  ${r.name.padEnd(8)} ${r.kind.padEnd(6)} ${hex(r.base).padStart(12)} - ${hex(r.base + r.size - 1).padStart(12)}${r.model && r.model !== 'plain' ? ` (${r.model})` : ''}`),
        `debugger accesses: ${machine.options.debuggerBypassesMpu ? 'bypass the MPU' : 'checked by the MPU'}; faults ${machine.options.latchDebuggerFaults ? 'latch' : 'do not latch'} ESR_EL2/FAR_EL2`,
        `host memory for RAM: ${machine.memory.residentBytes()} bytes`,
        `core: ${target.running ? 'running' : 'halted'} at pc 0x${machine.core.pc.toString(16)}, EL${machine.core.el}; ${target.instructionsExecuted} instructions executed`,
      ];
      out(`${lines.join('\n')}\n`);
    },
  });

  monitors.add({
    name: 'board json',
    usage: 'board json',
    help: 'the board as JSON: memory map and MPU region counts (for GDB Python scripts)',
    run: (_args, out) => {
      const b = machine.board;
      const memory = b.memory.map((r) => ({ name: r.name, kind: r.kind, base: hex(r.base), limit: hex(r.base + r.size - 1), ...(r.model ? { model: r.model } : {}) }));
      out(`${JSON.stringify({ name: b.name, mpuRegions: b.mpuRegions, memory, el: machine.core.el })}\n`);
    },
  });

  monitors.add({
    name: 'fault',
    usage: 'fault',
    help: 'the last refused access: who, where, which rule and regions, and its syndrome',
    run: (_args, out) => {
      const fault = machine.lastFault;
      if (!fault) {
        out('no access has been refused since the stub started\n');
        return;
      }
      const lines = [
        `last refused access (${fault.origin}): ${describeFault(fault)}`,
        `syndrome: ESR_EL2 ${hex(fault.syndrome.esr)}: ${describeEsr(fault.syndrome.esr)}`,
        `          FAR_EL2 ${hex(fault.syndrome.far)}${fault.syndrome.hpfar !== undefined ? `, HPFAR_EL2 ${hex(fault.syndrome.hpfar)}` : ''}`,
        fault.origin === 'core' || machine.options.latchDebuggerFaults
          ? 'latched into ESR_EL2/FAR_EL2'
          : 'not latched (debugger access; "monitor mpu latch on" to latch)',
      ];
      out(`${lines.join('\n')}\n`);
    },
  });

  monitors.add({
    name: 'reg',
    usage: 'reg NAME...',
    help: 'a register with its fields decoded (any name from "info registers system")',
    run: (args, out) => {
      if (args.length === 0) throw new TargetError(TargetErrno.EINVAL, 'reg: name a register, e.g. "monitor reg PRLAR_EL2"');
      const lines = args.map((name) => {
        const reg = registerByName(name);
        if (!reg) throw new TargetError(TargetErrno.ENOENT, `reg: no register named "${name}"`);
        return `${registerLine(target, reg)}\n    ${reg.doc}`;
      });
      out(`${lines.join('\n')}\n`);
    },
  });

  monitors.add({
    name: 'mpu bypass',
    usage: 'mpu bypass on|off',
    help: 'debugger accesses skip the MPU (physical access) or are checked like EL2 accesses',
    run: (args, out) => {
      if (args.length > 0) machine.options.debuggerBypassesMpu = parseSwitch(args[0], 'mpu bypass');
      out(`debugger accesses ${machine.options.debuggerBypassesMpu ? 'bypass' : 'are checked by'} the MPU\n`);
    },
  });

  monitors.add({
    name: 'mpu latch',
    usage: 'mpu latch on|off',
    help: 'refused debugger accesses also set ESR_EL2/FAR_EL2 as a guest access would',
    run: (args, out) => {
      if (args.length > 0) machine.options.latchDebuggerFaults = parseSwitch(args[0], 'mpu latch');
      out(`refused debugger accesses ${machine.options.latchDebuggerFaults ? 'latch' : 'do not latch'} ESR_EL2/FAR_EL2\n`);
    },
  });

  monitors.add({
    name: 'mpu sync',
    usage: 'mpu sync',
    help: 'a context synchronisation (DSB; ISB): programmed MPU registers become effective',
    run: (_args, out) => {
      machine.forceSynchronize();
      out('MPU context synchronised: programmed regions are now effective\n');
    },
  });

  monitors.add({
    name: 'breakpoints',
    usage: 'breakpoints',
    help: 'breakpoints and watchpoints GDB has planted',
    run: (_args, out) => {
      const list = target.listBreakpoints();
      out(list.length === 0 ? 'no breakpoints\n' : `${list.map((b) => `${b.type} ${hex(b.address)} kind ${b.kind}`).join('\n')}\n`);
    },
  });
}
