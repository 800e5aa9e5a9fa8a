// Draws docs/performance.svg: read and write throughput against transfer size for each stub and
// the median round trips, raw and through GDB (from `npm run bench -- --json FILE`), and MPU
// check cost against region count (measured here). `npm run bench:chart -- FILE`. Plain SVG,
// no dependencies.

import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { EL2_ONLY, mpuWithAdjacentRegions } from './mpuFixture.js';

interface BenchJson {
  readonly machine: string;
  readonly runs: number;
  readonly load?: { readonly before: string; readonly after: string };
  readonly sizes: number[];
  readonly results: Record<string, Record<string, number>>;
}

const COLORS: Record<string, string> = { mpustub: '#1f77b4', QEMU: '#d62728', 'null stub': '#7f7f7f', 'null stub (Python)': '#bcbd22' };
/** Colours for --extra stubs, in order of appearance. */
const EXTRA_COLORS = ['#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b'];
const extraColors = new Map<string, string>();

function colorOf(stub: string): string {
  const known = COLORS[stub];
  if (known) return known;
  if (!extraColors.has(stub)) extraColors.set(stub, EXTRA_COLORS[extraColors.size % EXTRA_COLORS.length]!);
  return extraColors.get(stub)!;
}

function mpuCost(regions: number): number {
  const mpu = mpuWithAdjacentRegions(regions, 0x400);
  const control = EL2_ONLY;
  const span = regions * 0x400 - 8;
  const n = 1_000_000;
  for (let i = 0; i < 100_000; i++) mpu.check({ address: (i * 0x48) % span, size: 8, kind: 'read', el: 2 }, control);
  const start = performance.now();
  for (let i = 0; i < n; i++) mpu.check({ address: (i * 0x48) % span, size: 8, kind: 'read', el: 2 }, control);
  return ((performance.now() - start) * 1e6) / n;
}

function panel(x0: number, title: string, xLabels: string[], series: Array<{ name: string; color: string; dash?: string; values: number[] }>, yUnit: string): string {
  const w = 420;
  const h = 260;
  const left = x0 + 55;
  const top = 40;
  const plotW = w - 80;
  const plotH = h - 90;
  const max = Math.max(...series.flatMap((s) => s.values)) * 1.15 || 1;
  const x = (i: number) => left + (xLabels.length === 1 ? plotW / 2 : (i * plotW) / (xLabels.length - 1));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const parts = [`<text x="${x0 + w / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${title}</text>`];
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#000"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#000"/>`);
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="10">${v >= 10 ? v.toFixed(0) : v.toFixed(1)}</text>`);
  }
  parts.push(`<text x="${x0 + 14}" y="${top + plotH / 2}" font-size="11" transform="rotate(-90 ${x0 + 14} ${top + plotH / 2})" text-anchor="middle">${yUnit}</text>`);
  xLabels.forEach((label, i) => parts.push(`<text x="${x(i)}" y="${top + plotH + 16}" text-anchor="middle" font-size="10">${label}</text>`));
  series.forEach((s, k) => {
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''} points="${points}"/>`);
    s.values.forEach((v, i) => parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"/>`));
    // Two columns: a stub's write and read lines side by side.
    parts.push(`<text x="${left - 40 + 195 * (k % 2)}" y="${top + plotH + 34 + 11 * Math.floor(k / 2)}" font-size="9" fill="${s.color}">${s.dash ? '- - ' : '— '}${s.name}</text>`);
  });
  return parts.join('\n');
}

