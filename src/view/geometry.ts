// The region map's geometry, shared by the browser page and `mpustub regions --svg`: where each
// address lies on the strip, which lane each region takes, and the scene (scene.ts) of one
// regime — memory ranges, region bars coloured by access, hatched pending regions, overlaps,
// the background region, the map service's shadow beside the EL2 hardware with disagreements
// marked, and the last refused access.
//
// The scale is piecewise: every boundary of a memory range or a region starts a segment, each
// segment gets a minimum width plus a share of the rest that grows with the logarithm of its
// size. A linear scale would make a 4 KiB UART a millionth of 2 GiB of DRAM, invisible; a
// purely logarithmic one would crowd everything near 0. Real addresses label every boundary.

import type { BoardJson, RegimeJson, RegimeName, RegisterPairJson } from './boardJson.js';
import { addressOf, decodePair, describePair, hexOf, regionLook, sizeWords, type RegionLook } from './decode.js';
import type { Scene, SceneNode } from './scene.js';

/** Left column (row names) and right margin of every scene, in pixels. */
export const LEFT = 112;
const RIGHT = 24;
/** The narrowest a segment may be: room for one rotated address label. */
const MIN_SEGMENT = 14;

/** The regime's title line, then a line for the last refused access's caption. */
const HEADER_H = 38;
const ROW_H = 20;
const LANE_H = 22;
const LANE_GAP = 4;
const AXIS_LABELS_H = 86;

export const COLOURS = {
  'ro-x': '#8ab4f8',
  'ro-xn': '#81c995',
  'rw-xn': '#fdd663',
  'rw-x': '#f28b82',
  'dev-rw': '#c58af9',
  'dev-ro': '#e9d2fd',
  ram: '#e3e8ef',
  device: '#c4c8d0',
  alarm: '#d93025',
  stale: '#9aa0a6',
  background: '#fef7e0',
  grid: '#e6e6e6',
  ink: '#202124',
  muted: '#5f6368',
} as const;

const FONT = 10;
/** A generous width per character of the 10 px label font, so that a label that fits, fits. */
const CHAR_W = 6.3;

export class AddressScale {
  /** x of each boundary. */
  private readonly xs: number[];

  /**
   * @param boundaries sorted, distinct addresses; the first is the strip's start, the last its end
   * @param left x of the first boundary
   * @param plotWidth the width to share out; it grows when the segments' minimum widths need more
   */
  constructor(
    readonly boundaries: readonly number[],
    readonly left: number,
    plotWidth: number,
  ) {
    const sizes = boundaries.slice(1).map((b, i) => b - boundaries[i]!);
    const weights = sizes.map((size) => Math.max(1, Math.log2(size / 32)));
    const total = weights.reduce((a, b) => a + b, 0);
    const spare = Math.max(0, plotWidth - sizes.length * MIN_SEGMENT);
    this.xs = [left];
    for (const [i, w] of weights.entries()) this.xs.push(this.xs[i]! + MIN_SEGMENT + (total > 0 ? (spare * w) / total : 0));
  }

  get right(): number {
    return this.xs[this.xs.length - 1]!;
  }

  /** x of an address: exact at boundaries, linear inside a segment, clamped to the strip. */
  x(address: number): number {
    const b = this.boundaries;
    if (address <= b[0]!) return this.xs[0]!;
    if (address >= b[b.length - 1]!) return this.right;
    let lo = 0;
    let hi = b.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (b[mid]! <= address) lo = mid;
      else hi = mid;
    }
    return this.xs[lo]! + ((this.xs[hi]! - this.xs[lo]!) * (address - b[lo]!)) / (b[hi]! - b[lo]!);
  }
}

/** [start, end) of a register pair; null for a region whose limit is below its base. */
function spanOf(pair: RegisterPairJson): { start: number; end: number } | null {
  const start = addressOf(pair.base);
  const end = addressOf(pair.limit) + 1;
  return end > start ? { start, end } : null;
}

