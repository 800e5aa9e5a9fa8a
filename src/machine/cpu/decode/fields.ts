// Small pieces every decoder group uses: sign extension of a field, and the `undefined`
// member of the instruction union with its reason.

import type { Instruction } from './types.js';

/** The low `bits` bits of `value` as a signed number (bits <= 32). */
export const signExtend = (value: number, bits: number): number => (value << (32 - bits)) >> (32 - bits);

/** An encoding the core treats as UNDEFINED, and why (shown with the SIGILL stop). */
export const undefinedInstruction = (reason: string): Instruction => ({ kind: 'undefined', reason });