/** Grouped bars: one group per category, one bar per series. */
function bars(x0: number, title: string, categories: string[], series: Array<{ name: string; color: string; values: Array<number | undefined> }>, yUnit: string): string {
  const w = 420;
  const h = 260;
  const left = x0 + 55;
  const top = 40;
  const plotW = w - 80;
  const plotH = h - 90;
  const max = Math.max(...series.flatMap((s) => s.values.filter((v): v is number => v !== undefined))) * 1.15 || 1;
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const group = plotW / categories.length;
  const bar = (group * 0.8) / Math.max(1, series.length);
  const parts = [`<text x="${x0 + w / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${title}</text>`];
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#000"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#000"/>`);
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="10">${v.toFixed(0)}</text>`);
  }
  parts.push(`<text x="${x0 + 14}" y="${top + plotH / 2}" font-size="11" transform="rotate(-90 ${x0 + 14} ${top + plotH / 2})" text-anchor="middle">${yUnit}</text>`);
  categories.forEach((label, c) => parts.push(`<text x="${(left + group * (c + 0.5)).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle" font-size="10">${label}</text>`));
  series.forEach((s, k) => {
    s.values.forEach((v, c) => {
      if (v === undefined) return;
      const x = left + group * c + group * 0.1 + bar * k;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bar - 1).toFixed(1)}" height="${(top + plotH - y(v)).toFixed(1)}" fill="${s.color}"/>`);
    });
    parts.push(`<text x="${left - 40 + 195 * (k % 2)}" y="${top + plotH + 34 + 11 * Math.floor(k / 2)}" font-size="9" fill="${s.color}">■ ${s.name}</text>`);
  });
  return parts.join('\n');
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node dist/tools/benchChart.js BENCH.json [OUT.svg]\n');
  process.exit(2);
}
const bench = JSON.parse(readFileSync(file, 'utf8')) as BenchJson;
const sizeLabels = bench.sizes.map((s) => (s >= 1 << 20 ? `${s >> 20} MiB` : `${s >> 10} KiB`));
const throughput: Array<{ name: string; color: string; dash?: string; values: number[] }> = [];
for (const [stub, figures] of Object.entries(bench.results)) {
  const color = colorOf(stub);
  throughput.push({ name: `${stub} write`, color, values: bench.sizes.map((s) => s / figures[`write_${s}`]! / 1e6) });
  throughput.push({ name: `${stub} read`, color, dash: '5,4', values: bench.sizes.map((s) => s / figures[`read_${s}`]! / 1e6) });
}
const tripKeys: Array<[string, string]> = [
  ['raw m', 'raw_m'],
  ['raw g', 'raw_g'],
  ['GDB register', 'register_read'],
  ['GDB x/1xg', 'memory_read'],
];
const trips = Object.entries(bench.results).map(([stub, figures]) => ({
  name: stub,
  color: colorOf(stub),
  values: tripKeys.map(([, key]) => (figures[key] === undefined ? undefined : figures[key]! * 1e6)),
}));
const counts = [1, 8, 32, 64, 128, 255];
const cost = counts.map(mpuCost);
const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const svg = [
  '<svg xmlns="http://www.w3.org/2000/svg" width="1290" height="345" font-family="sans-serif">',
  '<rect width="1290" height="345" fill="#fff"/>',
  panel(0, 'GDB transfer throughput (restore / dump)', sizeLabels, throughput, 'MB/s'),
  bars(430, 'Round trips (median)', tripKeys.map(([label]) => label), trips, 'µs'),
  panel(860, 'MPU check cost (8-byte read)', counts.map(String), [{ name: 'mpustub', color: COLORS['mpustub']!, values: cost }], 'ns per access'),
  `<text x="645" y="322" text-anchor="middle" font-size="9" fill="#555">${escape(bench.machine)}</text>`,
  bench.load ? `<text x="645" y="336" text-anchor="middle" font-size="9" fill="#555">load average ${escape(bench.load.before)} before, ${escape(bench.load.after)} after; ${bench.runs} interleaved runs</text>` : '',
  '</svg>',
].join('\n');
const out = process.argv[3] ?? new URL('../../docs/performance.svg', import.meta.url).pathname;
writeFileSync(out, `${svg}\n`);
process.stdout.write(`wrote ${out} (MPU check ns for ${counts.join('/')} regions: ${cost.map((c) => c.toFixed(0)).join('/')})\n`);
