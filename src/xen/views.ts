// The map service's answers as JSON (the HTTP API's bodies) and as text (GDB monitor and the
// CLI's tables). Text is rendered from the JSON form, so what a GDB user reads and what a
// script parses are the same facts.

import type { Disagreement } from './diff.js';
import { describeFlags } from './flags.js';
import { hex } from './printk.js';
import { regionViewToJson, resultToJson, type OperationResult } from './result.js';
import type { RegionsView } from './service.js';

export interface RegionJson {
  readonly index: number;
  readonly base: string;
  readonly limit: string;
  readonly prbar: string;
  readonly prlar: string;
  readonly refcount: number;
}

export interface ResultJson {
  readonly rc: number;
  readonly errno: string | null;
  readonly messages: readonly string[];
  readonly index: number | null;
  readonly effect: string;
  readonly conflict: RegionJson | null;
  readonly sequence: number;
  readonly request: Record<string, unknown>;
  readonly address?: string | null;
  /** Regions where the MPU enforces something the shadow does not say, right after the operation. */
  readonly disagreements?: readonly DisagreementJson[];
}

export interface RegionsJson {
  readonly maxRegions: number;
  readonly disableMode: string;
  readonly mask: string;
  readonly shadow: readonly RegionJson[];
  readonly hardware: readonly { readonly index: number; readonly prbar: string; readonly prlar: string; readonly enabled: boolean }[];
  readonly prenr: string;
  readonly prselr: string;
  readonly sctlr_el2: string;
}

export interface DisagreementJson {
  readonly index: number;
  readonly kind: string;
  readonly effective: boolean;
  readonly shadow: { readonly prbar: string; readonly prlar: string; readonly refcount: number; readonly used: boolean };
  readonly hardware: { readonly prbar: string; readonly prlar: string };
}

export function resultJson(result: OperationResult, disagreements?: readonly Disagreement[]): ResultJson {
  const json = resultToJson(result) as unknown as ResultJson;
  const effective = (disagreements ?? []).filter((d) => d.effective);
  return effective.length > 0 ? { ...json, disagreements: diffJson(effective) } : json;
}

export function regionsJson(view: RegionsView): RegionsJson {
  return {
    maxRegions: view.shadow.maxRegions,
    disableMode: view.disableMode,
    mask: hex(view.shadow.bitmap),
    shadow: view.shadow.enabled.map((r) => regionViewToJson(r) as unknown as RegionJson),
    hardware: view.hardware.regions.map((r) => ({ index: r.index, prbar: hex(r.prbar), prlar: hex(r.prlar), enabled: (r.prlar & 1n) === 1n })),
    prenr: hex(view.hardware.prenr),
    prselr: hex(view.hardware.prselr),
    sctlr_el2: hex(view.hardware.sctlr),
  };
}

export function diffJson(list: readonly Disagreement[]): DisagreementJson[] {
  return list.map((d) => ({
    index: d.index,
    kind: d.kind,
    effective: d.effective,
    shadow: { prbar: hex(d.shadow.prbar), prlar: hex(d.shadow.prlar), refcount: d.shadow.refcount, used: d.shadow.used },
    hardware: { prbar: hex(d.hardware.prbar), prlar: hex(d.hardware.prlar) },
  }));
}

/** PRBAR/PRLAR attributes in words: RO/RW, XN, memory type index. */
function attributes(prbar: string, prlar: string): string {
  const bar = BigInt(prbar);
  const lar = BigInt(prlar);
  const ro = (bar >> 3n) & 1n ? 'RO' : 'RW';
  const xn = (bar >> 1n) & 1n ? 'XN' : 'X ';
  return `${ro} ${xn} AttrIndx=${(lar >> 1n) & 7n}`;
}

export function formatResult(result: ResultJson): string {
  const lines = result.messages.map((m) => `(XEN) ${m}`);
  const request = Object.entries(result.request)
    .filter(([k]) => k !== 'op' && k !== 'layout')
    .map(([k, v]) => `${k}=${k === 'flags' ? `${String(v)} (${describeFlags(Number(v))})` : String(v)}`)
    .join(' ');
  lines.push(`#${result.sequence} ${String(result.request['op'])}${request ? ` ${request}` : ''}`);
  lines.push(`rc ${result.rc}${result.errno ? ` (${result.errno})` : ''}: ${result.effect}${result.index !== null ? `, entry ${result.index}` : ''}${result.address !== undefined ? `, address ${result.address ?? 'NULL'}` : ''}`);
  if (result.conflict) {
    const c = result.conflict;
    lines.push(`conflicting region ${c.index}: [${c.base}, ${c.limit}) ${attributes(c.prbar, c.prlar)} refcount ${c.refcount}`);
  }
  for (const d of result.disagreements ?? []) {
    lines.push(`warning: region ${d.index} is ${d.kind === 'enabled-in-hardware-only' ? 'still enabled in the MPU while the shadow says it is free (upstream disable quirk, docs/xen-divergences.md)' : `${d.kind} between the shadow and the MPU`}; "xen diff" shows both`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatRegions(view: RegionsJson): string {
  const lines = [
    `xen_mpumap: ${view.shadow.length} of ${view.maxRegions} entries in use, mask ${view.mask}; disable mode ${view.disableMode}; SCTLR_EL2 ${view.sctlr_el2}`,
  ];
  if (view.shadow.length > 0) {
    lines.push('  #  base               limit (exclusive)  prbar          prlar          attributes         refs');
    for (const r of view.shadow) {
      lines.push(`${String(r.index).padStart(3)}  ${r.base.padEnd(18)} ${r.limit.padEnd(18)} ${r.prbar.padEnd(14)} ${r.prlar.padEnd(14)} ${attributes(r.prbar, r.prlar).padEnd(18)} ${r.refcount}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function formatDiff(list: readonly DisagreementJson[]): string {
  if (list.length === 0) return 'shadow and hardware agree on every region\n';
  const lines = [`${list.length} region(s) where the shadow (xen_mpumap) and the MPU registers disagree:`];
  for (const d of list) {
    lines.push(
      `  region ${d.index}: ${d.kind}${d.effective ? ' (the MPU enforces something the shadow does not say)' : ' (stale, enforces nothing)'}; shadow PRBAR ${d.shadow.prbar} PRLAR ${d.shadow.prlar} refs ${d.shadow.refcount}${d.shadow.used ? '' : ' (free)'}; hardware PRBAR ${d.hardware.prbar} PRLAR ${d.hardware.prlar}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