/** Every address where something on the map begins or ends, for both regimes and the shadow. */
export function boundariesOf(board: BoardJson): number[] {
  const points = new Set<number>([0]);
  const add = (span: { start: number; end: number } | null): void => {
    if (span === null) return;
    points.add(span.start);
    points.add(span.end);
  };
  for (const m of board.board.memory) add({ start: addressOf(m.base), end: addressOf(m.limit) + 1 });
  for (const regime of [board.el2, board.el1]) {
    for (const r of regime.regions) {
      if (r.effective.enabled) add(spanOf(r.effective));
      if (r.programmed.enabled) add(spanOf(r.programmed));
    }
  }
  for (const e of board.shadow.entries) add({ start: addressOf(e.base), end: addressOf(e.limit) });
  for (const d of board.disagreements) {
    const hw = decodePair(d.hardware.prbar, d.hardware.prlar);
    add(spanOf(hw.enabled ? hw : decodePair(d.shadow.prbar, d.shadow.prlar)));
  }
  // A refused access beyond everything else still gets a place on the strip.
  if (board.lastFault) {
    const at = addressOf(board.lastFault.address);
    if (at >= Math.max(...points)) add({ start: at, end: at + 0x1000 });
  }
  return [...points].sort((a, b) => a - b);
}

/** The scale every scene of one board shares, so that the regimes and the shadow line up. */
export function boardScale(board: BoardJson, width: number): AddressScale {
  return new AddressScale(boundariesOf(board), LEFT, width - LEFT - RIGHT);
}

/** Each item in the first lane where it overlaps nothing already there. */
export function packLanes<T extends { readonly start: number; readonly end: number }>(items: readonly T[]): { item: T; lane: number }[] {
  const laneEnds: number[] = [];
  return [...items]
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((item) => {
      let lane = laneEnds.findIndex((end) => end <= item.start);
      if (lane < 0) lane = laneEnds.push(0) - 1;
      laneEnds[lane] = item.end;
      return { item, lane };
    });
}

const regimeTitle = (name: RegimeName): string => (name === 'el2' ? 'EL2' : 'EL1&0');
const regSuffix = (name: RegimeName): string => (name === 'el2' ? 'EL2' : 'EL1');

function fill(look: RegionLook): string {
  if (look.device) return look.access.startsWith('ro') ? COLOURS['dev-ro'] : COLOURS['dev-rw'];
  return COLOURS[look.access];
}

function text(x: number, y: number, content: string, attrs: Record<string, string | number> = {}): SceneNode {
  return { tag: 'text', attrs: { x: round(x), y: round(y), 'font-size': FONT, fill: COLOURS.ink, ...attrs }, text: content };
}

const round = (v: number): number => Math.round(v * 10) / 10;

/** A label inside a bar when it fits: the longest of `options` that does. */
function fitted(width: number, options: readonly string[], charWidth = CHAR_W): string | null {
  for (const option of options) if (option.length * charWidth + 4 <= width) return option;
  return null;
}

/** The font size of a bar's label: the usual one, or a smaller one for a bare region number. */
const SMALL_FONT = 8;

interface Bar {
  readonly start: number;
  readonly end: number;
  readonly index: number;
  readonly pair: RegisterPairJson;
  readonly state: 'effective' | 'pending' | 'shadow';
  /** Effective, and about to change at the next synchronisation. */
  readonly changing: boolean;
  readonly disagrees: boolean;
  readonly refcount?: number;
}

