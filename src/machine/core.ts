// The core's architectural state outside the system registers: x0..x30, the stack pointers,
// pc, PSTATE (as cpsr), and the SIMD&FP registers. The interpreter (src/machine/cpu/) operates on
// exactly this state; the debugger reads and writes it through the same object.

/** EL2h: EL2 using SP_EL2, with D, A, I, F masked (the state Armv8-R cores reset into). */
export const RESET_CPSR_EL2H = 0x3c9;

/** The `size` bytes at `at` as an unsigned little-endian number. */
export function littleEndianValue(bytes: Uint8Array, at: number, size: number): bigint {
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]!);
  return value;
}

/** The low `size` bytes of `value`, little-endian, at `at`. */
export function storeLittleEndian(bytes: Uint8Array, at: number, size: number, value: bigint): void {
  let rest = value;
  for (let i = 0; i < size; i++) {
    bytes[at + i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

export class CoreState {
  /** x0..x30, then SP_EL2, in one buffer so that translated code can use its 32-bit halves. */
  private readonly bank = new BigUint64Array(32);
  /** x0..x30 */
  readonly x = this.bank.subarray(0, 31);
  /**
   * The same 32 registers as little-endian 32-bit words: x<n> is words[2n] (low) and
   * words[2n + 1] (high); SP_EL2 is words[62..63]. Used by the block translator (cpu/).
   */
  readonly words = new Uint32Array(this.bank.buffer);

  /** SP_EL2; SP_EL0 and SP_EL1 are system registers (see spSelect in machine.ts). */
  get spEl2(): bigint {
    return this.bank[31]!;
  }

  set spEl2(value: bigint) {
    this.bank[31] = value;
  }

  pc = 0n;
  cpsr = RESET_CPSR_EL2H;
  /** v0..v31, 16 bytes each, little-endian. */
  readonly v = new Uint8Array(32 * 16);
  fpsr = 0;
  fpcr = 0;

  /** The low `size` bytes of Vn (all 16: the whole register). */
  vector(n: number, size = 16): bigint {
    return littleEndianValue(this.v, n * 16, size);
  }

  /** Vn = the low `size` bytes of `value`, the rest of the register zeroed (an AArch64 write of B, H, S, D or Q). */
  setVector(n: number, value: bigint, size = 16): void {
    this.v.fill(0, n * 16 + size, n * 16 + 16);
    storeLittleEndian(this.v, n * 16, size, value);
  }

  /** PSTATE.EL */
  get el(): 0 | 1 | 2 | 3 {
    return ((this.cpsr >> 2) & 3) as 0 | 1 | 2 | 3;
  }

  /** PSTATE.SP: 1 = SP_ELx of the current EL, 0 = SP_EL0. */
  get spSelect(): number {
    return this.cpsr & 1;
  }

  reset(pc: bigint, sp: bigint): void {
    this.x.fill(0n);
    this.spEl2 = sp;
    this.pc = pc;
    this.cpsr = RESET_CPSR_EL2H;
    this.v.fill(0);
    this.fpsr = 0;
    this.fpcr = 0;
  }
}
