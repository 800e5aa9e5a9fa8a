// The packet table: every packet the stub understands, its handler and the reply forms it
// produces. Lookup is longest prefix first; anything not in the table gets the empty reply,
// which is how GDB learns a packet is unsupported. Handlers speak only in terms of the
// DebugTarget contract and throw TargetError / MalformedPacketError; the session turns those
// into `E NN` replies in one place (src/rsp/session.ts).

import {
  escapeBinary,
  hexToBytes,
  hexToText,
  MalformedPacketError,
  parseHexNumber,
  parseHexSmall,
  unescapeBinaryInPlace,
  unescapedLength,
} from './codec.js';
import {
  TargetErrno,
  TargetError,
  type BreakpointType,
  type CapabilityName,
  type DebugTarget,
  type ResumeAction,
  type StopEvent,
  type TargetCapabilities,
} from './target.js';
import { LLDB_PACKETS } from './lldbPackets.js';

/**
 * What a handler answers. `hex`: bytes the session sends as hex, encoded straight into the
 * reply's frame (registers, `m`). `none` = no reply now (a resume answers later with a stop
 * reply).
 */
export type Reply =
  /**
   * `afterReply`: work the reply does not depend on, done right after the reply is written and
   * before anything else reaches the target (an X packet's bytes are stored while GDB prepares
   * its next packet).
   */
  | { readonly kind: 'text'; readonly text: string; readonly afterReply?: () => void }
  | { readonly kind: 'hex'; readonly bytes: Uint8Array }
  | { readonly kind: 'binary'; readonly bytes: Uint8Array }
  | { readonly kind: 'none' };

/** Features GDB announced in its qSupported; they change a few reply forms. */
export interface ClientFeatures {
  swbreak: boolean;
  hwbreak: boolean;
  /** GDB accepts `E.text` replies everywhere. */
  errorMessage: boolean;
  /** LLDB sent QEnableErrorStrings: errors may carry text as `E NN;hex` (LLDB takes `E.text` for data). */
  errorStrings: boolean;
}

/**
 * Extended-remote state of one connection. In plain `target remote` the board is the one
 * process and is always attached; after `!` the debugger may detach from it and stay connected,
 * attach again (`vAttach`), restart it (`vRun`) or kill it (`vKill`).
 */
export interface ProcessState {
  extended: boolean;
  /** `attached`: it existed before us (qAttached 1); `created`: started by vRun (qAttached 0). */
  process: 'attached' | 'created' | 'none';
}

/** The one process id the board is known by. */
export const PROCESS_ID = 1;

/** What the session offers handlers beyond the target. */
export interface PacketContext {
  readonly target: DebugTarget;
  readonly features: ClientFeatures;
  readonly state: ProcessState;
  /** Largest packet GDB may send us, frame and checksum included (advertised as PacketSize). */
  readonly packetSize: number;
  /** Turn acks off once the reply to QStartNoAckMode has gone out. */
  enterNoAckMode(): void;
  /** Resume the target, passing `signal` (0 = none); the stop reply is sent when it stops. */
  resume(action: ResumeAction, signal: number): void;
  /** The `T` stop reply for a stop event. */
  stopReply(stop: StopEvent): string;
  /** Send console text now (an `O` packet), ahead of the final reply. */
  console(text: string): void;
  /** The debugger leaves (D) or kills (k): the session ends after the reply, the server lives on. */
  endSession(reason: 'detach' | 'kill'): void;
}

/** `payload` is lent: it is read before the handler returns (an asynchronous one reads `args`). */
export type Handler = (ctx: PacketContext, args: string, payload: Uint8Array) => Reply | Promise<Reply>;

/** One entry of the packet table: how it is matched, what it needs, and how the session treats it. */
export interface PacketSpec {
  /** The prefix that selects this handler. */
  readonly prefix: string;
  /** True when the whole packet must equal the prefix (e.g. `?`, `g`, `vCont?`). */
  readonly exact?: boolean;
  /** The target capability it needs; without it the packet gets the empty reply (unsupported). */
  readonly needs?: CapabilityName;
  /** Honoured while the core runs: GDB may detach or kill without interrupting first. */
  readonly whileRunning?: boolean;
  /** A failure is also written to the console, where GDB shows `monitor` output. */
  readonly consoleOnError?: boolean;
  /** The qSupported feature this packet stands for, offered when the packet is available. */
  readonly feature?: string;
  readonly handler: Handler;
}