function barNode(bar: Bar, regime: RegimeJson, scale: AddressScale, y: number, prefix: string): SceneNode {
  const x0 = scale.x(bar.start);
  const w = Math.max(2, scale.x(bar.end) - x0);
  const look = regionLook(bar.pair, regime.mair, regime.wxn);
  const colour = fill(look);
  const stroke: Record<string, string | number> = bar.disagrees ? { stroke: COLOURS.alarm, 'stroke-width': 2 } : { stroke: COLOURS.ink, 'stroke-width': 0.75 };
  const dashed: Record<string, string | number> = bar.state === 'pending' || bar.changing ? { 'stroke-dasharray': '4 2' } : {};
  const box = { x: round(x0), y, width: round(w), height: LANE_H };
  const children: SceneNode[] = [];
  if (bar.state === 'pending') {
    // Hatched: programmed, not yet what the MPU enforces.
    children.push({ tag: 'rect', attrs: { ...box, fill: colour, 'fill-opacity': 0.45 } });
    children.push({ tag: 'rect', attrs: { ...box, fill: `url(#${prefix}-hatch)`, ...stroke, ...dashed } });
  } else {
    children.push({ tag: 'rect', attrs: { ...box, fill: colour, ...stroke, ...dashed } });
  }
  const label = fitted(w, [`#${bar.index} ${look.short}${bar.state === 'pending' ? ' pending' : ''}`, `#${bar.index} ${look.short}`, `#${bar.index}`, `${bar.index}`]);
  const small = label === null ? fitted(w, [`${bar.index}`], (CHAR_W * SMALL_FONT) / FONT) : null;
  if (label !== null) children.push(text(x0 + w / 2, y + LANE_H / 2 + 3.5, label, { 'text-anchor': 'middle' }));
  else if (small !== null) children.push(text(x0 + w / 2, y + LANE_H / 2 + 3, small, { 'text-anchor': 'middle', 'font-size': SMALL_FONT }));
  const name = regime.name;
  const lines = describePair(bar.pair, name, regime.mair, regime.wxn);
  const what =
    bar.state === 'shadow'
      ? `xen_mpumap[${bar.index}] (shadow), refcount ${bar.refcount ?? 0}`
      : `${regimeTitle(name)} region ${bar.index}, ${bar.state === 'pending' ? 'programmed, not yet effective (no DSB + ISB since the write)' : bar.changing ? 'effective; a different value is programmed and waits for DSB + ISB' : 'effective'}`;
  return {
    tag: 'g',
    attrs: {
      class: bar.state === 'shadow' ? `shadow-entry${bar.disagrees ? ' disagrees' : ''}` : `region ${bar.state}${bar.disagrees ? ' disagrees' : ''}`,
      'data-regime': name,
      'data-region': bar.index,
      'data-state': bar.state,
    },
    title: [what, ...lines, ...(bar.disagrees ? ['disagrees with the other side (see the diff row)'] : [])].join('\n'),
    children,
  };
}

