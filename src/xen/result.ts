// What every map operation answers: Xen's return code with its errno name, the lines Xen
// printed, the entry touched, what happened to it, and for refusals the conflicting region.

import type { MapRequest } from './requests.js';
import type { XenErrnoName, XenErrorCode } from './errno.js';
import { layoutToJson, type XenImageLayout } from './layout.js';
import { hex } from './printk.js';
import { regionBase, regionLimit } from './region.js';
import type { ShadowEntry } from './shadow.js';

/** What an operation did to the table. */
export type Effect =
  | 'inserted'
  | 'referenced'
  | 'unreferenced'
  | 'modified'
  | 'removed'
  | 'booted'
  | 'freed-init'
  | 'after-init'
  | 'refused';

/** One shadow entry with its bounds decoded (half-open). */
export interface RegionView {
  readonly index: number;
  readonly base: bigint;
  readonly limit: bigint;
  readonly prbar: bigint;
  readonly prlar: bigint;
  readonly refcount: number;
}

export function regionView(index: number, entry: ShadowEntry): RegionView {
  return { index, base: regionBase(entry), limit: regionLimit(entry), prbar: entry.prbar, prlar: entry.prlar, refcount: entry.refcount };
}

/** The answer of the port (mpumap.ts) to one call. */
export interface PortResult {
  readonly rc: 0 | XenErrorCode;
  readonly errno: XenErrnoName | null;
  /** Xen's printk lines, without the console's "(XEN) " prefix. */
  readonly messages: readonly string[];
  /** The entry changed, or for a refusal the entry it is about; null when there is none. */
  readonly index: number | null;
  readonly effect: Effect;
  /** For refusals caused by an existing region: that region as it stands. */
  readonly conflict: RegionView | null;
  /** ioremap_attr(): the address returned (NULL -> null). */
  readonly address?: bigint | null;
}

/** A request to the service, with its arguments as the Xen function takes them. */
/** A map operation of the table in requests.ts, or one of Xen's boot-time calls. */
export type OperationRequest =
  | MapRequest
  | { readonly op: 'boot'; readonly layout: XenImageLayout }
  | { readonly op: 'free-init'; readonly layout: XenImageLayout }
  | { readonly op: 'after-init'; readonly layout: XenImageLayout };

export type OperationName = OperationRequest['op'];

/** A completed operation as the service reports and publishes it. */
export interface OperationResult extends PortResult {
  /** 1, 2, 3... in the order the service applied the operations. */
  readonly sequence: number;
  readonly request: OperationRequest;
}

export function regionViewToJson(view: RegionView): Record<string, unknown> {
  return {
    index: view.index,
    base: hex(view.base),
    limit: hex(view.limit),
    prbar: hex(view.prbar),
    prlar: hex(view.prlar),
    refcount: view.refcount,
  };
}

export function requestToJson(request: OperationRequest): Record<string, unknown> {
  switch (request.op) {
    case 'update':
      return { op: request.op, base: hex(request.base), limit: hex(request.limit), flags: hex(request.flags) };
    case 'map':
      return { op: request.op, virt: hex(request.virt), mfn: hex(request.mfn), nr: hex(request.nr), flags: hex(request.flags) };
    case 'destroy':
      return { op: request.op, start: hex(request.start), end: hex(request.end) };
    case 'modify':
      return { op: request.op, start: hex(request.start), end: hex(request.end), flags: hex(request.flags) };
    case 'ioremap':
      return { op: request.op, start: hex(request.start), len: hex(request.len), flags: hex(request.flags) };
    case 'destroy-containing':
      return { op: request.op, addr: hex(request.addr) };
    case 'boot':
    case 'free-init':
    case 'after-init':
      return { op: request.op, layout: layoutToJson(request.layout) };
  }
}

/** The JSON body of an operation's answer: numbers that may exceed 2^53 as "0x..." strings. */
export function resultToJson(result: OperationResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    rc: result.rc,
    errno: result.errno,
    messages: result.messages,
    index: result.index,
    effect: result.effect,
    conflict: result.conflict === null ? null : regionViewToJson(result.conflict),
    sequence: result.sequence,
    request: requestToJson(result.request),
  };
  if (result.address !== undefined) out['address'] = result.address === null ? null : hex(result.address);
  return out;
}
