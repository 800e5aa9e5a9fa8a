// What a boot loader hands a kernel besides its image, as the arm64 boot protocol says
// (Linux's Documentation/arch/arm64/booting.rst, which Xen follows): a device tree blob in
// RAM, 8-byte aligned, not overlapping the kernel, x0 holding its physical address and x1..x3
// zero. `--dtb auto` generates the blob from the board (deviceTree.ts), `--dtb FILE` places a
// user's, read again at every extended-remote `run` as the kernel is, `--dtb none` places
// nothing and leaves x0..x3 as reset left them.

import { readFileSync } from 'node:fs';
import { register } from '../arch/aarch64/registers.js';
import type { ElfImage } from '../elf/elf64.js';
import type { BoardConfig } from '../machine/board.js';
import type { Machine } from '../machine/machine.js';
import { DTB_SLOT_SIZE, dtbAddress, generateDtb } from './deviceTree.js';
import { fdtTotalSize } from './fdt.js';

export type DtbChoice = { readonly kind: 'auto' } | { readonly kind: 'none' } | { readonly kind: 'file'; readonly path: string };

/** `auto`, `none` or a path (a file literally named "auto" is "./auto"). */
export function parseDtbChoice(text: string): DtbChoice {
  if (text === 'auto' || text === 'none') return { kind: text };
  if (text === '') throw new Error('--dtb: expected auto, none or a file');
  return { kind: 'file', path: text };
}

const BOOT_REGISTERS = [register('x0'), register('x1'), register('x2'), register('x3')] as const;
const hex = (n: number): string => `0x${n.toString(16)}`;

/** Where the last blob went, for `monitor board dtb`. */
export interface PlacedDtb {
  readonly address: number;
  readonly size: number;
}

export class BootInputs {
  /** Where the blob goes (the top of the first RAM range, deviceTree.ts); undefined with `--dtb none`. */
  readonly address: number | undefined;
  /** The generated blob (`--dtb auto`): made once, the board and bootargs never change. */
  private readonly generated: Uint8Array | undefined;
  private placedDtb: PlacedDtb | undefined;

  constructor(
    readonly board: BoardConfig,
    readonly choice: DtbChoice,
    readonly bootargs: string,
  ) {
    this.address = choice.kind === 'none' ? undefined : dtbAddress(board);
    this.generated = choice.kind === 'auto' ? generateDtb(board, { bootargs }) : undefined;
    // A file that cannot be used stops the start, not the first `run`.
    if (choice.kind === 'file') this.blob();
  }

  /** What `--dtb` names, in words. */
  get description(): string {
    return this.choice.kind === 'auto' ? 'generated from the board' : this.choice.kind === 'file' ? `from ${this.choice.path}` : 'none';
  }

  get placed(): PlacedDtb | undefined {
    return this.placedDtb;
  }

  /** The blob to place now: the generated one, or the user's file as it is now. */
  blob(): Uint8Array | undefined {
    if (this.choice.kind !== 'file') return this.generated;
    const path = this.choice.path;
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read device tree ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      return bytes.subarray(0, fdtTotalSize(bytes));
    } catch (err) {
      throw new Error(`device tree ${path}: ${(err as Error).message}`);
    }
  }

  /**
   * Places the blob in the RAM of a board just reset, beside the kernel `image` already placed,
   * and sets x0..x3 as the boot protocol says. Throws, before writing, when the blob is larger
   * than the slot or would overlap one of the kernel's segments.
   */
  place(machine: Machine, image: ElfImage, kernelPath: string): void {
    const blob = this.blob();
    const address = this.address;
    if (blob === undefined || address === undefined) return;
    const what = this.choice.kind === 'file' ? `device tree ${this.choice.path}` : 'the generated device tree';
    if (blob.length > DTB_SLOT_SIZE) throw new Error(`${what} is ${blob.length} bytes; at most ${DTB_SLOT_SIZE} (2 MiB, what Xen reads) fit at ${hex(address)}`);
    if (machine.memory.mappedLength(address, blob.length) < blob.length) throw new Error(`${what} does not fit the board's memory at ${hex(address)}`);
    for (const s of image.segments) {
      if (s.physicalAddress < address + blob.length && address < s.physicalAddress + s.memorySize) {
        throw new Error(`${what} at ${hex(address)} (${blob.length} bytes) would overlap the segment of kernel ${kernelPath} at ${hex(s.physicalAddress)} (${hex(s.memorySize)} bytes)`);
      }
    }
    machine.memory.write(address, blob);
    BOOT_REGISTERS.forEach((reg, i) => machine.writeRegister(reg, i === 0 ? BigInt(address) : 0n, 'debugger'));
    this.placedDtb = { address, size: blob.length };
  }
}
