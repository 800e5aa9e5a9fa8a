// The region map's geometry (src/view/geometry.ts), shared by the page and the SVG writer: a
// scale on which a 4 KiB UART and 2 GiB of DRAM are both visible, lanes for overlapping bars,
// and the marks each state of the board must produce; and the SVG text escapes what it draws.

import { describe, expect, it } from 'vitest';
import type { BoardJson, RegimeJson, RegisterPairJson } from '../../../src/view/boardJson.js';
import { decodePair, describePair, memoryTypeName, regionLook } from '../../../src/view/decode.js';
import { AddressScale, boardScale, boundariesOf, packLanes, regimeScene } from '../../../src/view/geometry.js';
import { sceneToSvg, stackScenes, type SceneNode } from '../../../src/view/scene.js';

const XEN_MAIR = '0xff000004eeaa4400';

/** A region's pair from its bounds (limit inclusive) and Xen-style attributes. */
function pair(base: number, limit: number, options: { ro?: boolean; xn?: boolean; attr?: number; enabled?: boolean } = {}): RegisterPairJson {
  const prbar = BigInt(base) | 0x30n | (options.ro ? 0x8n : 0n) | (options.xn === false ? 0n : 0x2n);
  const prlar = (BigInt(limit) & ~0x3fn) | (BigInt(options.attr ?? 7) << 1n) | (options.enabled === false ? 0n : 1n);
  return decodePair(`0x${prbar.toString(16)}`, `0x${prlar.toString(16)}`);
}

function regime(name: 'el2' | 'el1', regions: RegimeJson['regions'], extra: Partial<RegimeJson> = {}): RegimeJson {
  return { name, regionCount: 32, sctlr: '0x30cd183d', enabled: true, background: false, wxn: true, mair: XEN_MAIR, regions, overlaps: [], pending: [], ...extra };
}

function board(overrides: Partial<BoardJson> = {}): BoardJson {
  const code = pair(0x0, 0x11ffff, { ro: true, xn: false });
  const uart = pair(0x9c090000, 0x9c090fff, { attr: 4 });
  return {
    board: {
      name: 'test <board> & co',
      memory: [
        { name: 'dram', kind: 'ram', base: '0x0', limit: '0x7fffffff' },
        { name: 'uart0', kind: 'device', base: '0x9c090000', limit: '0x9c090fff' },
      ],
    },
    core: { el: 2, pc: '0x0', running: false },
    el2: regime('el2', [
      { index: 0, programmed: code, effective: code, pending: false },
      { index: 5, programmed: uart, effective: uart, pending: false },
    ]),
    el1: regime('el1', [], { enabled: false, mair: '0x0', sctlr: '0x30d00800' }),
    shadow: {
      maxRegions: 32,
      disableMode: 'upstream',
      mask: '0x21',
      entries: [
        { index: 0, base: '0x0', limit: '0x120000', prbar: code.prbar, prlar: code.prlar, refcount: 0 },
        { index: 5, base: '0x9c090000', limit: '0x9c091000', prbar: uart.prbar, prlar: uart.prlar, refcount: 0 },
      ],
    },
    disagreements: [],
    lastFault: null,
    lastError: null,
    history: false,
    ...overrides,
  };
}

/** Every node of a scene, depth first. */
function all(nodes: readonly SceneNode[]): SceneNode[] {
  return nodes.flatMap((n) => [n, ...(n.tag === 'g' || n.tag === 'pattern' ? all(n.children) : [])]);
}
const withClass = (nodes: readonly SceneNode[], cls: string): SceneNode[] => all(nodes).filter((n) => String(n.attrs['class'] ?? '').split(' ').includes(cls));

