// The top-level monitor commands, about the board itself: what it is, the last refused access,
// register decoding, and the breakpoints GDB planted. Commands with a prefix live beside it:
// mpuCommands.ts (`mpu ...`), coreCommands.ts (`core ...`), xenCommands.ts (`xen ...`).

import { formatFields } from '../arch/aarch64/fields.js';
import { registerByName, type RegisterSpec } from '../arch/aarch64/registers.js';
import { describeEsr } from '../arch/aarch64/syndrome.js';
import { exceptionRegisters } from '../machine/cpu/exceptionRouting.js';
import { TargetErrno, TargetError } from '../rsp/target.js';
import type { BoardTarget } from './boardTarget.js';
import { describeFault } from './faultText.js';
import type { MonitorRegistry } from './monitor.js';

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

function registerLine(target: BoardTarget, reg: RegisterSpec): string {
  const value = target.machine.readRegister(reg);
  const fields = reg.fields ? ` ${formatFields(reg, value)}` : '';
  return `${reg.name} = ${hex(value)}${fields}`;
}

/** A syndrome register (ESR_ELx) also carries its description, in the words the monitor uses. */
function registerJson(target: BoardTarget, reg: RegisterSpec): Record<string, unknown> {
  const value = target.machine.readRegister(reg);
  return {
    name: reg.name,
    value: hex(value),
    ...(reg.fields ? { fields: formatFields(reg, value), layout: reg.fields.map((f) => ({ name: f.name, lsb: f.lsb, msb: f.msb })) } : {}),
    ...(/^ESR_EL[12]$/.test(reg.name) ? { description: describeEsr(value) } : {}),
  };
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
        `debugger accesses: ${machine.options.debuggerBypassesMpu ? 'bypass the MPU' : 'checked by the MPU'}; faults ${machine.options.latchDebuggerFaults ? 'latch' : 'do not latch'} ESR/FAR`,
        `host memory for RAM: ${machine.memory.residentBytes()} bytes`,
        `core: ${target.run.running ? 'running' : 'halted'} at pc 0x${machine.core.pc.toString(16)}, EL${machine.core.el}; ${target.run.instructionsExecuted} instructions executed`,
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
      const names = exceptionRegisters(fault.syndrome.takenTo);
      const lines = [
        `last refused access (${fault.origin}): ${describeFault(fault)}`,
        `taken to EL${fault.syndrome.takenTo}`,
        `syndrome: ${names.esr} ${hex(fault.syndrome.esr)}: ${describeEsr(fault.syndrome.esr)}`,
        `          ${names.far} ${hex(fault.syndrome.far)}${fault.syndrome.hpfar !== undefined ? `, HPFAR_EL2 ${hex(fault.syndrome.hpfar)}` : ''}`,
        fault.origin === 'core' || machine.options.latchDebuggerFaults
          ? `latched into ${names.esr}/${names.far}`
          : 'not latched (debugger access; "monitor mpu latch on" to latch)',
      ];
      out(`${lines.join('\n')}\n`);
    },
  });

  monitors.add({
    name: 'reg',
    usage: 'reg NAME... [json]',
    help: 'a register with its fields decoded (any name from "info registers system"); json for scripts',
    run: (args, out) => {
      const json = args[args.length - 1]?.toLowerCase() === 'json';
      const names = json ? args.slice(0, -1) : args;
      if (names.length === 0) throw new TargetError(TargetErrno.EINVAL, 'reg: name a register, e.g. "monitor reg PRLAR_EL2"');
      const regs = names.map((name) => {
        const reg = registerByName(name);
        if (!reg) throw new TargetError(TargetErrno.ENOENT, `reg: no register named "${name}"`);
        return reg;
      });
      if (json) {
        out(`${JSON.stringify(regs.map((reg) => registerJson(target, reg)))}\n`);
        return;
      }
      out(`${regs.map((reg) => `${registerLine(target, reg)}\n    ${reg.doc}`).join('\n')}\n`);
    },
  });

  monitors.add({
    name: 'breakpoints',
    usage: 'breakpoints',
    help: 'breakpoints and watchpoints GDB has planted',
    run: (_args, out) => {
      const list = target.breakpoints.list();
      out(list.length === 0 ? 'no breakpoints\n' : `${list.map((b) => `${b.type} ${hex(b.address)} kind ${b.kind}`).join('\n')}\n`);
    },
  });
}
