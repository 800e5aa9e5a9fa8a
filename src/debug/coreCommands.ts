// The `core ...` monitor commands, about execution: what the core stopped on (an abort or an
// undefined instruction the debugger intercepted), taking that exception as the core would,
// whether such exceptions stop in GDB or are taken directly, stopping at the vector entry once
// one is taken (vector catch), whether hot code runs translated, and MSR/DSB/ISB performed as
// code on the core would.

import type { BoardTarget } from './boardTarget.js';
import { describeFault } from './faultText.js';
import { describeEsr } from '../arch/aarch64/syndrome.js';
import { exceptionRegisters } from '../machine/cpu/exceptionRouting.js';
import { exceptionTarget } from '../machine/cpu/interpreter.js';
import { registerByName } from '../arch/aarch64/registers.js';
import { RegisterAccessError } from '../machine/sysregs.js';
import { parseNumber, parseSwitch, type MonitorRegistry } from './monitor.js';
import { TargetErrno, TargetError } from '../rsp/target.js';
import { VECTOR_CATEGORIES, type VectorCategory } from './vectorCatch.js';

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

export function registerCoreCommands(monitors: MonitorRegistry, target: BoardTarget): void {
  monitors.add({
    name: 'core exception',
    usage: 'core exception',
    help: 'the exception the core stopped on (SIGSEGV: abort, SIGILL: undefined instruction), not yet taken',
    run: (_args, out) => {
      if (target.run.internalError) out(`the interpreter failed (a bug in mpustub, please report it): ${target.run.internalError}\n`);
      const e = target.run.lastException;
      if (!e) {
        out('no exception is pending\n');
        return;
      }
      const el = exceptionTarget(target.machine, e);
      const names = exceptionRegisters(el);
      const take = `taken to EL${el}: "monitor core take" vectors to ${names.vbar} as the core would\n`;
      if (e.type === 'abort') {
        out(`data or instruction abort at pc ${hex(e.pc)}: ${describeFault(e.fault)}\n${names.esr} ${hex(e.fault.syndrome.esr)} (${describeEsr(e.fault.syndrome.esr)}), ${names.far} ${hex(e.fault.syndrome.far)}\n${take}`);
      } else if (e.type === 'undefined') {
        out(`undefined instruction 0x${e.instruction.toString(16).padStart(8, '0')} at pc ${hex(e.pc)}: ${e.reason}\n${take}`);
      } else if (e.type === 'trap') {
        out(`trapped instruction at pc ${hex(e.pc)}: ${e.reason}\n${take}`);
      } else out(`${e.type.toUpperCase()} #${e.imm} at pc ${hex(e.pc)}\n${take}`);
    },
  });

  monitors.add({
    name: 'core take',
    usage: 'core take',
    help: 'take the pending exception to the EL it is routed to: its ESR/ELR/SPSR set, PSTATE to ELxh, pc to its VBAR vector',
    run: (_args, out) => {
      if (!target.run.takePendingException()) throw new TargetError(TargetErrno.EINVAL, 'core take: no exception is pending');
      const names = exceptionRegisters(target.machine.core.el === 1 ? 1 : 2);
      out(`exception taken to EL${target.machine.core.el}: pc ${hex(target.machine.core.pc)} (${names.vbar} vector), ${names.elr} ${hex(target.machine.sysregs.getStored(names.elr))}\n`);
    },
  });

  monitors.addSwitch(
    'core stop-on-exception',
    'aborts and undefined instructions stop in GDB (SIGSEGV/SIGILL) before being taken, or are taken directly',
    { get: () => target.run.stopOnExceptions, set: (on) => (target.run.stopOnExceptions = on) },
    (on) => `aborts and undefined instructions ${on ? 'stop in GDB before they are taken' : 'are taken (the core vectors to VBAR_EL1 or VBAR_EL2, as they are routed)'}`,
  );

  monitors.add({
    name: 'core catch exception',
    usage: 'core catch exception [abort|undef|svc|irq|all|off]...',
    help: 'stop at the vector entry once the core has taken such an exception or IRQ (ESR/FAR decoded)',
    run: (args, out) => {
      if (args.length > 0) {
        const words = args.map((w) => w.toLowerCase());
        let categories: VectorCategory[];
        if (words.length === 1 && words[0] === 'off') categories = [];
        else if (words.length === 1 && words[0] === 'all') categories = [...VECTOR_CATEGORIES];
        else {
          categories = words.map((w) => {
            const category = VECTOR_CATEGORIES.find((c) => c === w);
            if (!category) throw new TargetError(TargetErrno.EINVAL, `core catch exception: expected abort, undef, svc, irq, all or off, got "${w}"`);
            return category;
          });
        }
        target.vectorCatch.set(categories);
      }
      const caught = target.vectorCatch.categories;
      const stopFirst = target.run.stopOnExceptions && caught.some((c) => c === 'abort' || c === 'undef') ? '; aborts and undefined instructions stop in GDB before they are taken first (core stop-on-exception on)' : '';
      out(caught.length === 0 ? 'vector catch off\n' : `vector catch: ${caught.join(', ')}: the core stops at the vector entry once it has taken one${stopFirst}\n`);
    },
  });

  monitors.add({
    name: 'core translate',
    usage: 'core translate [on|off]',
    help: 'run hot code as translated blocks (fast, the default) or one interpreted instruction at a time; shows what ran translated',
    run: (args, out) => {
      const t = target.run.interpreter;
      if (args.length > 0) t.translate = parseSwitch(args[0], 'core translate');
      const share = t.executed === 0 ? 0 : (100 * t.executedTranslated) / t.executed;
      out(
        `block translation ${t.translate ? 'on' : 'off'}: ${t.translatedBlocks} blocks cached; ` +
          `${t.executedTranslated} of ${t.executed} instructions ran translated (${share.toFixed(1)} %), ` +
          `in ${t.translatedEntries} entries into chained blocks\n`,
      );
      if (t.translationFailures > 0) {
        out(`${t.translationFailures} block(s) could not be translated and run interpreted (a bug in mpustub, please report it); last: ${t.lastTranslationFailure}\n`);
      }
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
        target.machine.performedBy('debugger', () => target.machine.writeRegister(reg, value, 'core'));
      } catch (err) {
        if (err instanceof RegisterAccessError) throw new TargetError(err.kind === 'read-only' ? TargetErrno.EROFS : TargetErrno.ENOENT, `core msr: ${err.message}`);
        throw err;
      }
      const pending = reg.behaviour.kind === 'mpu' && reg.behaviour.role !== 'PRSELR' ? '; not effective until "monitor core dsb" then "monitor core isb"' : '';
      out(`MSR ${reg.name}, ${hex(value)}${pending}\n`);
    },
  });

  monitors.add({
    name: 'core dsb',
    usage: 'core dsb',
    help: 'a DSB as the core would execute it: MPU writes so far are complete',
    run: (_args, out) => {
      target.machine.performedBy('debugger', () => target.machine.dsb());
      out('DSB: MPU register writes so far are complete; an ISB makes them effective\n');
    },
  });

  monitors.add({
    name: 'core isb',
    usage: 'core isb',
    help: 'an ISB as the core would execute it: completed MPU writes become effective',
    run: (_args, out) => {
      const synchronised = target.machine.performedBy('debugger', () => target.machine.isb());
      out(synchronised ? 'ISB: completed MPU writes are now effective\n' : 'ISB: MPU writes are still in flight (no DSB since the last write); nothing changed\n');
    },
  });
}
