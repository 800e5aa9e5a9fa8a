// Operation requests from outside, in one place: a JSON object (HTTP API, scenario files) or
// words (GDB monitor, CLI) become an OperationRequest with every field checked. Each operation
// names its fields once here, in the order the Xen function takes them, and every request
// built here has its range checked once (checkRequestRange), so the API, scenarios, the monitor
// and the CLI cannot disagree about what they accept.

import { parseFlags } from './flags.js';
import { checkFields, checkRangeEnd, InputError, isPlainObject, parseAddress, parseBounded, parseLimit } from './input.js';
import { parseLayout } from './layout.js';
import { mapPagesLimit } from './mpumap.js';
import { PAGE_SIZE } from './plan.js';
import { hex } from './printk.js';
import type { OperationRequest } from './result.js';

export type FieldKind = 'address' | 'limit' | 'page' | 'pages' | 'flags';

export interface OperationSpec {
  readonly op: string;
  /** Other names the monitor, the CLI and the GDB scripts accept (the CLI shows the first). */
  readonly aliases?: readonly string[];
  /** The Xen function the request calls. */
  readonly xenFunction: string;
  readonly fields: readonly (readonly [string, FieldKind])[];
  readonly summary: string;
}

/** Flags are a number; addresses, limits, page numbers and counts are 64-bit (bigint). */
type FieldValue<K extends FieldKind> = K extends 'flags' ? number : bigint;
type FieldsOf<S extends OperationSpec> = { readonly [F in S['fields'][number] as F[0]]: FieldValue<F[1]> };
/** The request of one table entry: its op and its fields with their types. */
type RequestOf<S> = S extends OperationSpec ? { readonly op: S['op'] } & FieldsOf<S> : never;

/** A page number (mfn) names a page of the 48-bit space: at most 2^36 - 1. */
const PAGE_NUMBER_MAX = (1n << 36n) - 1n;
/**
 * A page count (nr) is at most the whole space, 2^36 pages. Bounding each of mfn and nr does not
 * bound their sum: checkRequestRange refuses mfn + nr pages past 2^48.
 */
const PAGE_COUNT_MAX = 1n << 36n;

/**
 * Every map operation, once: its name, the Xen function, its fields in that function's argument
 * order. The request type (MapRequest), the HTTP routes, the monitor commands, the CLI client and,
 * through `monitor xen ops json`, the GDB scripts all follow this table.
 */
export const OPERATIONS = [
  { op: 'update', xenFunction: 'xen_mpumap_update', fields: [['base', 'address'], ['limit', 'limit'], ['flags', 'flags']], summary: 'create, update or destroy [base, limit) with flags' },
  { op: 'map', xenFunction: 'map_pages_to_xen', fields: [['virt', 'address'], ['mfn', 'page'], ['nr', 'pages'], ['flags', 'flags']], summary: 'map nr pages at mfn (virt must equal mfn << 12)' },
  { op: 'destroy', aliases: ['unmap'], xenFunction: 'destroy_xen_mappings', fields: [['start', 'address'], ['end', 'limit']], summary: 'remove [start, end)' },
  { op: 'modify', xenFunction: 'modify_xen_mappings', fields: [['start', 'address'], ['end', 'limit'], ['flags', 'flags']], summary: 'change the permissions of [start, end)' },
  { op: 'ioremap', xenFunction: 'ioremap_attr', fields: [['start', 'address'], ['len', 'limit'], ['flags', 'flags']], summary: 'map a device range' },
  { op: 'destroy-containing', xenFunction: 'destroy_xen_mapping_containing', fields: [['addr', 'address']], summary: 'remove the region containing addr' },
] as const satisfies readonly OperationSpec[];

/** A request of one of the map operations of the table (boot-time calls are in result.ts). */
export type MapRequest = RequestOf<(typeof OPERATIONS)[number]>;
export type MapOperationName = MapRequest['op'];

/** The table entry an operation name or alias selects. */
export function operationNamed(name: string): OperationSpec | undefined {
  return OPERATIONS.find((o) => o.op === name || (o as OperationSpec).aliases?.includes(name));
}

export function operationSpec(op: string): OperationSpec | undefined {
  return OPERATIONS.find((o) => o.op === op);
}

/** Every name an operation answers to: its own, then its aliases. */
export function namesOf(spec: OperationSpec): readonly string[] {
  return [spec.op, ...(spec.aliases ?? [])];
}

function parseField(kind: FieldKind, value: unknown, field: string): bigint | number {
  switch (kind) {
    case 'address':
      return parseAddress(value, field);
    case 'limit':
      return parseLimit(value, field);
    case 'page':
      return parseBounded(value, field, PAGE_NUMBER_MAX);
    case 'pages':
      return parseBounded(value, field, PAGE_COUNT_MAX);
    case 'flags':
      return parseFlags(value, field);
  }
}

