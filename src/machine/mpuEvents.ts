// What the machine reports about its MPU as it happens: every write to an MPU register
// (PRSELR, PRBAR/PRLAR and their PRBAR<n>/PRLAR<n> aliases, PRENR) or to the SCTLR bits that
// steer the MPU (M, A, BR, WXN), the DSB that completes such writes, the ISB that makes them
// effective — or that does nothing for want of a DSB — a forced synchronisation, and a reset.
// Each event says who made the change: code on the core, the debugger, or the map service
// programming the MPU as Xen's code would. The debugger side keeps a history of these events
// and stops the core on those a user asked to catch; the machine itself only reports them.

import type { RegisterSpec } from '../arch/aarch64/registers.js';
import type { Regime } from './mpu/types.js';

/** Who changed the MPU: instructions executing on the core, the debugger, or the host-side map service. */
export type MpuAgent = 'core' | 'debugger' | 'map-service';

export interface MpuEventContext {
  readonly agent: MpuAgent;
  /** The core's pc: for the core's own changes, the instruction making it (MSR, DSB, ISB). */
  readonly pc: bigint;
  /** PSTATE.EL when the change was made. */
  readonly el: number;
}

export interface MpuWriteEvent extends MpuEventContext {
  readonly kind: 'write';
  /** The register as the write named it (PRBAR2_EL2, not the region it reached). */
  readonly register: RegisterSpec;
  readonly regime: Regime;
  /**
   * PRBAR/PRLAR: the region the write reached (PRSELR, or PRSELR[7:4]:n for the aliases). At or
   * beyond the regime's region count the write was ignored (docs/mpu.md).
   */
  readonly region?: number;
  /** Regions whose programmed values the write changed; for PRENR, those whose EN bit changed. */
  readonly regionsChanged: readonly number[];
  /** The value written, and the register before and after (RES0 bits dropped, ignored writes ignored). */
  readonly written: bigint;
  readonly before: bigint;
  readonly after: bigint;
}

export interface MpuSyncEvent extends MpuEventContext {
  readonly kind: 'sync';
  /**
   * 'isb': an ISB after a DSB; 'forced': `monitor mpu sync`; 'debugger-write': a debugger
   * write to an MPU register synchronises (leaving debug state), taking earlier writes with it.
   */
  readonly cause: 'isb' | 'forced' | 'debugger-write';
  /** Regions whose effective values changed, per regime. */
  readonly regions: { readonly el2: readonly number[]; readonly el10: readonly number[] };
}

export interface MpuBarrierEvent extends MpuEventContext {
  /** 'dsb': a DSB completed MPU writes; 'isb-ignored': an ISB found writes still awaiting their DSB. */
  readonly kind: 'dsb' | 'isb-ignored';
}

export interface MpuResetEvent extends MpuEventContext {
  readonly kind: 'reset';
}

export type MpuEvent = MpuWriteEvent | MpuSyncEvent | MpuBarrierEvent | MpuResetEvent;

/** SCTLR_ELx bits that change what the MPU decides: M, A, BR, WXN. */
export const SCTLR_MPU_BITS = (1n << 0n) | (1n << 1n) | (1n << 17n) | (1n << 19n);

/** The regime an MPU-related register belongs to, or undefined for any other register. */
export function mpuRegimeOf(reg: RegisterSpec): Regime | undefined {
  if (reg.behaviour.kind === 'mpu') return reg.behaviour.regime;
  if (reg.name === 'SCTLR_EL2') return 'el2';
  if (reg.name === 'SCTLR_EL1') return 'el10';
  return undefined;
}

/** Bit positions set in `mask`, in order (PRENR's changed EN bits). */
export function bitsOf(mask: bigint): number[] {
  const bits: number[] = [];
  for (let i = 0; mask >> BigInt(i) !== 0n; i++) if ((mask >> BigInt(i)) & 1n) bits.push(i);
  return bits;
}
