// gdbscripts/mpustub_kernel.py's comparison of a kernel's MPU table with the registers, run
// by python3 outside GDB on hand-made pictures: agreement, a region programmed in the wrong
// slot, a missing DSB + ISB, upstream Xen's PRENR quirk above region 31 and at 64 + n, and a
// freed region that keeps its values (Xen's accepted behaviour: a note, not counted).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPTS = fileURLToPath(new URL('../../../gdbscripts/', import.meta.url));

interface Region {
  prbar: bigint;
  prlar: bigint;
}
interface Disagreement {
  index: number | null;
  side: string;
  counted: boolean;
  text: string;
  why: string | null;
}

const OFF: Region = { prbar: 0n, prlar: 0n };
const ram = (base: number, size: number, readOnly = false): Region => ({
  prbar: BigInt(base) | 0x30n | (readOnly ? 0x8n : 0n) | 0x2n,
  prlar: BigInt(base + size - 1) & ~0x3fn | 0xfn,
});

/** A kernel table (entries in use by index) and the MPU's programmed and effective regions. */
function compare(kernel: { count: number; used: Record<number, Region>; stale?: Record<number, Region> }, programmed: Region[], effective: Region[] = programmed): Disagreement[] {
  const hex = (v: bigint) => `0x${v.toString(16)}`;
  const entries = Array.from({ length: kernel.count }, (_, i) => {
    const e = kernel.used[i] ?? kernel.stale?.[i] ?? OFF;
    return { index: i, used: i in kernel.used, prbar: Number(e.prbar), prlar: Number(e.prlar), refcount: 0 };
  });
  const mpu = { regions: programmed.map((p, i) => ({ programmed: { prbar: hex(p.prbar), prlar: hex(p.prlar) }, effective: { prbar: hex(effective[i]!.prbar), prlar: hex(effective[i]!.prlar) } })) };
  const table = { kernel: 'test', table: 'table', entrySize: 32, count: kernel.count, bitmap: 0, entries };
  const program = `import json, sys\nsys.path.insert(0, ${JSON.stringify(SCRIPTS)})\nimport mpustub_kernel\nargs = json.load(sys.stdin)\nprint(json.dumps(mpustub_kernel.compare(args["table"], args["mpu"])))\n`;
  const run = spawnSync('python3', ['-c', program], { input: JSON.stringify({ table, mpu }), encoding: 'utf8' });
  if (run.error || run.status !== 0) throw new Error(`python3 is needed for this test: ${run.error?.message ?? run.stderr}`);
  return JSON.parse(run.stdout) as Disagreement[];
}

const regions = (count: number, set: Record<number, Region>): Region[] => Array.from({ length: count }, (_, i) => set[i] ?? OFF);

describe('mpustub_kernel.compare', () => {
  it('finds nothing when the table and the registers agree', () => {
    const used = { 0: ram(0, 0x10000, true), 1: ram(0x100000, 0x10000) };
    expect(compare({ count: 32, used }, regions(32, used))).toEqual([]);
  });

  it('names a region programmed in the wrong slot from both sides', () => {
    const used = { 0: ram(0, 0x10000, true), 3: ram(0x300000, 0x10000) };
    const found = compare({ count: 32, used }, regions(32, { 0: used[0], 4: used[3] }));
    expect(found.map((d) => [d.index, d.side, d.counted])).toEqual([[3, 'programmed', true], [4, 'effective', true]]);
    expect(found[0]!.why).toBe("the kernel's entry 3 is programmed in region 4 instead");
    expect(found[1]!.why).toBe("it holds kernel entry 3's values: the write meant for region 3 went to region 4");
  });

  it('says a DSB + ISB is missing when the programmed registers agree and the effective ones do not', () => {
    const used = { 2: ram(0x200000, 0x1000) };
    const [d] = compare({ count: 32, used }, regions(32, used), regions(32, {}));
    expect(d).toMatchObject({ index: 2, side: 'effective', counted: true, why: 'no DSB + ISB since the write: the MPU still enforces the old values' });
  });

  it('explains a region above 31 left enabled after the kernel freed it by upstream\'s PRENR quirk', () => {
    const [d] = compare({ count: 64, used: {} }, regions(64, { 33: ram(0x400000, 0x1000) }));
    expect(d).toMatchObject({ index: 33, side: 'effective', counted: true });
    expect(d!.why).toMatch(/^upstream's PRENR quirk: Xen frees regions >= 32/);
  });

  it('suggests the quirk at 64 + n for a live region n the MPU has disabled', () => {
    const live = ram(0x500000, 0x1000);
    const [d] = compare({ count: 96, used: { 5: live } }, regions(96, { 5: { prbar: live.prbar, prlar: live.prlar & ~1n } }));
    expect(d).toMatchObject({ index: 5, side: 'programmed', counted: true });
    expect(d!.why).toMatch(/freeing region 69 clears PRENR bit 5/);
  });

  it('notes, without counting, a freed region that keeps its values with EN = 0', () => {
    const stale = ram(0x600000, 0x1000);
    const [d] = compare({ count: 32, used: {} }, regions(32, { 6: { prbar: stale.prbar, prlar: stale.prlar & ~1n } }));
    expect(d).toMatchObject({ index: 6, side: 'programmed', counted: false });
  });

  it('counts a kernel that believes in more regions than the MPU has', () => {
    const found = compare({ count: 40, used: { 35: ram(0x700000, 0x1000) } }, regions(32, {}));
    expect(found.map((d) => [d.index, d.counted])).toEqual([[null, true], [35, true]]);
  });
});