/** A capability a handler's packet declared in `needs` (the session checked it is there). */
export function capability<K extends CapabilityName>(ctx: PacketContext, name: K): NonNullable<TargetCapabilities[K]> {
  const found = ctx.target.capabilities[name];
  if (found === undefined) throw new TargetError(TargetErrno.EIO, `the target has no ${name} capability`);
  return found as NonNullable<TargetCapabilities[K]>;
}

export const text = (t: string): Reply => ({ kind: 'text', text: t });
const OK = text('OK');
const EMPTY = text('');
const NONE: Reply = { kind: 'none' };

/** Our single thread's id; GDB shows it as "Thread 1". */
export const THREAD_ID = 1;

function splitOnce(s: string, sep: string, what: string): [string, string] {
  const at = s.indexOf(sep);
  if (at < 0) throw new MalformedPacketError(`${what}: expected "${sep}" in "${s}"`);
  return [s.slice(0, at), s.slice(at + 1)];
}

/** `addr,length` as used by m, M, X, x. */
function addressAndLength(s: string, what: string): { address: bigint; length: number } {
  const [a, l] = splitOnce(s, ',', what);
  return { address: parseHexNumber(a, `${what} address`), length: parseHexSmall(l, `${what} length`) };
}

/** The most data bytes an `m` reply may carry so that it fits our own packet size. */
function maxHexReadLength(ctx: PacketContext): number {
  return Math.floor((ctx.packetSize - 4) / 2);
}

function readMemoryHandler(binary: boolean): Handler {
  return (ctx, args) => {
    const { address, length } = addressAndLength(args, binary ? 'x' : 'm');
    const wanted = Math.min(length, binary ? ctx.packetSize - 5 : maxHexReadLength(ctx));
    if (wanted === 0) return binary ? { kind: 'binary', bytes: Uint8Array.of(0x62) } : EMPTY;
    const data = ctx.target.readMemory(address, wanted);
    if (!binary) return { kind: 'hex', bytes: data };
    const escaped = escapeBinary(data);
    const reply = new Uint8Array(escaped.length + 1);
    reply[0] = 0x62; // 'b'
    reply.set(escaped, 1);
    return { kind: 'binary', bytes: reply };
  };
}

const writeMemoryHex: Handler = (ctx, args) => {
  const [where, hex] = splitOnce(args, ':', 'M');
  const { address, length } = addressAndLength(where, 'M');
  const data = hexToBytes(hex, 'M data');
  if (data.length !== length) throw new MalformedPacketError(`M announces ${length} bytes but carries ${data.length}`);
  if (length > 0) ctx.target.writeMemory(address, data);
  return OK;
};

const writeMemoryBinary: Handler = (ctx, args, payload) => {
  const colon = payload.indexOf(0x3a);
  if (colon < 0) throw new MalformedPacketError('X: expected ":" before the data');
  const { address, length } = addressAndLength(args.slice(0, args.indexOf(':')), 'X');
  const escaped = payload.subarray(colon + 1);
  const carried = unescapedLength(escaped);
  if (carried !== length) throw new MalformedPacketError(`X announces ${length} bytes but carries ${carried}`);
  // `X addr,0:` is GDB's probe for X support: answer OK without touching memory.
  if (length === 0) return OK;
  // In place: the payload is lent for this call and read by no one after it (src/rsp/framer.ts).
  if (!ctx.target.prepareWrite) {
    ctx.target.writeMemory(address, unescapeBinaryInPlace(escaped));
    return OK;
  }
  // Everything that decides the reply is known (a well-formed packet of the announced length,
  // a range the target takes whole): OK goes out first, and the bytes are unescaped and stored
  // while GDB escapes its next packet, before that packet is read.
  const write = ctx.target.prepareWrite(address, length);
  return { kind: 'text', text: 'OK', afterReply: () => write(unescapeBinaryInPlace(escaped)) };
};

const BREAKPOINT_TYPES: Record<string, BreakpointType> = {
  '0': 'software',
  '1': 'hardware',
  '2': 'write-watch',
  '3': 'read-watch',
  '4': 'access-watch',
};

function breakpointHandler(insert: boolean): Handler {
  return (ctx, args) => {
    const parts = args.split(';')[0]!.split(',');
    if (parts.length !== 3) throw new MalformedPacketError(`${insert ? 'Z' : 'z'}: expected type,addr,kind`);
    const type = BREAKPOINT_TYPES[parts[0]!];
    // An unknown type gets the empty reply: GDB then knows it is not supported.
    const breakpoints = capability(ctx, 'breakpoints');
    if (type === undefined || !breakpoints.supports(type)) return EMPTY;
    const address = parseHexNumber(parts[1]!, 'breakpoint address');
    const kind = parseHexSmall(parts[2]!, 'breakpoint kind');
    if (insert) breakpoints.insert(type, address, kind);
    else breakpoints.remove(type, address, kind);
    return OK;
  };
}