/**
 * The range check every request built from outside input goes through, JSON and words alike:
 * the exclusive end of the range the Xen function will work on must not pass 2^48 (see
 * checkRangeEnd). `at` names a field as the caller's input names it. Where the end is one input
 * (update, destroy, modify) its parser has already bounded it, and destroy-containing's page is
 * inside the space whenever its address is page aligned (otherwise Xen refuses it with -EINVAL,
 * which is kept); they are checked all the same, so that a change to a parser cannot reopen
 * the hole. map and ioremap compute their end from two inputs, and that is where it matters.
 */
function checkRequestRange(request: OperationRequest, at: (field: string) => string): void {
  switch (request.op) {
    case 'update':
      return checkRangeEnd(request.limit, at('limit'), `limit ${hex(request.limit)}`);
    case 'map':
      // virt is the base (VA == PA on MPU systems) and is below 2^48 by its parser; the end is
      // computed from mfn and nr only, exactly as the port computes it.
      return checkRangeEnd(mapPagesLimit(request.mfn, request.nr), at('nr'), `mfn ${hex(request.mfn)} + nr ${hex(request.nr)} pages`);
    case 'destroy':
    case 'modify':
      return checkRangeEnd(request.end, at('end'), `end ${hex(request.end)}`);
    case 'ioremap':
      // The port rounds start + len up to a page; 2^48 is a page boundary, so the rounded end
      // passes 2^48 exactly when start + len does, and the message can show the sum given.
      return checkRangeEnd(request.start + request.len, at('len'), `start ${hex(request.start)} + len ${hex(request.len)}`);
    case 'destroy-containing': {
      const page = request.addr - (request.addr % PAGE_SIZE);
      return checkRangeEnd(page + PAGE_SIZE, at('addr'), `the page at ${hex(page)}`);
    }
    case 'boot':
    case 'free-init':
    case 'after-init':
      // Layouts are checked section by section by parseLayout.
      return;
  }
}

function build(op: string, values: Record<string, bigint | number>, at: (field: string) => string): OperationRequest {
  // The fields were parsed by kind from the table's entry for `op`: this is that entry's request.
  const request = { op, ...values } as MapRequest;
  checkRequestRange(request, at);
  return request;
}

/** The body of `POST /v1/<op>` (or one entry of a scenario, without its "op"). */
export function requestFromJson(op: string, body: unknown, where = ''): OperationRequest {
  const at = (k: string): string => (where === '' ? k : `${where}.${k}`);
  if (op === 'boot' || op === 'free-init' || op === 'after-init') {
    if (body !== undefined && !isPlainObject(body)) throw new InputError(where === '' ? 'body' : where, 'expected an object');
    const object = (body ?? {}) as Record<string, unknown>;
    checkFields(object, ['layout'], [], where);
    return { op, layout: parseLayout(object['layout'], at('layout')) };
  }
  const spec = operationSpec(op);
  if (!spec) throw new InputError(at('op'), `unknown operation "${op}" (known: ${[...OPERATIONS.map((o) => o.op), 'boot', 'free-init', 'after-init'].join(', ')})`);
  if (!isPlainObject(body)) throw new InputError(where === '' ? 'body' : where, `expected a JSON object with ${spec.fields.map(([f]) => `"${f}"`).join(', ')}`);
  const names = spec.fields.map(([f]) => f);
  checkFields(body, names, names, where);
  const values: Record<string, bigint | number> = {};
  for (const [name, kind] of spec.fields) values[name] = parseField(kind, body[name], at(name));
  return build(spec.op, values, at);
}

/** One scenario entry: `{"op": "...", ...fields}`. */
export function requestFromScenarioEntry(entry: unknown, where: string): OperationRequest {
  if (!isPlainObject(entry)) throw new InputError(where, 'expected an object with "op"');
  const { op, ...rest } = entry;
  if (typeof op !== 'string') throw new InputError(`${where}.op`, op === undefined ? 'missing' : 'expected a string');
  return requestFromJson(op, rest, where);
}

/** Words after the operation name, in the Xen function's argument order (monitor and CLI). */
export function requestFromWords(op: string, words: readonly string[]): OperationRequest {
  const spec = operationSpec(op);
  if (!spec) throw new InputError('operation', `unknown operation "${op}"`);
  const usage = `${op} ${spec.fields.map(([f]) => f.toUpperCase()).join(' ')}`;
  if (words.length !== spec.fields.length) {
    throw new InputError(op, `expected ${spec.fields.length} argument${spec.fields.length === 1 ? '' : 's'} (${usage}), got ${words.length}`);
  }
  const values: Record<string, bigint | number> = {};
  spec.fields.forEach(([name, kind], i) => {
    values[name] = parseField(kind, words[i], name);
  });
  return build(spec.op, values, (field) => field);
}

export function usageOf(op: string): string {
  const spec = operationSpec(op);
  return spec ? `${op} ${spec.fields.map(([f]) => f.toUpperCase()).join(' ')}` : op;
}
