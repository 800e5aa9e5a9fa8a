// Little-endian 32-bit words written into a board's memory as the debugger would: programs of
// our own, and device registers set up before a test.

import type { Machine } from '../../src/machine/machine.js';

export function writeWords(machine: Machine, address: number, words: readonly number[]): void {
  const bytes = new Uint8Array(words.length * 4);
  words.forEach((w, k) => new DataView(bytes.buffer).setUint32(k * 4, w >>> 0, true));
  machine.writeMemory(address, bytes, { origin: 'debugger' });
}
