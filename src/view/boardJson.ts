// The board as the region-map page and `mpustub regions --svg` see it: the JSON of
// `GET /v1/board`. Types only, shared by the server side that builds it (boardView.ts), the
// browser page (src/page/) and the SVG writer, so that the three cannot drift apart.
// Addresses are "0x..." strings, as everywhere in the API; region limits are inclusive (the
// last byte, as PRLAR holds it) except in the shadow entries, which keep the map service's
// exclusive limits.

import type { DisagreementJson, RegionJson as ShadowEntryJson, ResultJson } from '../xen/views.js';

export type { DisagreementJson, ShadowEntryJson, ResultJson };

/** The two stage-1 regimes: EL2's own MPU, and the EL1&0 one. */
export type RegimeName = 'el2' | 'el1';

/** One PRBAR/PRLAR pair, with its fields decoded. */
export interface RegisterPairJson {
  readonly prbar: string;
  readonly prlar: string;
  readonly enabled: boolean;
  readonly base: string;
  /** Inclusive: LIMIT:0x3F. */
  readonly limit: string;
  /** PRBAR.AP[2:1] as the field holds it (bit 1 read-only, bit 0 EL0 access). */
  readonly ap: number;
  /** XN[1]: execute-never. */
  readonly xn: boolean;
  readonly sh: number;
  readonly attrIndx: number;
  readonly ns: boolean;
}

export interface RegionStateJson {
  readonly index: number;
  /** What MRS reads back. */
  readonly programmed: RegisterPairJson;
  /** What accesses are checked against. */
  readonly effective: RegisterPairJson;
  /** Programmed and effective differ: a DSB + ISB has not happened since the write. */
  readonly pending: boolean;
}

export interface RegimeJson {
  readonly name: RegimeName;
  readonly regionCount: number;
  readonly sctlr: string;
  /** SCTLR_ELx.M */
  readonly enabled: boolean;
  /** SCTLR_ELx.BR: the background region serves privileged accesses no region matches. */
  readonly background: boolean;
  readonly wxn: boolean;
  /** MAIR_ELx, which AttrIndx selects a byte of. */
  readonly mair: string;
  /** Regions enabled in their programmed or their effective values (the others draw nothing). */
  readonly regions: readonly RegionStateJson[];
  /** Pairs of overlapping enabled effective regions and the range they share (end inclusive). */
  readonly overlaps: readonly { readonly regions: readonly [number, number]; readonly start: string; readonly end: string }[];
  readonly pending: readonly number[];
}

export interface MemoryRangeJson {
  readonly name: string;
  readonly kind: 'ram' | 'device';
  readonly base: string;
  /** Inclusive. */
  readonly limit: string;
}

/** The last access the board refused, whoever made it (`monitor fault`). */
export interface FaultJson {
  readonly origin: 'core' | 'debugger';
  readonly access: { readonly kind: 'read' | 'write' | 'fetch'; readonly el: number; readonly address: string; readonly size: number };
  /** The first refused byte. */
  readonly address: string;
  /** The regime that refused it; null when no MPU did (an address the board does not map). */
  readonly regime: RegimeName | null;
  readonly stage2: boolean;
  /** The MPU rule, or "unmapped". */
  readonly rule: string;
  readonly regions: readonly number[];
  /** The sentence `monitor fault` prints. */
  readonly reason: string;
  /** The EL that takes the fault: esr and far are its ESR_ELx and FAR_ELx. */
  readonly takenTo: 1 | 2;
  readonly esr: string;
  readonly esrDescription: string;
  readonly far: string;
  readonly hpfar: string | null;
  /** Whether it was latched into ESR/FAR (core accesses, or debugger ones with `mpu latch on`). */
  readonly latched: boolean;
}

export interface BoardJson {
  readonly board: { readonly name: string; readonly memory: readonly MemoryRangeJson[] };
  readonly core: { readonly el: number; readonly pc: string; readonly running: boolean };
  readonly el2: RegimeJson;
  readonly el1: RegimeJson;
  /** The map service's shadow table xen_mpumap (entries in use). */
  readonly shadow: {
    readonly maxRegions: number;
    readonly disableMode: string;
    readonly mask: string;
    readonly entries: readonly ShadowEntryJson[];
  };
  /** Every region where the shadow and the programmed EL2 registers disagree (as GET /v1/diff). */
  readonly disagreements: readonly DisagreementJson[];
  readonly lastFault: FaultJson | null;
  /** The map service's last refused operation (as GET /v1/last-error). */
  readonly lastError: ResultJson | null;
  /** Whether `GET /v1/history?regime=el2&region=N` answers on this stub. */
  readonly history: boolean;
}

/** What the HTTP API needs to serve /v1/board (and /v1/history where a history is kept). */
export interface BoardViewSource {
  board(): Promise<BoardJson>;
  /** A region's register history, when the stub keeps one; absent otherwise. */
  history?: (regime: RegimeName, index: number) => Promise<unknown>;
}