/** Parses a thread id of H/T/vCont: `-1` (all), `0` (any), or hex, optionally `pPID.TID`. */
function threadIdOf(s: string): number {
  const tid = s.startsWith('p') ? (s.split('.')[1] ?? '-1') : s;
  if (tid === '-1') return -1;
  return parseHexSmall(tid, 'thread id');
}

function threadIsOurs(id: number): boolean {
  return id === -1 || id === 0 || id === THREAD_ID;
}

const vCont: Handler = (ctx, args) => {
  // args: ";action[:thread];action..." — the first action that applies to our thread wins.
  const actions = args.split(';').slice(1);
  if (actions.length === 0) throw new MalformedPacketError('vCont without an action');
  for (const item of actions) {
    const [action, thread] = item.split(':') as [string, string | undefined];
    if (thread !== undefined && !threadIsOurs(threadIdOf(thread))) continue;
    const verb = action[0];
    if (verb === 'c' || verb === 's') return resumeReply(ctx, verb === 'c' ? 'continue' : 'step', action.slice(1) === '' ? 0 : -1);
    if (verb === 'C' || verb === 'S') return resumeReply(ctx, verb === 'C' ? 'continue' : 'step', parseSignal(action.slice(1)));
    if (verb === 't') return OK; // stopping an already-stopped thread
    throw new MalformedPacketError(`vCont action "${action}" is not supported (offered: c, C, s, S)`);
  }
  throw new TargetError(TargetErrno.ENOENT, `vCont names no thread of this target (only thread ${THREAD_ID})`);
};

/** The two hex digits of a signal in `C`/`S` (GDB's own numbering). */
function parseSignal(text: string): number {
  if (!/^[0-9a-fA-F]{2}$/.test(text)) throw new MalformedPacketError(`expected a two-digit hex signal number, got "${text}"`);
  return parseInt(text, 16);
}

function resumeReply(ctx: PacketContext, action: ResumeAction, signal: number): Reply {
  if (signal < 0) throw new MalformedPacketError(`${action === 'continue' ? 'c' : 's'} takes no argument in vCont`);
  ctx.resume(action, signal);
  return NONE;
}

function legacyResume(action: ResumeAction, withSignal: boolean): Handler {
  return (ctx, args) => {
    const name = `${action === 'continue' ? 'c' : 's'}`;
    // `c ADDR` / `C sig;ADDR`: resuming elsewhere is not offered; GDB itself never sends it.
    const [signal, address] = withSignal ? (args.split(';') as [string, string | undefined]) : ['', args === '' ? undefined : args];
    if (address !== undefined) throw new MalformedPacketError(`${withSignal ? name.toUpperCase() : name} with an address is not supported`);
    return resumeReply(ctx, action, withSignal ? parseSignal(signal) : 0);
  };
}

/** `vAttach;PID`, `vKill;PID`: the board is process 1. */
function processIdOf(args: string, what: string): void {
  const pid = parseHexSmall(args.replace(/^;/, ''), `${what} process id`);
  if (pid !== PROCESS_ID) throw new TargetError(TargetErrno.ENOENT, `no process ${pid}; the board is process ${PROCESS_ID}`);
}

const extendedPackets: readonly PacketSpec[] = [
  {
    prefix: '!',
    exact: true,
    handler: (ctx) => {
      ctx.state.extended = true;
      return OK;
    },
  },
  {
    prefix: 'vAttach;',
    handler: (ctx, args) => {
      processIdOf(args, 'vAttach');
      if (ctx.state.process === 'none') ctx.target.attached();
      ctx.state.process = 'attached';
      return text(ctx.stopReply(ctx.target.lastStop()));
    },
  },
  {
    prefix: 'vRun;',
    needs: 'restart',
    handler: async (ctx) => {
      // The program name and arguments mean nothing to a board: `run` restarts what it started with.
      const stop = await capability(ctx, 'restart').restart();
      ctx.state.process = 'created';
      return text(ctx.stopReply(stop));
    },
  },
  {
    prefix: 'vKill;',
    handler: (ctx, args) => {
      // Any pid: after `run`, GDB without multiprocess names the process by its own stand-in
      // (42000), and there is only one process to kill.
      parseHexSmall(args.replace(/^;/, ''), 'vKill process id');
      ctx.target.detached('kill');
      ctx.state.process = 'none';
      return OK;
    },
  },
];

