// MPU catchpoints: stop the running core (SIGTRAP) when code on it reprograms the MPU — a
// write to a region's PRBAR/PRLAR (directly or through the PRSELR aliases), to PRENR, or to
// SCTLR's M/BR/WXN/A bits (`catch write`) — or when an ISB makes pending writes effective
// (`catch sync`). An ISB that finds writes still awaiting their DSB does not stop the core:
// kernels issue one after selecting a region (Xen's write_protection_region), between the
// writes of a batch; the history records it. The stop comes once the instruction
// has completed (pc at the next one), with a console line saying what changed, where, and in
// which code. Writes by the debugger or the map service never stop the core.

import type { Machine } from '../machine/machine.js';
import type { MpuEvent } from '../machine/mpuEvents.js';
import type { Regime } from '../machine/mpu/types.js';
import type { StopEvent } from '../rsp/target.js';
import { describeRegion } from './mpuCommands.js';
import { describeAgent, describeMpuChange, mpuEventJson } from './mpuEventText.js';
import type { BoardRunControl } from './runControl.js';
import { SIGTRAP } from './signals.js';
import type { SymbolTable } from './symbolTable.js';

export interface CaughtMpuChange {
  readonly event: MpuEvent;
  /** Instructions the core had executed before the one that made the change. */
  readonly instruction: number;
  readonly stop: StopEvent;
}

export class MpuCatchpoints {
  /** `catch write all`: every write of the core to an MPU register (PRSELR aside). */
  private allWrites = false;
  /** `catch write REGION`: writes that reach or change these regions. */
  private readonly regions: Record<Regime, Set<number>> = { el2: new Set(), el10: new Set() };
  /** `catch sync`: ISBs that make MPU writes effective. */
  sync = false;
  /** The last catch that stopped the core. */
  private last: CaughtMpuChange | undefined;

  constructor(
    private readonly machine: Machine,
    private readonly run: BoardRunControl,
    private readonly symbols: SymbolTable,
  ) {
    machine.onMpuEvent((event) => this.consider(event));
  }

  catchAllWrites(): void {
    this.allWrites = true;
  }

  catchRegion(regime: Regime, region: number): void {
    const count = this.machine.mpu.regionCount(regime);
    if (!Number.isInteger(region) || region < 0 || region >= count) throw new RangeError(`region ${region} is outside 0..${count - 1}`);
    this.regions[regime].add(region);
  }

  stopCatchingWrites(): void {
    this.allWrites = false;
    this.regions.el2.clear();
    this.regions.el10.clear();
  }

  off(): void {
    this.stopCatchingWrites();
    this.sync = false;
  }

  /** What is caught, for `monitor mpu catch`. */
  get settings(): { readonly write: 'all' | { readonly el2: number[]; readonly el10: number[] } | null; readonly sync: boolean } {
    const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b);
    const write = this.allWrites ? 'all' : this.regions.el2.size + this.regions.el10.size > 0 ? { el2: sorted(this.regions.el2), el10: sorted(this.regions.el10) } : null;
    return { write, sync: this.sync };
  }

  /** The catch that caused the core's current stop, if the current stop is one. */
  get stoppedBy(): CaughtMpuChange | undefined {
    return this.last && this.run.lastStop() === this.last.stop ? this.last : undefined;
  }

  matches(event: MpuEvent): boolean {
    switch (event.kind) {
      case 'write': {
        if (event.register.name.startsWith('PRSELR')) return false; // it selects, it changes no region
        if (this.allWrites) return true;
        const watched = this.regions[event.regime];
        return (event.region !== undefined && watched.has(event.region)) || event.regionsChanged.some((r) => watched.has(r));
      }
      case 'sync':
        return this.sync && event.cause === 'isb';
      default:
        return false;
    }
  }

  private consider(event: MpuEvent): void {
    if (event.agent !== 'core' || !this.run.catches.executingCode || !this.matches(event)) return;
    const instruction = this.run.instructionsExecuted;
    const stop: StopEvent = { signal: SIGTRAP, console: this.consoleText(event, instruction) };
    if (this.run.catches.stopAfterCurrentInstruction(stop)) this.last = { event, instruction, stop };
  }

  /** The lines GDB prints before "Program received signal SIGTRAP". */
  private consoleText(event: MpuEvent, instruction: number): string {
    const count = (regime: Regime): number => this.machine.mpu.regionCount(regime);
    const lines = [`mpu catch: ${describeMpuChange(event, count)}`, `  at ${describeAgent(event, this.symbols)}, after ${instruction} instructions`];
    if (event.kind === 'write' && event.region !== undefined && event.region < count(event.regime)) {
      const programmed = this.machine.mpu.programmedRegion(event.regime, event.region);
      const effective = this.machine.mpu.effectiveRegion(event.regime, event.region);
      lines.push(`  programmed: ${programmed.enabled ? describeRegion(programmed, event.regime).trim() : `region ${event.region} disabled`}`);
      lines.push(`  effective:  ${effective.enabled ? describeRegion(effective, event.regime).trim() : `region ${event.region} disabled`}${programmed.prbar !== effective.prbar || programmed.prlar !== effective.prlar ? ' (the programmed values take effect at DSB + ISB)' : ''}`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** For `monitor mpu catch json`. */
  json(): Record<string, unknown> {
    const caught = this.stoppedBy;
    return {
      ...this.settings,
      stoppedBy: caught ? { ...mpuEventJson(caught.event, this.symbols), instruction: caught.instruction } : null,
    };
  }
}