function hatch(id: string, colour: string, spacing: number): SceneNode {
  return {
    tag: 'pattern',
    attrs: { id, width: spacing, height: spacing, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
    children: [{ tag: 'rect', attrs: { x: 0, y: 0, width: 1.5, height: spacing, fill: colour } }],
  };
}

/** The memory ranges of the board, and the holes between them. */
function memoryRow(board: BoardJson, scale: AddressScale, y: number, prefix: string): SceneNode[] {
  const nodes: SceneNode[] = [];
  const ranges = board.board.memory.map((m) => ({ ...m, start: addressOf(m.base), end: addressOf(m.limit) + 1 })).sort((a, b) => a.start - b.start);
  let cursor = scale.boundaries[0]!;
  const end = scale.boundaries[scale.boundaries.length - 1]!;
  const hole = (from: number, to: number): void => {
    if (to <= from) return;
    const x0 = scale.x(from);
    const w = scale.x(to) - x0;
    nodes.push({
      tag: 'g',
      attrs: { class: 'memory hole' },
      title: `${hexOf(from)}..${hexOf(to - 1)}: nothing on the board (${sizeWords(to - from)}); an access there is a synchronous external abort`,
      children: [
        { tag: 'rect', attrs: { x: round(x0), y, width: round(w), height: ROW_H, fill: `url(#${prefix}-hole)`, stroke: COLOURS.grid } },
        ...(fitted(w, ['unmapped']) !== null ? [text(x0 + w / 2, y + 14, 'unmapped', { 'text-anchor': 'middle', fill: COLOURS.muted })] : []),
      ],
    });
  };
  for (const r of ranges) {
    hole(cursor, r.start);
    const x0 = scale.x(r.start);
    const w = Math.max(2, scale.x(r.end) - x0);
    const label = fitted(w, [`${r.name} ${sizeWords(r.end - r.start)}`, r.name]);
    nodes.push({
      tag: 'g',
      attrs: { class: `memory ${r.kind}`, 'data-memory': r.name },
      title: `${r.name} (${r.kind === 'ram' ? 'RAM' : 'device'}): ${r.base}..${r.limit}, ${sizeWords(r.end - r.start)}`,
      children: [
        { tag: 'rect', attrs: { x: round(x0), y, width: round(w), height: ROW_H, fill: r.kind === 'ram' ? COLOURS.ram : COLOURS.device, stroke: COLOURS.muted, 'stroke-width': 0.5 } },
        ...(label !== null ? [text(x0 + w / 2, y + 14, label, { 'text-anchor': 'middle' })] : []),
      ],
    });
    cursor = Math.max(cursor, r.end);
  }
  hole(cursor, end);
  return nodes;
}

export interface RegimeSceneOptions {
  readonly scale: AddressScale;
  /** Total width of the scene (at least the scale's right edge plus the margin). */
  readonly width: number;
  /** Prefix of the pattern ids: unique per scene on one page. */
  readonly idPrefix?: string;
}

/** One regime: memory row, the MPU's regions, and for EL2 the shadow with the disagreements. */
export function regimeScene(board: BoardJson, name: RegimeName, options: RegimeSceneOptions): Scene {
  const regime = name === 'el2' ? board.el2 : board.el1;
  const { scale } = options;
  const prefix = options.idPrefix ?? `map-${name}`;
  const width = Math.max(options.width, Math.ceil(scale.right + RIGHT));
  const withShadow = name === 'el2';
  const disagreeing = new Set(withShadow ? board.disagreements.filter((d) => d.effective).map((d) => d.index) : []);

  const bars: Bar[] = [];
  for (const r of regime.regions) {
    const effective = r.effective.enabled ? spanOf(r.effective) : null;
    if (effective) bars.push({ ...effective, index: r.index, pair: r.effective, state: 'effective', changing: r.pending, disagrees: disagreeing.has(r.index) });
    const programmed = r.pending && r.programmed.enabled ? spanOf(r.programmed) : null;
    if (programmed) bars.push({ ...programmed, index: r.index, pair: r.programmed, state: 'pending', changing: false, disagrees: disagreeing.has(r.index) });
  }
  const lanes = packLanes(bars);
  const laneCount = Math.max(1, ...lanes.map((l) => l.lane + 1));

  const shadowBars: Bar[] = withShadow
    ? board.shadow.entries.map((e) => ({
        start: addressOf(e.base),
        end: addressOf(e.limit),
        index: e.index,
        pair: decodePair(e.prbar, e.prlar),
        state: 'shadow' as const,
        changing: false,
        disagrees: disagreeing.has(e.index),
        refcount: e.refcount,
      }))
    : [];
  const shadowLanes = packLanes(shadowBars);
  const shadowLaneCount = Math.max(1, ...shadowLanes.map((l) => l.lane + 1));

  const memY = HEADER_H + 4;
  const hwY = memY + ROW_H + 10;
  const hwH = laneCount * (LANE_H + LANE_GAP) - LANE_GAP;
  const diffs = withShadow
    ? board.disagreements.flatMap((d) => {
        const hw = decodePair(d.hardware.prbar, d.hardware.prlar);
        const span = spanOf(hw.enabled ? hw : decodePair(d.shadow.prbar, d.shadow.prlar));
        return span === null ? [] : [{ ...span, d }];
      })
    : [];
  const diffLanes = packLanes(diffs);
  const diffLaneCount = Math.max(1, ...diffLanes.map((l) => l.lane + 1));
  const diffY = hwY + hwH + 8;
  const diffH = diffLaneCount * (ROW_H + LANE_GAP) - LANE_GAP;
  const shadowY = diffY + diffH + 6;
  const shadowH = shadowLaneCount * (LANE_H + LANE_GAP) - LANE_GAP;
  const axisY = withShadow ? shadowY + shadowH + 8 : hwY + hwH + 8;
  const height = axisY + AXIS_LABELS_H;
  const plotLeft = scale.left;
  const plotRight = scale.right;

  const nodes: SceneNode[] = [];
  const enabledCount = regime.regions.filter((r) => r.effective.enabled).length;
  const sctlr = `SCTLR_${regSuffix(name)} ${regime.sctlr} (M=${regime.enabled ? 1 : 0}, BR=${regime.background ? 1 : 0}, WXN=${regime.wxn ? 1 : 0})`;
  const counts = [`${regime.regionCount} regions`, `${enabledCount} enabled`];
  if (regime.pending.length > 0) counts.push(`${regime.pending.length} pending`);
  if (regime.overlaps.length > 0) counts.push(`${regime.overlaps.length} overlap${regime.overlaps.length > 1 ? 's' : ''}`);
  nodes.push(text(8, 16, `${regimeTitle(name)} MPU`, { 'font-size': 13, 'font-weight': 'bold' }));
  const mode = !regime.enabled ? ' · MPU off: the default memory map applies' : regime.background ? ' · background region on' : '';
  nodes.push(text(LEFT, 16, `${counts.join(', ')} · ${sctlr}${mode} · MAIR_${regSuffix(name)} ${regime.mair}`, { 'font-size': 11, fill: COLOURS.muted, class: 'regime-summary' }));

  // Grid: a faint line at every boundary, so that rows can be compared by eye.
  nodes.push({
    tag: 'g',
    attrs: { class: 'grid' },
    children: scale.boundaries.map((b) => ({ tag: 'line', attrs: { x1: round(scale.x(b)), y1: memY, x2: round(scale.x(b)), y2: axisY, stroke: COLOURS.grid, 'stroke-width': 1 } })),
  });

  const rowLabel = (y: number, label: string): SceneNode => text(8, y, label, { fill: COLOURS.muted, 'font-size': 11 });
  nodes.push(rowLabel(memY + 14, 'memory'));
  nodes.push(...memoryRow(board, scale, memY, prefix));

  nodes.push(rowLabel(hwY + 15, `${regimeTitle(name)} MPU`));
  const band = { x: round(plotLeft), y: hwY - 3, width: round(plotRight - plotLeft), height: hwH + 6 };
  // Behind the bars; a caption only where no bar would cover it (the title line says it too).
  const caption = (words: string): SceneNode[] => (bars.length === 0 ? [text(plotLeft + 6, hwY + LANE_H / 2 + 3.5, words, { fill: COLOURS.muted, class: 'band-caption' })] : []);
  if (!regime.enabled) {
    nodes.push({
      tag: 'rect',
      attrs: { ...band, class: 'mpu-off', fill: `url(#${prefix}-off)`, stroke: COLOURS.stale, 'stroke-dasharray': '3 3' },
      title: `SCTLR_${regSuffix(name)}.M=0: the MPU is off and the default memory map applies; the regions below are not checked`,
    });
    nodes.push(...caption(`MPU off (SCTLR_${regSuffix(name)}.M=0): the default memory map applies`));
  } else if (regime.background) {
    nodes.push({
      tag: 'rect',
      attrs: { ...band, class: 'background-region', fill: COLOURS.background, stroke: '#f9ab00', 'stroke-dasharray': '6 3' },
      title: `SCTLR_${regSuffix(name)}.BR=1: the background region serves privileged accesses that no region matches`,
    });
    nodes.push(...caption(`background region (SCTLR_${regSuffix(name)}.BR=1): privileged accesses outside every region are allowed`));
  }
  for (const { item, lane } of lanes) nodes.push(barNode(item, regime, scale, hwY + lane * (LANE_H + LANE_GAP), prefix));
  for (const o of regime.overlaps) {
    const x0 = scale.x(addressOf(o.start));
    const w = Math.max(3, scale.x(addressOf(o.end) + 1) - x0);
    nodes.push({
      tag: 'rect',
      attrs: { x: round(x0), y: hwY - 4, width: round(w), height: hwH + 8, class: 'overlap', 'data-regions': o.regions.join(','), fill: COLOURS.alarm, 'fill-opacity': 0.28, stroke: COLOURS.alarm, 'stroke-width': 2 },
      title: `regions ${o.regions[0]} and ${o.regions[1]} overlap at ${o.start}..${o.end}: the architecture forbids it and every access there faults (multiple-regions)`,
    });
  }

  if (withShadow) {
    nodes.push(rowLabel(diffY + 14, 'shadow ≠ MPU'));
    for (const { item, lane } of diffLanes) {
      const { d } = item;
      const y = diffY + lane * (ROW_H + LANE_GAP);
      const x0 = scale.x(item.start);
      const w = Math.max(4, scale.x(item.end) - x0);
      const colour = d.effective ? COLOURS.alarm : COLOURS.stale;
      const label = fitted(w, [`≠ #${d.index} ${d.kind}`, `≠ #${d.index}`, '≠']);
      nodes.push({
        tag: 'g',
        attrs: { class: `diff-marker ${d.effective ? 'effective' : 'stale'}`, 'data-region': d.index, 'data-kind': d.kind },
        title: [
          `region ${d.index}: ${d.kind}${d.effective ? ' — the MPU enforces something the shadow does not say' : ' — stale values, enforces nothing'}`,
          `shadow PRBAR ${d.shadow.prbar} PRLAR ${d.shadow.prlar} refcount ${d.shadow.refcount}${d.shadow.used ? '' : ' (free)'}`,
          `hardware PRBAR ${d.hardware.prbar} PRLAR ${d.hardware.prlar}`,
        ].join('\n'),
        children: [
          { tag: 'rect', attrs: { x: round(x0), y, width: round(w), height: ROW_H, fill: colour, 'fill-opacity': d.effective ? 0.9 : 0.35, rx: 3 } },
          ...(label !== null ? [text(x0 + w / 2, y + 14, label, { 'text-anchor': 'middle', fill: '#ffffff', 'font-weight': 'bold' })] : []),
        ],
      });
    }
    if (board.disagreements.length === 0) nodes.push(text(plotLeft + 4, diffY + 14, 'shadow and MPU registers agree', { fill: COLOURS.muted, class: 'diff-none' }));
    nodes.push(rowLabel(shadowY + 15, 'Xen shadow'));
    for (const { item, lane } of shadowLanes) nodes.push(barNode(item, regime, scale, shadowY + lane * (LANE_H + LANE_GAP), prefix));
  }

  // The axis: every boundary's real address.
  const axis: SceneNode[] = [{ tag: 'line', attrs: { x1: round(plotLeft), y1: axisY, x2: round(plotRight), y2: axisY, stroke: COLOURS.muted } }];
  for (const b of scale.boundaries) {
    const x = scale.x(b);
    axis.push({ tag: 'line', attrs: { x1: round(x), y1: axisY, x2: round(x), y2: axisY + 5, stroke: COLOURS.muted } });
    axis.push(text(x + 3.5, axisY + 8, hexOf(b), { 'text-anchor': 'end', transform: `rotate(-90 ${round(x + 3.5)} ${axisY + 8})`, 'font-family': 'DejaVu Sans Mono, monospace', 'font-size': 9.5, fill: COLOURS.muted }));
  }
  nodes.push({ tag: 'g', attrs: { class: 'axis' }, children: axis });

  const fault = board.lastFault;
  const faultRegime: RegimeName | null = fault === null ? null : (fault.regime ?? (fault.access.el === 2 ? 'el2' : 'el1'));
  if (fault !== null && faultRegime === name) {
    const x = scale.x(addressOf(fault.address));
    const caption = `✕ last refused: ${fault.access.kind} at ${fault.address} from EL${fault.access.el} (${fault.rule})`;
    nodes.push({
      tag: 'g',
      attrs: { class: 'fault-marker', 'data-rule': fault.rule, 'data-address': fault.address },
      title: `${fault.reason}\nESR_EL${fault.takenTo} ${fault.esr}: ${fault.esrDescription}\nFAR_EL${fault.takenTo} ${fault.far}${fault.hpfar !== null ? `, HPFAR_EL2 ${fault.hpfar}` : ''}\n${fault.latched ? `latched into ESR_EL${fault.takenTo}/FAR_EL${fault.takenTo}` : 'not latched (debugger access)'}`,
      children: [
        { tag: 'line', attrs: { x1: round(x), y1: memY - 6, x2: round(x), y2: axisY, stroke: COLOURS.alarm, 'stroke-width': 2 } },
        { tag: 'polygon', attrs: { points: `${round(x - 6)},${memY - 14} ${round(x + 6)},${memY - 14} ${round(x)},${memY - 4}`, fill: COLOURS.alarm } },
        text(Math.min(x + 9, width - RIGHT), memY - 6, caption, { fill: COLOURS.alarm, 'font-weight': 'bold', ...(x + 9 + caption.length * CHAR_W > width - RIGHT ? { 'text-anchor': 'end', x: round(x - 9) } : {}) }),
      ],
    });
  }

  return {
    width,
    height,
    defs: [hatch(`${prefix}-hatch`, COLOURS.ink, 6), hatch(`${prefix}-hole`, '#d0d0d0', 8), hatch(`${prefix}-off`, '#cfd2d6', 10)],
    nodes,
    title: `${regimeTitle(name)} MPU regions of ${board.board.name}`,
  };
}

/** What the colours and marks mean. */
export function legendScene(width: number, idPrefix = 'legend'): Scene {
  const items: { label: string; node: (x: number, y: number) => SceneNode }[] = [];
  const swatch = (colour: string, extra: Record<string, string | number> = {}) => (x: number, y: number): SceneNode => ({
    tag: 'rect',
    attrs: { x, y, width: 18, height: 12, fill: colour, stroke: COLOURS.ink, 'stroke-width': 0.75, ...extra },
  });
  items.push({ label: 'RO, executable', node: swatch(COLOURS['ro-x']) });
  items.push({ label: 'RO, XN', node: swatch(COLOURS['ro-xn']) });
  items.push({ label: 'RW, XN', node: swatch(COLOURS['rw-xn']) });
  items.push({ label: 'RW, executable', node: swatch(COLOURS['rw-x']) });
  items.push({ label: 'device (MAIR), RW', node: swatch(COLOURS['dev-rw']) });
  items.push({ label: 'device, RO', node: swatch(COLOURS['dev-ro']) });
  items.push({ label: 'pending (no DSB+ISB yet)', node: swatch(`url(#${idPrefix}-hatch)`, { 'stroke-dasharray': '4 2' }) });
  items.push({ label: 'overlap', node: swatch(COLOURS.alarm, { 'fill-opacity': 0.28, stroke: COLOURS.alarm, 'stroke-width': 2 }) });
  items.push({ label: 'shadow ≠ MPU', node: swatch(COLOURS.alarm, { rx: 3, stroke: 'none' }) });
  items.push({ label: 'background region (BR=1)', node: swatch(COLOURS.background, { stroke: '#f9ab00', 'stroke-dasharray': '6 3' }) });
  items.push({ label: 'unmapped', node: swatch(`url(#${idPrefix}-hole)`, { stroke: COLOURS.grid }) });
  items.push({
    label: 'last refused access',
    node: (x: number, y: number) => ({ tag: 'line', attrs: { x1: x + 9, y1: y - 2, x2: x + 9, y2: y + 14, stroke: COLOURS.alarm, 'stroke-width': 2 } }),
  });
  const nodes: SceneNode[] = [];
  let x = 8;
  let y = 6;
  for (const item of items) {
    const w = 18 + 6 + item.label.length * CHAR_W + 18;
    if (x + w > width && x > 8) {
      x = 8;
      y += 20;
    }
    nodes.push({ tag: 'g', attrs: { class: 'legend-item' }, children: [item.node(x, y), text(x + 24, y + 10, item.label)] });
    x += w;
  }
  return {
    width,
    height: y + 20,
    defs: [hatch(`${idPrefix}-hatch`, COLOURS.ink, 6), hatch(`${idPrefix}-hole`, '#d0d0d0', 8)],
    nodes,
    title: 'legend of the MPU region map',
  };
}

/** A line of text across the top: the board and its core. */
export function captionScene(board: BoardJson, width: number): Scene {
  const core = `core ${board.core.running ? 'running' : 'halted'} at pc ${board.core.pc}, EL${board.core.el}`;
  return {
    width,
    height: 24,
    defs: [],
    nodes: [text(8, 17, `${board.board.name} — ${core} — disable mode ${board.shadow.disableMode}`, { 'font-size': 13 })],
    title: board.board.name,
  };
}

/** The whole board in one drawing: what `mpustub regions --svg` writes. */
export function boardScenes(board: BoardJson, width: number): Scene[] {
  const scale = boardScale(board, width);
  const w = Math.max(width, Math.ceil(scale.right + RIGHT));
  return [
    captionScene(board, w),
    regimeScene(board, 'el2', { scale, width: w, idPrefix: 'svg-el2' }),
    regimeScene(board, 'el1', { scale, width: w, idPrefix: 'svg-el1' }),
    legendScene(w, 'svg-legend'),
  ];
}
