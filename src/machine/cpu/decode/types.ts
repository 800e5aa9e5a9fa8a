// What an A64 instruction word means, as the one decoder (decode.ts) says: a discriminated
// union with one member per form the core implements, plus `undefined` for every encoding
// that is unallocated, reserved or not implemented. The interpreter executes these and the
// block translator compiles them, each with an exhaustive switch over `kind`, so that adding
// a form is one decode entry, one execute case and one emit case.
//
// Fields hold what the encoding says, already extracted and checked: register numbers 0..31
// (31 is XZR or SP as each form defines), immediates sign-extended and scaled, offsets
// relative to the instruction's own address (so that a decoded word does not depend on
// where it sits). `sf` is true for the 64-bit form.

/** AND/ORR/EOR/ANDS, for the immediate and shifted-register forms (ANDS also sets NZCV). */
export type LogicalOp = 'and' | 'orr' | 'eor' | 'ands';

/** LSL (0), LSR (1), ASR (2), ROR (3): the shift field's own numbering. */
export type ShiftType = 0 | 1 | 2 | 3;

/** An access's width in bytes. */
export type AccessSize = 1 | 2 | 4 | 8;

/**
 * The LSE read-modify-write operations: LDADD, LDCLR (AND NOT), LDEOR, LDSET (OR), the signed
 * and unsigned LDSMAX/LDSMIN/LDUMAX/LDUMIN, and SWP (the new value is the operand itself).
 */
export type AtomicOp = 'add' | 'clr' | 'eor' | 'set' | 'smax' | 'smin' | 'umax' | 'umin' | 'swp';

/**
 * How a load/store with an immediate finds its address: `offset` is base + imm (no
 * writeback), `pre` is base + imm written back, `post` is base, then base + imm written back.
 */
export type IndexMode = 'offset' | 'pre' | 'post';

/** A SIMD&FP register access's width in bytes (B, H, S, D, Q). */
export type FpAccessSize = 1 | 2 | 4 | 8 | 16;

/** How an SIMD&FP LDR/STR finds its address: as `load-store-imm` or as `load-store-register`. */
export type FpAddressing =
  | { readonly mode: 'immediate'; readonly imm: number; readonly index: IndexMode }
  | { readonly mode: 'register'; readonly rm: number; readonly extend: number; readonly shift: number };

/** Fields shared by the single-register loads and stores (LDR/STR/LDRS* of every size). */
interface RegisterTransfer {
  readonly size: AccessSize;
  readonly load: boolean;
  /** The loaded value is sign-extended (LDRSB/LDRSH/LDRSW). */
  readonly signed: boolean;
  /** The loaded value is written to Xt (64 bits), not Wt. Stores always take Xt's low `size` bytes. */
  readonly wide: boolean;
  readonly rt: number;
  /** The base register; 31 is SP. */
  readonly rn: number;
}

