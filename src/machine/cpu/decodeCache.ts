// The interpreter's memory of decoded instructions, so that a loop running interpreted pays
// for decoding once per distinct word instead of once per step. Keyed by the instruction word,
// not its address: decoding depends on the word alone, so an entry can never go stale when
// code is rewritten, and pages of interpreted code need no write watching (translated code
// has that: PhysicalMemory.codePages). Direct-mapped: a slot per hash of the word, a clash
// just decodes again. Cheaper than a Map keyed by numbers up to 2^32, which are heap numbers.

import { decode, type Instruction } from './decode.js';

const SLOT_BITS = 12;

export class DecodeCache {
  private readonly words = new Uint32Array(1 << SLOT_BITS);
  private readonly instructions: Array<Instruction | undefined> = new Array<Instruction | undefined>(1 << SLOT_BITS).fill(undefined);

  /** `decode(word)`, remembered. */
  get(word: number): Instruction {
    // Fibonacci hashing: the multiply spreads the opcode and register bits over the top bits.
    const slot = Math.imul(word, 0x9e37_79b1) >>> (32 - SLOT_BITS);
    let insn = this.instructions[slot];
    if (insn === undefined || this.words[slot] !== word) {
      insn = decode(word);
      this.words[slot] = word;
      this.instructions[slot] = insn;
    }
    return insn;
  }
}
