// The packets LLDB adds to the protocol (lldb/docs/resources/lldbgdbremote.md in LLVM's
// source) that a stub needs for LLDB to know what it is talking to: the target's triple, byte
// order and pointer size (qHostInfo, qProcessInfo), when watchpoints are reported and how many
// there are (qWatchpointSupportInfo), the memory map with its access rights
// (qMemoryRegionInfo), and error replies that carry text (QEnableErrorStrings). Each answer
// comes from an optional DebugTarget capability; a target without it gets the empty reply, as
// for any unknown packet. GDB never sends these.

import { MalformedPacketError, parseHexNumber, textToHex } from './codec.js';
import { capability, type Handler, type PacketSpec, type Reply } from './packets.js';
import type { TargetIdentity } from './target.js';

/** The process id reported: a bare-metal target has none, and 1 matches our single thread's id. */
const PROCESS_ID = 1;
const reply = (text: string): Reply => ({ kind: 'text', text });
const ADDRESS_SPACE_END = 1n << 64n;

/** `key:value;` pairs, in the order given (LLDB reads some keys only after others). */
function pairs(entries: ReadonlyArray<readonly [string, string]>): string {
  return entries.map(([key, value]) => `${key}:${value};`).join('');
}

/** Keys qHostInfo and qProcessInfo share. The triple is hex-encoded in both: LLDB decodes it so. */
function architecture(id: TargetIdentity, pointerSize: string): Array<[string, string]> {
  return [
    ['triple', textToHex(id.triple)],
    ['endian', id.endian],
    ['ptrsize', pointerSize],
  ];
}

function withIdentity(answer: (id: TargetIdentity) => string): Handler {
  return (ctx) => reply(answer(capability(ctx, 'identity').identity()));
}

const qHostInfo = withIdentity((id) =>
  pairs([
    ...architecture(id, String(id.pointerSize)),
    // Without this key LLDB assumes Arm reports watchpoints after the access, shows the old
    // value as the new one, and does not step over the access before resuming.
    ['watchpoint_exceptions_received', id.watchpointsStopBeforeAccess ? 'before' : 'after'],
  ]),
);

// qProcessInfo numbers are hex (qHostInfo's are decimal), as the document specifies.
const qProcessInfo = withIdentity((id) =>
  pairs([['pid', PROCESS_ID.toString(16)], ['parent-pid', PROCESS_ID.toString(16)], ...architecture(id, id.pointerSize.toString(16))]),
);

const qWatchpointSupportInfo = withIdentity((id) => pairs([['num', String(id.watchpointSlots)]]));

const qMemoryRegionInfo: Handler = (ctx, args) => {
  // The bare packet asks whether the addressed form is supported.
  if (args === '') return reply('OK');
  if (!args.startsWith(':')) throw new MalformedPacketError(`qMemoryRegionInfo: expected ":ADDR", got "${args}"`);
  const address = parseHexNumber(args.slice(1), 'qMemoryRegionInfo address');
  const region = capability(ctx, 'memoryMap').regionAt(address);
  // A size reaching 2^64 does not fit in LLDB's 64-bit field; one byte short still ends its
  // walk, since start + size is then the highest address.
  const size = region.start + region.size >= ADDRESS_SPACE_END ? ADDRESS_SPACE_END - 1n - region.start : region.size;
  const entries: Array<[string, string]> = [
    ['start', region.start.toString(16)],
    ['size', size.toString(16)],
  ];
  // No `permissions:` key at all is how LLDB learns a stretch is unmapped; an empty value
  // would mean "mapped, but no access".
  const rights = `${region.readable ? 'r' : ''}${region.writable ? 'w' : ''}${region.executable ? 'x' : ''}`;
  if (rights !== '') entries.push(['permissions', rights]);
  if (region.name !== undefined) entries.push(['name', textToHex(region.name)]);
  return reply(pairs(entries));
};

export const LLDB_PACKETS: readonly PacketSpec[] = [
  { prefix: 'qHostInfo', exact: true, needs: 'identity', handler: qHostInfo },
  { prefix: 'qProcessInfo', exact: true, needs: 'identity', handler: qProcessInfo },
  { prefix: 'qWatchpointSupportInfo', needs: 'identity', handler: qWatchpointSupportInfo },
  { prefix: 'qMemoryRegionInfo', needs: 'memoryMap', handler: qMemoryRegionInfo },
  {
    prefix: 'QEnableErrorStrings',
    exact: true,
    handler: (ctx) => {
      ctx.features.errorStrings = true;
      return reply('OK');
    },
  },
];
