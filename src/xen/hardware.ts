// The hardware that the map service programs, seen exactly as Xen sees it on an Armv8-R core:
// a handful of EL2 system registers and two barriers. The machine implements this interface
// (src/debug/ wires it); tests implement a recording fake. Nothing else of the board is
// reachable from src/xen/, so the port can only do what Xen itself can do.

/** The EL2 system registers Xen's MPU code touches. `n` is 0..15 (0 = PRBAR_EL2/PRLAR_EL2). */
export type XenSysreg =
  | { readonly name: 'MPUIR_EL2' }
  | { readonly name: 'PRSELR_EL2' }
  | { readonly name: 'PRENR_EL2' }
  | { readonly name: 'SCTLR_EL2' }
  | { readonly name: 'PRBAR_EL2'; readonly n: number }
  | { readonly name: 'PRLAR_EL2'; readonly n: number };

export interface MpuHardware {
  /** MRS */
  read(register: XenSysreg): bigint;
  /** MSR */
  write(register: XenSysreg, value: bigint): void;
  /** ISB: a context synchronisation event. */
  isb(): void;
  /** DSB SY */
  dsb(): void;
  /**
   * The EL2 MPU registers as programmed, read without touching the hardware (no PRSELR write,
   * no barrier). The views of the table (`regions`, `diff`) use it where the hardware offers it:
   * reading as Xen does, through PRSELR and an ISB, would make pending writes effective — a
   * look that changes what it looks at. Hardware without it is read as Xen reads it.
   */
  inspect?(): {
    readonly mpuir: bigint;
    readonly prselr: bigint;
    readonly prenr: bigint;
    readonly sctlr: bigint;
    readonly regions: readonly { readonly index: number; readonly prbar: bigint; readonly prlar: bigint }[];
  };
}
