// Loading a test program into an in-process machine the way GDB's `load` does: the PT_LOAD
// segments of a little-endian ELF64 written through the debugger's access path, pc at the
// entry point; and its symbols, read with the cross toolchain's nm.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { register } from '../../src/arch/aarch64/registers.js';
import type { Machine } from '../../src/machine/machine.js';

const PT_LOAD = 1;

export function loadElf(machine: Machine, path: string): void {
  const elf = readFileSync(path);
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (elf.readUInt32LE(ph) !== PT_LOAD) continue;
    const offset = Number(elf.readBigUInt64LE(ph + 0x08));
    const paddr = Number(elf.readBigUInt64LE(ph + 0x18));
    const filesz = Number(elf.readBigUInt64LE(ph + 0x20));
    const fault = machine.writeMemory(paddr, new Uint8Array(elf.subarray(offset, offset + filesz)), { origin: 'debugger' });
    if (fault) throw new Error(`cannot load a segment at 0x${paddr.toString(16)}`);
  }
  machine.writeRegister(register('pc'), elf.readBigUInt64LE(0x18), 'debugger');
}

/** The program's symbols by name (aarch64-linux-gnu-nm). */
export function symbols(path: string): Map<string, number> {
  const result = spawnSync('aarch64-linux-gnu-nm', [path]);
  if (result.status !== 0) throw new Error(`aarch64-linux-gnu-nm ${path} failed: ${result.stderr.toString()}`);
  const table = new Map<string, number>();
  for (const line of result.stdout.toString().split('\n')) {
    const [address, , name] = line.trim().split(/\s+/);
    if (address && name) table.set(name, parseInt(address, 16));
  }
  return table;
}