describe('the address scale', () => {
  it('keeps a 4 KiB UART and 2 GiB of DRAM both visible, bigger ranges wider', () => {
    const scale = boardScale(board(), 1400);
    const width = (start: number, end: number): number => scale.x(end) - scale.x(start);
    expect(width(0x9c090000, 0x9c091000)).toBeGreaterThanOrEqual(14);
    expect(width(0, 0x8000_0000)).toBeGreaterThan(4 * width(0x9c090000, 0x9c091000));
    expect(scale.right).toBeLessThanOrEqual(1400);
  });

  it('puts every boundary exactly, is monotonic, and clamps outside the strip', () => {
    const scale = new AddressScale([0, 0x1000, 0x8000_0000, 0x9c09_0000], 100, 600);
    expect(scale.x(0)).toBe(100);
    expect(scale.x(-5)).toBe(100);
    expect(scale.x(2 ** 47)).toBe(scale.right);
    let previous = -Infinity;
    for (let a = 0; a < 0x9c09_0000; a += 0x100_0000) {
      expect(scale.x(a)).toBeGreaterThanOrEqual(previous);
      previous = scale.x(a);
    }
    expect(scale.right).toBeCloseTo(700);
  });

  it('grows past the width asked for rather than squeeze segments below their minimum', () => {
    const points = Array.from({ length: 200 }, (_, i) => i * 0x1000);
    const scale = new AddressScale(points, 0, 500);
    expect(scale.right).toBeGreaterThanOrEqual(199 * 14);
  });

  it('takes its boundaries from memory, both regimes, the shadow and a fault beyond them', () => {
    const b = board({ lastFault: null });
    expect(boundariesOf(b)).toEqual([0, 0x120000, 0x8000_0000, 0x9c09_0000, 0x9c09_1000]);
    const far = board({
      lastFault: {
        origin: 'debugger', access: { kind: 'read', el: 2, address: '0xf0000000', size: 1 }, address: '0xf0000000', regime: null, stage2: false, rule: 'unmapped',
        regions: [], reason: 'r', takenTo: 2,
      esr: '0x96000010', esrDescription: 'd', far: '0xf0000000', hpfar: null, latched: false,
      },
    });
    expect(boundariesOf(far)).toContain(0xf000_0000);
  });
});

describe('lanes', () => {
  it('gives overlapping items different lanes and reuses a lane once it is free', () => {
    const lanes = packLanes([
      { start: 0, end: 10, id: 'a' },
      { start: 5, end: 15, id: 'b' },
      { start: 10, end: 20, id: 'c' },
    ]);
    expect(lanes.map((l) => [l.item.id, l.lane])).toEqual([['a', 0], ['b', 1], ['c', 0]]);
  });
});

describe('the scene of a regime', () => {
  it('draws regions, the shadow, and an agreeing diff row', () => {
    const b = board();
    const scene = regimeScene(b, 'el2', { scale: boardScale(b, 1400), width: 1400 });
    expect(withClass(scene.nodes, 'region').map((n) => n.attrs['data-region'])).toEqual([0, 5]);
    expect(withClass(scene.nodes, 'shadow-entry')).toHaveLength(2);
    expect(withClass(scene.nodes, 'diff-none')).toHaveLength(1);
    expect(withClass(scene.nodes, 'background-region')).toHaveLength(0);
    const el1 = regimeScene(b, 'el1', { scale: boardScale(b, 1400), width: 1400 });
    expect(withClass(el1.nodes, 'mpu-off')).toHaveLength(1);
    expect(withClass(el1.nodes, 'shadow-entry')).toHaveLength(0);
  });

  it('hatches pending regions, marks overlaps, disagreements, the background region and the fault', () => {
    const a = pair(0x5000_0000, 0x5001_ffff);
    const c = pair(0x5001_0000, 0x5002_ffff);
    const off = pair(0, 0x3f, { enabled: false });
    const b = board({
      el2: regime(
        'el2',
        [
          { index: 20, programmed: a, effective: a, pending: false },
          { index: 21, programmed: c, effective: c, pending: false },
          { index: 22, programmed: pair(0x6000_0000, 0x6000_ffff), effective: off, pending: true },
        ],
        { background: true, overlaps: [{ regions: [20, 21], start: '0x50010000', end: '0x5001ffff' }], pending: [22] },
      ),
      disagreements: [
        { index: 20, kind: 'enabled-in-hardware-only', effective: true, shadow: { prbar: '0x0', prlar: '0x0', refcount: 0, used: false }, hardware: { prbar: a.prbar, prlar: a.prlar } },
        { index: 21, kind: 'enabled-in-hardware-only', effective: true, shadow: { prbar: '0x0', prlar: '0x0', refcount: 0, used: false }, hardware: { prbar: c.prbar, prlar: c.prlar } },
      ],
      lastFault: {
        origin: 'debugger', access: { kind: 'read', el: 2, address: '0x50010000', size: 8 }, address: '0x50010000', regime: 'el2', stage2: false, rule: 'multiple-regions',
        regions: [20, 21], reason: 'read at 0x50010000 refused', takenTo: 2,
      esr: '0x9600000c', esrDescription: 'EC=0x25', far: '0x50010000', hpfar: null, latched: false,
      },
    });
    const scene = regimeScene(b, 'el2', { scale: boardScale(b, 1400), width: 1400, idPrefix: 't' });
    const pending = withClass(scene.nodes, 'pending');
    expect(pending.map((n) => n.attrs['data-region'])).toEqual([22]);
    expect(all(pending).some((n) => n.attrs['fill'] === 'url(#t-hatch)')).toBe(true);
    expect(scene.defs.map((d) => d.attrs['id'])).toContain('t-hatch');
    expect(withClass(scene.nodes, 'overlap').map((n) => n.attrs['data-regions'])).toEqual(['20,21']);
    // Overlapping regions and their overlapping disagreements each take their own lane.
    const ys = (nodes: SceneNode[]): Set<number> => new Set(nodes.map((n) => Number(all([n]).find((c) => c.tag === 'rect')!.attrs['y'])));
    expect(ys(withClass(scene.nodes, 'region').filter((n) => n.attrs['data-state'] === 'effective')).size).toBe(2);
    expect(ys(withClass(scene.nodes, 'diff-marker')).size).toBe(2);
    expect(withClass(scene.nodes, 'disagrees')).toHaveLength(2);
    expect(withClass(scene.nodes, 'background-region')).toHaveLength(1);
    const fault = withClass(scene.nodes, 'fault-marker');
    expect(fault.map((n) => n.attrs['data-rule'])).toEqual(['multiple-regions']);
    expect(fault[0]!.title).toContain('ESR_EL2 0x9600000c');
    // The fault belongs to the EL2 regime: the EL1 view has none.
    expect(withClass(regimeScene(b, 'el1', { scale: boardScale(b, 1400), width: 1400 }).nodes, 'fault-marker')).toHaveLength(0);
  });
});