const qSupported: Handler = (ctx, args) => {
  const offered = new Set(args.replace(/^:/, '').split(';'));
  ctx.features.swbreak = offered.has('swbreak+');
  ctx.features.hwbreak = offered.has('hwbreak+');
  ctx.features.errorMessage = offered.has('error-message+');
  // Built from the table: a packet's feature is offered only when the target can serve it.
  const ours = [`PacketSize=${ctx.packetSize.toString(16)}`];
  for (const spec of PACKETS) if (spec.feature !== undefined && available(ctx.target, spec)) ours.push(spec.feature);
  const breakpoints = ctx.target.capabilities.breakpoints;
  if (ctx.features.swbreak && breakpoints?.supports('software')) ours.push('swbreak+');
  if (ctx.features.hwbreak && breakpoints?.supports('hardware')) ours.push('hwbreak+');
  return text(ours.join(';'));
};

const qXferFeatures: Handler = (ctx, args) => {
  // args: "annex:offset,length"
  const [annex, range] = splitOnce(args, ':', 'qXfer:features:read');
  const { address: offset, length } = addressAndLength(range, 'qXfer:features:read');
  const document = ctx.target.featureDocument(annex);
  // E00 is the reply the GDB manual gives for an unknown annex.
  if (document === undefined) return text('E00');
  const bytes = new TextEncoder().encode(document);
  const start = Number(offset > BigInt(bytes.length) ? BigInt(bytes.length) : offset);
  const chunk = bytes.subarray(start, start + Math.min(length, ctx.packetSize - 5));
  const last = start + chunk.length >= bytes.length;
  const escaped = escapeBinary(chunk);
  const reply = new Uint8Array(escaped.length + 1);
  reply[0] = last ? 0x6c : 0x6d; // 'l' last chunk, 'm' more to come
  reply.set(escaped, 1);
  return { kind: 'binary', bytes: reply };
};

const qRcmd: Handler = async (ctx, args) => {
  const command = hexToText(args, 'monitor command');
  await capability(ctx, 'monitor').run(command, (out) => ctx.console(out));
  return OK;
};

const registerRead: Handler = (ctx, args) => ({ kind: 'hex', bytes: ctx.target.readRegister(parseHexSmall(args, 'register number')) });

const registerWrite: Handler = (ctx, args) => {
  const [num, value] = splitOnce(args, '=', 'P');
  ctx.target.writeRegister(parseHexSmall(num, 'register number'), hexToBytes(value, 'register value'));
  return OK;
};

