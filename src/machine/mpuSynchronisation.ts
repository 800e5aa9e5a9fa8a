// When MPU register writes take effect, and who hears about them. Writes made as the core's
// (origin 'core': the code, the map service, "as the core would" monitor commands) are
// programmed at once and become effective only after a DSB *then* an ISB (DDI0600; Xen's
// context_sync_mpu()); a debugger write is effective at once, since leaving debug state is a
// context synchronisation event. Along the way every change is reported as an MPU event
// (mpuEvents.ts) saying who made it.

import type { RegisterSpec } from '../arch/aarch64/registers.js';
import type { AccessOrigin } from './access.js';
import type { CoreState } from './core.js';
import { bitsOf, mpuRegimeOf, SCTLR_MPU_BITS, type MpuAgent, type MpuEvent, type MpuEventContext, type MpuSyncEvent } from './mpuEvents.js';
import type { MpuModel, Regime } from './mpu/types.js';
import type { SystemRegisters } from './sysregs.js';

export class MpuSynchronisation {
  /** MPU writes made since the last DSB: an ISB alone does not make them effective. */
  private awaitingDsb = false;
  /** MPU writes made since the last synchronisation (what the next one will report). */
  private unsynchronized = false;
  private readonly listeners = new Set<(event: MpuEvent) => void>();
  /** Who is changing the MPU when the origin alone does not say (see `performedBy`). */
  private agent: MpuAgent = 'core';

  constructor(
    private readonly mpu: MpuModel,
    private readonly sysregs: SystemRegisters,
    private readonly core: CoreState,
  ) {}

  onEvent(listener: (event: MpuEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  performedBy<T>(agent: MpuAgent, action: () => T): T {
    const previous = this.agent;
    this.agent = agent;
    try {
      return action();
    } finally {
      this.agent = previous;
    }
  }

  /** A system register write (`apply` performs it): reported if it concerns the MPU, then the DSB + ISB rule. */
  write(reg: RegisterSpec, value: bigint, origin: AccessOrigin, apply: () => void): void {
    const regime = this.listeners.size > 0 ? mpuRegimeOf(reg) : undefined;
    const before = regime ? this.sysregs.read(reg.regnum) : 0n;
    const b = reg.behaviour;
    const region = regime && b.kind === 'mpu' && (b.role === 'PRBAR' || b.role === 'PRLAR') ? this.mpu.selectedRegion(regime, b.alias) : undefined;
    apply();
    if (regime) this.reportWrite(reg, regime, region, value, before, origin);
    // PRSELR only selects; writes that change regions (PRBAR, PRLAR, PRENR) await DSB + ISB.
    if (b.kind === 'mpu' && b.role !== 'PRSELR') {
      if (origin === 'debugger') this.synchronize('debugger-write', 'debugger');
      else {
        this.awaitingDsb = true;
        this.unsynchronized = true;
      }
    }
  }

  /** DSB: MPU register writes made so far are complete. */
  dsb(): void {
    if (this.awaitingDsb && this.listeners.size > 0) this.emit({ kind: 'dsb', ...this.context() });
    this.awaitingDsb = false;
  }

  /** ISB: completed writes become effective; false when writes still await their DSB (nothing changes). */
  isb(): boolean {
    if (this.awaitingDsb) {
      if (this.listeners.size > 0) this.emit({ kind: 'isb-ignored', ...this.context() });
      return false;
    }
    this.synchronize('isb');
    return true;
  }

  /** A synchronisation forced from outside (`monitor mpu sync`): everything becomes effective. */
  force(): void {
    this.awaitingDsb = false;
    this.synchronize('forced');
  }

  /** The board was reset: nothing is in flight. */
  reset(): void {
    this.awaitingDsb = false;
    this.unsynchronized = false;
    this.emit({ kind: 'reset', ...this.context('debugger') });
  }

  private reportWrite(reg: RegisterSpec, regime: Regime, region: number | undefined, written: bigint, before: bigint, origin: AccessOrigin): void {
    const after = this.sysregs.read(reg.regnum);
    const role = reg.behaviour.kind === 'mpu' ? reg.behaviour.role : 'SCTLR';
    // SCTLR is reported only when a bit that steers the MPU changes.
    if (role === 'SCTLR' && ((before ^ after) & SCTLR_MPU_BITS) === 0n) return;
    const regionsChanged = role === 'PRENR' ? bitsOf(before ^ after) : region !== undefined && before !== after ? [region] : [];
    this.emit({
      kind: 'write',
      ...this.context(origin === 'debugger' ? 'debugger' : this.agent),
      register: reg,
      regime,
      ...(region !== undefined ? { region } : {}),
      regionsChanged,
      written,
      before,
      after,
    });
  }

  /** Programmed values become effective; the regions that changed are reported when writes were waiting. */
  private synchronize(cause: MpuSyncEvent['cause'], agent: MpuAgent = this.agent): void {
    const report = this.unsynchronized && this.listeners.size > 0;
    const regions = report ? { el2: this.mpu.pendingRegions('el2'), el10: this.mpu.pendingRegions('el10') } : undefined;
    this.mpu.synchronize();
    this.unsynchronized = false;
    if (regions) this.emit({ kind: 'sync', ...this.context(agent), cause, regions });
  }

  private context(agent: MpuAgent = this.agent): MpuEventContext {
    return { agent, pc: this.core.pc, el: this.core.el };
  }

  private emit(event: MpuEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
