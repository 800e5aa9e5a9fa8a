// Vector catch (`monitor core catch exception ...`): the core stops at the vector entry once it
// has taken an exception, with a console line giving the exception, where it came from, the
// EL that took it and that EL's ESR/FAR decoded. It is independent of stop-on-exception, which stops *before* an
// abort or undefined instruction is taken: vector catch applies when the exception is taken
// (stop-on-exception off, GDB passing the signal, `monitor core take` never stops), and to
// SVC/HVC/SMC, which are always taken, and to IRQs, which the run loop takes between
// instructions (it returns to run control after one only while `irq` is caught).

import { describeEsr } from '../arch/aarch64/syndrome.js';
import { exceptionRegisters, type TargetEl } from '../machine/cpu/exceptionRouting.js';
import type { CpuException } from '../machine/cpu/interpreter.js';
import type { Machine } from '../machine/machine.js';
import type { StopEvent } from '../rsp/target.js';
import { SIGTRAP } from './signals.js';
import type { SymbolTable } from './symbolTable.js';

export type VectorCategory = 'abort' | 'undef' | 'svc' | 'irq';
export const VECTOR_CATEGORIES: readonly VectorCategory[] = ['abort', 'undef', 'svc', 'irq'];

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

function categoryOf(exception: CpuException): VectorCategory {
  if (exception.type === 'abort') return 'abort';
  if (exception.type === 'undefined' || exception.type === 'trap') return 'undef';
  return 'svc';
}

function exceptionName(exception: CpuException): string {
  switch (exception.type) {
    case 'abort': {
      const access = exception.fault.kind === 'mpu' ? exception.fault.fault.access : exception.fault.access;
      return access.kind === 'fetch' ? 'instruction abort' : 'data abort';
    }
    case 'undefined':
      return `undefined instruction 0x${exception.instruction.toString(16).padStart(8, '0')}`;
    case 'trap':
      return `trapped instruction (${exception.reason})`;
    default:
      return `${exception.type.toUpperCase()} #${exception.imm}`;
  }
}

export class VectorCatch {
  private readonly caught = new Set<VectorCategory>();

  constructor(
    private readonly machine: Machine,
    private readonly symbols: SymbolTable,
    /** Whether the run loop must report each IRQ it takes (only while IRQs are caught: it costs a return). */
    private readonly reportInterrupts: (on: boolean) => void,
  ) {}

  set(categories: readonly VectorCategory[]): void {
    this.caught.clear();
    for (const c of categories) this.caught.add(c);
    this.reportInterrupts(this.caught.has('irq'));
  }

  /** The stop for an IRQ the core has just taken at `from`, or undefined when IRQs are not caught. */
  stopForInterrupt(from: bigint): StopEvent | undefined {
    if (!this.caught.has('irq')) return undefined;
    const regs = this.machine.sysregs;
    const el = this.takenTo();
    const names = exceptionRegisters(el);
    const elr = regs.getStored(names.elr);
    const spsr = regs.getStored(names.spsr);
    const line =
      `vector catch: IRQ taken at pc ${this.symbols.formatAddress(from)} to EL${el}\n` +
      `  ELR_EL${el} ${hex(elr)}, SPSR_EL${el} ${hex(spsr)}; vector entry ${this.symbols.formatAddress(this.machine.core.pc)}\n`;
    return { signal: SIGTRAP, console: line };
  }

  get categories(): VectorCategory[] {
    return VECTOR_CATEGORIES.filter((c) => this.caught.has(c));
  }

  /** The stop for an exception the core has just taken, or undefined when it is not caught. */
  stopFor(exception: CpuException): StopEvent | undefined {
    if (!this.caught.has(categoryOf(exception))) return undefined;
    const regs = this.machine.sysregs;
    const el = this.takenTo();
    const names = exceptionRegisters(el);
    const esr = regs.getStored(names.esr);
    const lines = [
      `vector catch: ${exceptionName(exception)} taken at pc ${this.symbols.formatAddress(exception.pc)} to EL${el}`,
      `  ${names.esr} ${hex(esr)}: ${describeEsr(esr)}`,
      ...(exception.type === 'abort' ? [`  ${names.far} ${hex(regs.getStored(names.far))}`] : []),
      `  ${names.elr} ${hex(regs.getStored(names.elr))}, ${names.spsr} ${hex(regs.getStored(names.spsr))}; vector entry ${this.symbols.formatAddress(this.machine.core.pc)}`,
    ];
    return { signal: SIGTRAP, console: `${lines.join('\n')}\n` };
  }

  /** The EL that has just taken an exception: the core is at its vector, in that EL. */
  private takenTo(): TargetEl {
    return this.machine.core.el === 1 ? 1 : 2;
  }
}