const PACKETS: readonly PacketSpec[] = [
  { prefix: 'qSupported', handler: qSupported },
  { prefix: 'vMustReplyEmpty', exact: true, handler: () => EMPTY },
  {
    prefix: 'QStartNoAckMode',
    exact: true,
    feature: 'QStartNoAckMode+',
    handler: (ctx) => {
      ctx.enterNoAckMode();
      return OK;
    },
  },
  { prefix: 'qXfer:features:read:', feature: 'qXfer:features:read+', handler: qXferFeatures },
  // With no process (extended mode, after D or vKill), W00 as gdbserver answers.
  { prefix: '?', exact: true, handler: (ctx) => text(ctx.state.process === 'none' ? 'W00' : ctx.stopReply(ctx.target.lastStop())) },
  { prefix: 'g', exact: true, handler: (ctx) => ({ kind: 'hex', bytes: ctx.target.readRegisterBlock() }) },
  {
    prefix: 'G',
    handler: (ctx, args) => {
      ctx.target.writeRegisterBlock(hexToBytes(args, 'G data'));
      return OK;
    },
  },
  { prefix: 'p', handler: registerRead },
  { prefix: 'P', handler: registerWrite },
  { prefix: 'm', handler: readMemoryHandler(false) },
  { prefix: 'x', feature: 'binary-upload+', handler: readMemoryHandler(true) },
  { prefix: 'M', handler: writeMemoryHex },
  { prefix: 'X', handler: writeMemoryBinary },
  { prefix: 'c', needs: 'runControl', handler: legacyResume('continue', false) },
  { prefix: 's', needs: 'runControl', handler: legacyResume('step', false) },
  { prefix: 'C', needs: 'runControl', handler: legacyResume('continue', true) },
  { prefix: 'S', needs: 'runControl', handler: legacyResume('step', true) },
  { prefix: 'vCont?', exact: true, needs: 'runControl', feature: 'vContSupported+', handler: () => text('vCont;c;C;s;S;t') },
  { prefix: 'vCont', needs: 'runControl', handler: vCont },
  { prefix: 'Z', needs: 'breakpoints', handler: breakpointHandler(true) },
  { prefix: 'z', needs: 'breakpoints', handler: breakpointHandler(false) },
  { prefix: 'qRcmd,', needs: 'monitor', consoleOnError: true, handler: qRcmd },
  // 1: we attached to something that already existed, so GDB detaches (never kills) on quit;
  // 0 once `run` started it, so GDB offers to kill it.
  { prefix: 'qAttached', handler: (ctx) => text(ctx.state.process === 'created' ? '0' : '1') },
  { prefix: 'qC', exact: true, handler: () => text(`QC${THREAD_ID.toString(16)}`) },
  { prefix: 'qfThreadInfo', exact: true, handler: () => text(`m${THREAD_ID.toString(16)}`) },
  { prefix: 'qsThreadInfo', exact: true, handler: () => text('l') },
  {
    prefix: 'H',
    handler: (_ctx, args) => {
      if (args.length < 2 || !'gcm'.includes(args[0]!)) throw new MalformedPacketError(`H: expected Hg, Hc or Hm with a thread id`);
      if (!threadIsOurs(threadIdOf(args.slice(1)))) throw new TargetError(TargetErrno.ENOENT, `no thread ${args.slice(1)}`);
      return OK;
    },
  },
  {
    prefix: 'T',
    handler: (_ctx, args) => {
      if (threadIdOf(args) !== THREAD_ID) throw new TargetError(TargetErrno.ENOENT, `no thread ${args}`);
      return OK;
    },
  },
  {
    prefix: 'D',
    whileRunning: true,
    handler: (ctx, args) => {
      // `D` or `D;PID` (multiprocess); anything else is not a detach.
      if (args !== '' && !/^;[0-9a-fA-F]+$/.test(args)) throw new MalformedPacketError(`D: expected "D" or "D;PID", got "D${args}"`);
      if (ctx.state.extended) {
        // extended-remote: the debugger stays connected and may attach again or run.
        ctx.target.detached('detach');
        ctx.state.process = 'none';
      } else {
        ctx.endSession('detach');
      }
      return OK;
    },
  },
  {
    prefix: 'k',
    exact: true,
    whileRunning: true,
    handler: (ctx) => {
      // LLDB waits for the exit status (X09: killed by SIGKILL) and reports an error without
      // it; GDB waits for nothing and the session ends just after, so the reply is never read
      // as the answer to a later packet. The board waits for the next debugger.
      ctx.endSession('kill');
      return text('X09');
    },
  },
  ...extendedPackets,
  ...LLDB_PACKETS,
];

/**
 * The table indexed by a prefix's first character, each list longest prefix first (so `vCont?`
 * wins over `vCont` and `qSupported` over `q...`): a packet is compared with the few entries
 * that can match it (one for `m`, `g`, `X`) instead of the whole table.
 */
const BY_FIRST_CHAR = new Map<number, PacketSpec[]>();
for (const entry of [...PACKETS].sort((a, b) => b.prefix.length - a.prefix.length)) {
  // Every entry with the same fields in the same order: one hidden class, so the session's
  // reads of `exact`, `needs`, `whileRunning`... stay monomorphic instead of megamorphic.
  const spec: PacketSpec = {
    prefix: entry.prefix,
    exact: entry.exact ?? false,
    needs: entry.needs,
    whileRunning: entry.whileRunning ?? false,
    consoleOnError: entry.consoleOnError ?? false,
    feature: entry.feature,
    handler: entry.handler,
  };
  const first = spec.prefix.charCodeAt(0);
  const list = BY_FIRST_CHAR.get(first);
  if (list) list.push(spec);
  else BY_FIRST_CHAR.set(first, [spec]);
}

/** True when `target` has what the packet needs. */
export function available(target: DebugTarget, spec: PacketSpec): boolean {
  return spec.needs === undefined || target.capabilities[spec.needs] !== undefined;
}

/**
 * Finds the entry for a packet, or undefined (→ empty reply). Its handler's arguments are
 * what follows the prefix: `packet.slice(spec.prefix.length)`.
 */
export function lookupPacket(packet: string): PacketSpec | undefined {
  const candidates = BY_FIRST_CHAR.get(packet.charCodeAt(0));
  if (!candidates) return undefined;
  for (const spec of candidates) {
    if (spec.exact ? packet === spec.prefix : packet.startsWith(spec.prefix)) return spec;
  }
  return undefined;
}

/** The packet names in the table, for docs and tests. */
export const PACKET_NAMES: readonly string[] = PACKETS.map((p) => p.prefix);