describe('decoding', () => {
  it('colours by what the MPU enforces: WXN makes a writable region XN, MAIR a device', () => {
    expect(regionLook(pair(0, 0xfff, { ro: true, xn: false }), XEN_MAIR, true)).toMatchObject({ access: 'ro-x', device: false });
    expect(regionLook(pair(0, 0xfff, { xn: false }), XEN_MAIR, true)).toMatchObject({ access: 'rw-xn' });
    expect(regionLook(pair(0, 0xfff, { xn: false }), XEN_MAIR, false)).toMatchObject({ access: 'rw-x' });
    expect(regionLook(pair(0, 0xfff, { attr: 4 }), XEN_MAIR, true)).toMatchObject({ device: true, short: 'RW XN dev' });
  });

  it('names MAIR attributes and decodes the registers field by field', () => {
    expect(memoryTypeName(0x04)).toBe('Device-nGnRE');
    expect(memoryTypeName(0x44)).toBe('Normal NC');
    expect(memoryTypeName(0xff)).toBe('Normal WB RW-alloc');
    const lines = describePair(decodePair('0x30000032', '0x3000ffcf'), 'el2', XEN_MAIR, true);
    expect(lines[0]).toBe('PRBAR 0x30000032: BASE 0x30000000, SH 3 (inner shareable), AP 0 (RW EL2), XN 1');
    expect(lines[1]).toBe('PRLAR 0x3000ffcf: LIMIT 0x3000ffff, AttrIndx 7 (MAIR 0xff: Normal WB RW-alloc), NS 0, EN 1');
    expect(lines[2]).toBe('0x30000000..0x3000ffff, 64 KiB');
  });
});

describe('SVG text', () => {
  it('is one document with the scenes stacked, and escapes what it draws', () => {
    const b = board();
    const svg = sceneToSvg(stackScenes([regimeScene(b, 'el2', { scale: boardScale(b, 1000), width: 1000 })], `map of ${b.board.name}`));
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>map of test &lt;board&gt; &amp; co</title>');
    expect(svg).not.toContain('<board>');
    expect(svg.match(/<g class="region effective"/g)).toHaveLength(2);
  });
});