export type Instruction =
  // ---- data processing (immediate) ----
  /** ADR (pc + offset) or ADRP ((pc & ~0xfff) + offset, the offset already shifted by 12). */
  | { readonly kind: 'adr'; readonly rd: number; readonly offset: number; readonly page: boolean }
  /** ADD/SUB(S) #imm (imm already shifted); Rn is SP when 31, and so is Rd unless setFlags. */
  | { readonly kind: 'add-imm'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly imm: number; readonly sub: boolean; readonly setFlags: boolean }
  /** AND/ORR/EOR/ANDS with a bitmask immediate; Rd is SP when 31, except for ANDS. */
  | { readonly kind: 'logical-imm'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly op: LogicalOp; readonly mask: bigint }
  /** MOVN/MOVZ/MOVK of imm16 at bit `shift` (0, 16, 32 or 48). */
  | { readonly kind: 'move-wide'; readonly sf: boolean; readonly rd: number; readonly op: 'movn' | 'movz' | 'movk'; readonly imm16: number; readonly shift: number }
  /** SBFM/BFM/UBFM, with DecodeBitMasks' wmask and tmask for immr/imms. */
  | { readonly kind: 'bitfield'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly op: 'sbfm' | 'bfm' | 'ubfm'; readonly immr: number; readonly imms: number; readonly wmask: bigint; readonly tmask: bigint }
  /** EXTR: (Rn:Rm) >> lsb, the low sf-width bits. */
  | { readonly kind: 'extract'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly rm: number; readonly lsb: number }
  // ---- data processing (register) ----
  /** AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS: Rn op (Rm shifted, inverted when `invert`). */
  | { readonly kind: 'logical-shifted'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly rm: number; readonly op: LogicalOp; readonly invert: boolean; readonly shift: ShiftType; readonly amount: number }
  /** ADD/SUB(S) with Rm shifted by LSL/LSR/ASR. */
  | { readonly kind: 'add-shifted'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly rm: number; readonly sub: boolean; readonly setFlags: boolean; readonly shift: 0 | 1 | 2; readonly amount: number }
  /**
   * ADD/SUB(S) with Rm extended (option 0..7: UXTB, UXTH, UXTW, UXTX, SXTB, SXTH, SXTW, SXTX)
   * and shifted left by 0..4; Rn is SP when 31, and so is Rd unless setFlags.
   */
  | { readonly kind: 'add-extended'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly rm: number; readonly sub: boolean; readonly setFlags: boolean; readonly extend: number; readonly amount: number }
  /** ADC/SBC(S): the carry in is PSTATE.C. */
  | { readonly kind: 'add-carry'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly rm: number; readonly sub: boolean; readonly setFlags: boolean }
  /** CCMP/CCMN: compare Rn with Rm (or imm5 when `immediate`) if `cond` holds, else NZCV = nzcv. */
  | { readonly kind: 'cond-compare'; readonly sf: boolean; readonly rn: number; readonly operand: number; readonly immediate: boolean; readonly sub: boolean; readonly cond: number; readonly nzcv: number }
  /** CSEL/CSINC/CSINV/CSNEG: Rn if `cond` holds, else Rm, Rm + 1, ~Rm or -Rm. */
  | { readonly kind: 'cond-select'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly rm: number; readonly cond: number; readonly op: 'csel' | 'csinc' | 'csinv' | 'csneg' }
  /** RBIT, REV16, REV32 (REV of a W register too: bytes reversed in each 32-bit word), REV (64-bit only), CLZ, CLS. */
  | { readonly kind: 'one-source'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly op: 'rbit' | 'rev16' | 'rev32' | 'rev64' | 'clz' | 'cls' }
  /** UDIV/SDIV: by zero gives 0. */
  | { readonly kind: 'divide'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly rm: number; readonly signed: boolean }
  /** LSLV/LSRV/ASRV/RORV: the amount is Rm modulo the width. */
  | { readonly kind: 'shift-variable'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly rm: number; readonly shift: ShiftType }
  /** MADD/MSUB: Ra +/- Rn * Rm. */
  | { readonly kind: 'multiply-add'; readonly sf: boolean; readonly rd: number; readonly rn: number; readonly rm: number; readonly ra: number; readonly sub: boolean }
  /** SMADDL/SMSUBL/UMADDL/UMSUBL: Xa +/- Wn * Wm, the 32-bit operands extended to 64. */
  | { readonly kind: 'multiply-add-long'; readonly rd: number; readonly rn: number; readonly rm: number; readonly ra: number; readonly sub: boolean; readonly signed: boolean }
  /** SMULH/UMULH: the high 64 bits of the 128-bit product. */
  | { readonly kind: 'multiply-high'; readonly rd: number; readonly rn: number; readonly rm: number; readonly signed: boolean }
  // ---- branches ----
  /** B, or BL when `link`. */
  | { readonly kind: 'branch'; readonly offset: number; readonly link: boolean }
  | { readonly kind: 'branch-cond'; readonly offset: number; readonly cond: number }
  /** CBZ, or CBNZ when `nonzero`. */
  | { readonly kind: 'compare-branch'; readonly sf: boolean; readonly rt: number; readonly offset: number; readonly nonzero: boolean }
  /** TBZ, or TBNZ when `nonzero`, on bit `bit` (0..63) of Xt. */
  | { readonly kind: 'test-branch'; readonly rt: number; readonly bit: number; readonly offset: number; readonly nonzero: boolean }
  /** BR and RET (the same to this core), or BLR when `link`. */
  | { readonly kind: 'branch-register'; readonly rn: number; readonly link: boolean }
  | { readonly kind: 'eret' }
  // ---- exception generation and system ----
  | { readonly kind: 'exception-call'; readonly call: 'svc' | 'hvc' | 'smc'; readonly imm: number }
  | { readonly kind: 'brk'; readonly imm: number }
  /** NOP, YIELD, SEV, SEVL and every other hint without an effect here. */
  | { readonly kind: 'hint'; readonly hint: number }
  | { readonly kind: 'wait'; readonly instruction: 'WFI' | 'WFE' }
  | { readonly kind: 'barrier'; readonly barrier: 'dsb' | 'dmb' | 'isb' }
  | { readonly kind: 'clrex' }
  /** MSR SPSel/DAIFSet/DAIFClr, #imm (the CRm field). */
  | { readonly kind: 'msr-imm'; readonly field: 'spsel' | 'daifset' | 'daifclr'; readonly imm: number }
  /** SYS (DC, IC, TLBI... but DC ZVA and AT): no effect on this memory model. */
  | { readonly kind: 'sys'; readonly op1: number; readonly crn: number; readonly crm: number; readonly op2: number; readonly rt: number }
  /**
   * AT: what an access by `el` (a read, or a write) at the address in Xt would get from the
   * MPU — stage 1, and stage 2 too for S12E* — written to PAR_EL1; `name` is the operation
   * (S1E0R...), `minEl` the lowest EL that may execute it.
   */
  | { readonly kind: 'address-translate'; readonly name: string; readonly rt: number; readonly el: 0 | 1 | 2; readonly write: boolean; readonly stage2: boolean; readonly minEl: 1 | 2 }
  /** DC ZVA: zeroes the naturally aligned block of DCZID_EL0.BS size that holds the address in Xt. */
  | { readonly kind: 'dc-zva'; readonly rt: number }
  /** MRS/MSR (register): regnum is op0:op1:CRn:CRm:op2, the register table's numbering. */
  | { readonly kind: 'mrs'; readonly rt: number; readonly regnum: number }
  | { readonly kind: 'msr'; readonly rt: number; readonly regnum: number }
  // ---- loads and stores ----
  /** LDR/STR/LDRS* with an immediate: unsigned offset (scaled), unscaled (LDUR, LDTR), pre- or post-index. */
  | ({ readonly kind: 'load-store-imm'; readonly imm: number; readonly index: IndexMode } & RegisterTransfer)
  /** LDR/STR/LDRS* [Xn, Rm, extend #shift]: extend is the option field (2 UXTW, 3 LSL, 6 SXTW, 7 SXTX). */
  | ({ readonly kind: 'load-store-register'; readonly rm: number; readonly extend: number; readonly shift: number } & RegisterTransfer)
  /** LDR Wt/Xt or LDRSW from pc + offset. */
  | { readonly kind: 'load-literal'; readonly rt: number; readonly offset: number; readonly size: 4 | 8; readonly signed: boolean }
  /** PRFM in any addressing mode: no effect. */
  | { readonly kind: 'prefetch' }
  /** LDP/STP/LDPSW (and LDNP/STNP as `offset`); imm is already scaled by the size. */
  | { readonly kind: 'load-store-pair'; readonly size: 4 | 8; readonly load: boolean; readonly signed: boolean; readonly rt: number; readonly rt2: number; readonly rn: number; readonly imm: number; readonly index: IndexMode }
  /** LDXR/STXR, LDAXR/STLXR and their pairs (`pair`, Rt2 second): Rs receives a store's status. */
  | { readonly kind: 'exclusive'; readonly size: AccessSize; readonly load: boolean; readonly pair: boolean; readonly rs: number; readonly rt: number; readonly rt2: number; readonly rn: number }
  /** LDAR/STLR (and LDLAR/STLLR): plain accesses on this single core, but always aligned. */
  | { readonly kind: 'ordered'; readonly size: AccessSize; readonly load: boolean; readonly rt: number; readonly rn: number }
  /**
   * LD<op> and SWP (FEAT_LSE): one single-copy atomic read-modify-write of `size` bytes at
   * [Xn|SP] with the operand Rs; Rt receives the old value (the ST<op> aliases are Rt = XZR).
   * `acquire` and `release` are the A and R bits, kept for what the word says: ordering
   * changes nothing on one core.
   */
  | { readonly kind: 'atomic'; readonly op: AtomicOp; readonly size: AccessSize; readonly acquire: boolean; readonly release: boolean; readonly rs: number; readonly rt: number; readonly rn: number }
  /**
   * CAS, or CASP when `pair` (Rs, Rs+1 and Rt, Rt+1, both even): compares memory with Rs and
   * writes Rt when they are equal; Rs receives the old value either way. `size` is one
   * register's share: a pair accesses twice that. `acquire` is L, `release` is o0.
   */
  | { readonly kind: 'compare-swap'; readonly size: AccessSize; readonly pair: boolean; readonly acquire: boolean; readonly release: boolean; readonly rs: number; readonly rt: number; readonly rn: number }
  // ---- SIMD&FP registers (simdFp.ts executes them) ----
  /**
   * LDR/STR of a B, H, S, D or Q register: immediate (unsigned offset, unscaled, pre/post-index)
   * or register offset, as for the general-purpose forms. A load zeroes the rest of Vt.
   */
  | { readonly kind: 'fp-load-store'; readonly size: FpAccessSize; readonly load: boolean; readonly rt: number; readonly rn: number; readonly addressing: FpAddressing }
  /** LDR St/Dt/Qt from pc + offset. */
  | { readonly kind: 'fp-load-literal'; readonly rt: number; readonly offset: number; readonly size: 4 | 8 | 16 }
  /** LDP/STP (and LDNP/STNP as `offset`) of S, D or Q registers; imm is already scaled. */
  | { readonly kind: 'fp-load-store-pair'; readonly size: 4 | 8 | 16; readonly load: boolean; readonly rt: number; readonly rt2: number; readonly rn: number; readonly imm: number; readonly index: IndexMode }
  /**
   * FMOV between a general-purpose register and an S or D register or the upper half of V
   * (Vd.D[1]); `toGeneral` says the direction. Writing S or D zeroes the rest of V.
   */
  | { readonly kind: 'fp-move-general'; readonly toGeneral: boolean; readonly size: 4 | 8; readonly upper: boolean; readonly rd: number; readonly rn: number }
  /**
   * The integer Advanced SIMD operations compilers emit in integer code: CNT (population count
   * per byte), ADDV (sum across lanes into a scalar) and ADD (lane by lane). `bytes` is the
   * vector's width (8 or 16, from Q), `esize` the lane width in bytes.
   */
  | { readonly kind: 'simd-integer'; readonly op: 'cnt' | 'addv' | 'add'; readonly bytes: 8 | 16; readonly esize: 1 | 2 | 4 | 8; readonly rd: number; readonly rn: number; readonly rm: number }
  // ---- everything else ----
  /** Unallocated, reserved or not implemented here: executing it is an undefined-instruction exception. */
  | { readonly kind: 'undefined'; readonly reason: string };

export type InstructionKind = Instruction['kind'];

/** The member of the union with this kind. */
export type InstructionOf<K extends InstructionKind> = Extract<Instruction, { kind: K }>;
