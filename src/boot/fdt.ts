// A small writer of flattened device trees (the devicetree specification v0.4, chapter 5,
// "Flattened Devicetree (DTB) Format", version 17): a tree of nodes and properties becomes
// the header, the memory reservation block, the structure block and the strings block, all
// big-endian, each at the alignment the specification asks (8 bytes for the reservations, 4
// for the structure). It knows nothing of boards: deviceTree.ts says what goes in the tree.
// Also the header check a blob given by a user must pass before it is placed.

export const FDT_MAGIC = 0xd00d_feed;
const FDT_VERSION = 17;
/** Version 17 is readable by any reader of version 16 (the specification's last_comp_version). */
const FDT_LAST_COMPATIBLE_VERSION = 16;
const HEADER_SIZE = 40;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;

/** A property's value as the bytes the blob carries. */
export type FdtValue = Uint8Array;

export interface FdtProperty {
  readonly name: string;
  readonly value: FdtValue;
}

/** The specification's characters for node names (2.2.1) and property names (2.2.4). */
const NODE_NAME = /^[A-Za-z0-9,._+-]{1,31}(@[A-Za-z0-9,._+-]+)?$/;
const PROPERTY_NAME = /^[A-Za-z0-9,._+?#-]{1,31}$/;

export class FdtNode {
  readonly properties: FdtProperty[] = [];
  readonly children: FdtNode[] = [];

  /** The root's name is the empty string; every other node's is checked here. */
  constructor(readonly name: string) {
    if (name !== '' && !NODE_NAME.test(name)) throw new Error(`device tree: "${name}" is not a valid node name`);
  }

  /** Adds a property; a name used twice in one node is an error (a reader would see only one). */
  set(name: string, value: FdtValue): this {
    if (!PROPERTY_NAME.test(name)) throw new Error(`device tree: "${name}" is not a valid property name`);
    if (this.properties.some((p) => p.name === name)) throw new Error(`device tree: node "${this.name || '/'}" has two "${name}" properties`);
    this.properties.push({ name, value });
    return this;
  }

  /** Adds a child node and returns it. */
  child(name: string): FdtNode {
    if (this.children.some((c) => c.name === name)) throw new Error(`device tree: node "${this.name || '/'}" has two children "${name}"`);
    const node = new FdtNode(name);
    this.children.push(node);
    return node;
  }
}

/** Builders of property values in the encodings the specification defines (2.2.4). */
export const fdtValue = {
  /** No value: a boolean property such as `interrupt-controller`. */
  empty: (): FdtValue => new Uint8Array(0),
  /** 32-bit cells, big-endian: `<1 2 3>`. */
  cells(...values: ReadonlyArray<number | bigint>): FdtValue {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => {
      const n = BigInt(v);
      if (n < 0n || n > 0xffff_ffffn) throw new RangeError(`device tree: ${n} does not fit a 32-bit cell`);
      view.setUint32(i * 4, Number(n));
    });
    return bytes;
  },
  /** 64-bit values as two cells each (high, low): addresses and sizes with #address-cells = 2. */
  cells64(...values: ReadonlyArray<number | bigint>): FdtValue {
    return fdtValue.cells(...values.flatMap((v) => [BigInt(v) >> 32n, BigInt(v) & 0xffff_ffffn]));
  },
  /** A NUL-terminated string. */
  string: (text: string): FdtValue => fdtValue.strings(text),
  /** A list of NUL-terminated strings: `"arm,pl011", "arm,primecell"`. */
  strings(...texts: readonly string[]): FdtValue {
    for (const t of texts) if (t.includes('\0')) throw new Error('device tree: a string property cannot hold a NUL character');
    return new TextEncoder().encode(texts.map((t) => `${t}\0`).join(''));
  },
};

/** One entry of the memory reservation block: memory the client program must leave alone. */
export interface FdtReservation {
  readonly address: bigint;
  readonly size: bigint;
}

export interface FdtOptions {
  readonly reservations?: readonly FdtReservation[];
  /** boot_cpuid_phys: the physical id (the cpu node's reg) of the CPU that boots. */
  readonly bootCpuId?: number;
}

/** Bytes appended in 4-byte words or byte strings, big-endian. */
class ByteSink {
  private chunks: number[] = [];

  get length(): number {
    return this.chunks.length;
  }

  u32(value: number): void {
    this.chunks.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }

  bytes(data: Uint8Array): void {
    for (const b of data) this.chunks.push(b);
  }

  align(to: number): void {
    while (this.chunks.length % to !== 0) this.chunks.push(0);
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

/** The flattened form of `root`: a complete blob, ready to be placed in memory. */
export function writeFdt(root: FdtNode, options: FdtOptions = {}): Uint8Array {
  if (root.name !== '') throw new Error('device tree: the root node has no name');
  // The strings block holds each property name once; properties refer to it by offset.
  const strings = new ByteSink();
  const offsets = new Map<string, number>();
  const nameOffset = (name: string): number => {
    let at = offsets.get(name);
    if (at === undefined) {
      at = strings.length;
      offsets.set(name, at);
      strings.bytes(new TextEncoder().encode(`${name}\0`));
    }
    return at;
  };

  const structure = new ByteSink();
  const emit = (node: FdtNode): void => {
    structure.u32(FDT_BEGIN_NODE);
    structure.bytes(new TextEncoder().encode(`${node.name}\0`));
    structure.align(4);
    for (const p of node.properties) {
      structure.u32(FDT_PROP);
      structure.u32(p.value.length);
      structure.u32(nameOffset(p.name));
      structure.bytes(p.value);
      structure.align(4);
    }
    node.children.forEach(emit);
    structure.u32(FDT_END_NODE);
  };
  emit(root);
  structure.u32(FDT_END);

  // The order dtc writes: header, reservations (8-byte aligned), structure, strings.
  const reservations = new ByteSink();
  for (const r of [...(options.reservations ?? []), { address: 0n, size: 0n }]) {
    for (const v of [r.address, r.size]) {
      reservations.u32(Number(v >> 32n));
      reservations.u32(Number(v & 0xffff_ffffn));
    }
  }
  const offReservations = HEADER_SIZE; // already a multiple of 8
  const offStructure = offReservations + reservations.length;
  const offStrings = offStructure + structure.length;
  const total = offStrings + strings.length;

  const blob = new ByteSink();
  for (const field of [FDT_MAGIC, total, offStructure, offStrings, offReservations, FDT_VERSION, FDT_LAST_COMPATIBLE_VERSION, options.bootCpuId ?? 0, strings.length, structure.length]) {
    blob.u32(field);
  }
  blob.bytes(reservations.toBytes());
  blob.bytes(structure.toBytes());
  blob.bytes(strings.toBytes());
  return blob.toBytes();
}

/**
 * Checks that `bytes` start with a flattened device tree and returns its size (totalsize):
 * what a loader must know before placing a user's blob. Throws with the reason otherwise.
 */
export function fdtTotalSize(bytes: Uint8Array): number {
  if (bytes.length < HEADER_SIZE) throw new Error(`${bytes.length} bytes are too few for a device tree header (${HEADER_SIZE})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== FDT_MAGIC) throw new Error(`not a flattened device tree (magic 0x${magic.toString(16)}, expected 0x${FDT_MAGIC.toString(16)})`);
  const total = view.getUint32(4);
  if (total < HEADER_SIZE || total > bytes.length) throw new Error(`the header's totalsize ${total} does not fit the ${bytes.length} bytes given`);
  const lastCompatible = view.getUint32(24);
  if (lastCompatible > FDT_VERSION) throw new Error(`device tree format version ${lastCompatible} or later is needed to read it`);
  return total;
}
