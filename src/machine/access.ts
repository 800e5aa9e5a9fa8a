// Vocabulary shared by everything on the machine side that performs or checks a memory access:
// who accesses (exception level), how (read/write/fetch), and why an access was refused.
// Addresses are plain numbers: the board's physical address space is 48 bits, well inside the
// 53 bits a double holds exactly, and numbers keep the per-access path free of BigInt costs.

export type ExceptionLevel = 0 | 1 | 2;
export type AccessKind = 'read' | 'write' | 'fetch';

/** Who is asking: the core executing code, or the debugger on the user's behalf. */
export type AccessOrigin = 'core' | 'debugger';

export interface Access {
  readonly address: number;
  readonly size: number;
  readonly kind: AccessKind;
  readonly el: ExceptionLevel;
}

/** Highest physical address bit + 1 (Xen assumes 48-bit PAs; PRBAR/PRLAR hold bits [47:6]). */
export const PHYS_ADDR_BITS = 48;
export const PHYS_ADDR_LIMIT = 2 ** PHYS_ADDR_BITS;
