// System register encodings and the GDB register numbers derived from them.
//
// A system register is named by (op0, op1, CRn, CRm, op2), as in the MRS/MSR instruction.
// Its GDB register number packs the same five fields into 16 bits,
// op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2, the scheme the Rust gdbstub_arch crate uses.
// op0 is 2 or 3 for every system register, so these numbers (>= 0x8000) never clash with the
// core and FPU registers (0..67), and they are stable whatever registers a board adds.

export interface SysregEncoding {
  readonly op0: number;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
}

export function sysreg(op0: number, op1: number, crn: number, crm: number, op2: number): SysregEncoding {
  return { op0, op1, crn, crm, op2 };
}

export function encodingNumber(e: SysregEncoding): number {
  return (e.op0 << 14) | (e.op1 << 11) | (e.crn << 7) | (e.crm << 3) | e.op2;
}

export function decodeEncodingNumber(n: number): SysregEncoding {
  return { op0: (n >> 14) & 3, op1: (n >> 11) & 7, crn: (n >> 7) & 15, crm: (n >> 3) & 15, op2: n & 7 };
}

/** The generic assembler spelling, e.g. `S3_4_C6_C8_0`. */
export function encodingName(e: SysregEncoding): string {
  return `S${e.op0}_${e.op1}_C${e.crn}_C${e.crm}_${e.op2}`;
}
