// The kernel named by `mpustub serve --kernel FILE`: read from the command line's path,
// placed in board memory as a boot loader would (the PT_LOAD segments at their physical
// addresses, pc at the entry point), and its symbols kept for the stub's own messages.
// Extended-remote `run` places it again from the same path, so a rebuilt kernel is picked up;
// no packet ever names the file.

import { readFileSync } from 'node:fs';
import { register } from '../arch/aarch64/registers.js';
import type { Machine } from '../machine/machine.js';
import { EM_AARCH64, parseElf64, type ElfImage } from './elf64.js';

const PC = register('pc');

export function readKernelImage(path: string): ElfImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read kernel ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let image: ElfImage;
  try {
    image = parseElf64(bytes);
  } catch (err) {
    throw new Error(`kernel ${path}: ${(err as Error).message}`);
  }
  if (image.machine !== EM_AARCH64) throw new Error(`kernel ${path}: e_machine is ${image.machine}, not AArch64 (${EM_AARCH64})`);
  if (image.segments.length === 0) throw new Error(`kernel ${path}: no PT_LOAD segment to load`);
  return image;
}

/**
 * Writes the image's segments straight into physical memory of a board just reset — a loader,
 * not the core: the MPU does not check it — and sets pc to the entry point. Throws when a
 * segment falls outside the board's memory, before writing anything.
 */
export function placeKernel(machine: Machine, image: ElfImage, path: string): void {
  for (const segment of image.segments) {
    const mapped = machine.memory.mappedLength(segment.physicalAddress, segment.memorySize);
    if (mapped < segment.memorySize) {
      const at = segment.physicalAddress + mapped;
      throw new Error(`kernel ${path}: the segment at 0x${segment.physicalAddress.toString(16)} (0x${segment.memorySize.toString(16)} bytes) reaches 0x${at.toString(16)}, which the board does not map`);
    }
  }
  // Only after a reset (start-up, extended-remote `run`): RAM is zero already, so the rest of
  // each segment (.bss) needs no write, and a large .bss costs no host memory.
  for (const segment of image.segments) machine.memory.write(segment.physicalAddress, segment.data);
  machine.writeRegister(PC, BigInt(image.entry), 'debugger');
}
