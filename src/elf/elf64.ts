// A small reader for the ELF files the board runs: little-endian ELF64 (AArch64 images from
// aarch64-linux-gnu-gcc or a Xen build). It reads what loading and symbolizing need — the
// entry point, the PT_LOAD segments and the .symtab symbols — and nothing else (no
// relocations, no dynamic sections, no DWARF). Every offset and size read from the file is
// checked against the file's length, so a truncated or hostile file is refused with a reason
// rather than read out of bounds.

export class ElfFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfFormatError';
  }
}

/** A PT_LOAD program header: `fileSize` bytes from the file at `physicalAddress`, zero up to `memorySize`. */
export interface LoadSegment {
  readonly physicalAddress: number;
  readonly virtualAddress: number;
  readonly data: Uint8Array;
  readonly memorySize: number;
}

export type SymbolKind = 'function' | 'object' | 'label';

/** A named address from .symtab; sections, files and undefined symbols are left out. */
export interface ElfSymbol {
  readonly name: string;
  readonly address: number;
  /** st_size; 0 for assembler labels, which `end` then bounds. */
  readonly size: number;
  /** Where the symbol's extent ends (exclusive): address + size, or for a size-0 label the next symbol or the end of its section. */
  readonly end: number;
  readonly kind: SymbolKind;
  readonly global: boolean;
}

export interface ElfImage {
  readonly entry: number;
  /** e_machine: 183 is AArch64. */
  readonly machine: number;
  readonly segments: readonly LoadSegment[];
  readonly symbols: readonly ElfSymbol[];
}

export const EM_AARCH64 = 183;

const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const SHN_UNDEF = 0;
/** Section indices from SHN_LORESERVE up (SHN_ABS, SHN_COMMON...) name no section of the file. */
const SHN_LORESERVE = 0xff00;
const STT_NOTYPE = 0;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STB_LOCAL = 0;
const PROGRAM_HEADER_SIZE = 56;
const SECTION_HEADER_SIZE = 64;
const SYMBOL_SIZE = 24;

interface Section {
  readonly type: number;
  readonly address: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
}

/** Bounds-checked little-endian reads; 64-bit values must fit a double exactly. */
class Reader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(at: number, size: number, what: string): void {
    if (!Number.isSafeInteger(at) || at < 0 || at + size > this.bytes.length) {
      throw new ElfFormatError(`${what} at offset 0x${at.toString(16)} lies beyond the end of the file (${this.bytes.length} bytes)`);
    }
  }

  u8(at: number, what: string): number {
    this.need(at, 1, what);
    return this.view.getUint8(at);
  }

  u16(at: number, what: string): number {
    this.need(at, 2, what);
    return this.view.getUint16(at, true);
  }

  u32(at: number, what: string): number {
    this.need(at, 4, what);
    return this.view.getUint32(at, true);
  }

  u64(at: number, what: string): number {
    this.need(at, 8, what);
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfFormatError(`${what} 0x${value.toString(16)} is too large for this reader`);
    return Number(value);
  }

  slice(at: number, size: number, what: string): Uint8Array {
    this.need(at, size, what);
    return this.bytes.subarray(at, at + size);
  }

  /** A NUL-terminated string inside [table, table + tableSize). */
  string(table: number, tableSize: number, at: number, what: string): string {
    if (at >= tableSize) throw new ElfFormatError(`${what}: name offset ${at} is outside its string table (${tableSize} bytes)`);
    const bytes = this.slice(table, tableSize, `${what} string table`);
    const end = bytes.indexOf(0, at);
    return Buffer.from(bytes.subarray(at, end < 0 ? bytes.length : end)).toString('utf8');
  }
}

/** Parses an ELF64 little-endian image. Throws ElfFormatError with the reason when it cannot. */
export function parseElf64(bytes: Uint8Array): ElfImage {
  const r = new Reader(bytes);
  if (bytes.length < 0x40 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfFormatError('not an ELF file (no \\x7fELF header)');
  }
  if (bytes[4] !== 2) throw new ElfFormatError('not a 64-bit ELF file (EI_CLASS is not ELFCLASS64)');
  if (bytes[5] !== 1) throw new ElfFormatError('not a little-endian ELF file (EI_DATA is not ELFDATA2LSB)');
  const entry = r.u64(0x18, 'e_entry');
  const machine = r.u16(0x12, 'e_machine');
  const segments = readSegments(r);
  const sections = readSections(r);
  return { entry, machine, segments, symbols: readSymbols(r, sections) };
}

function readSegments(r: Reader): LoadSegment[] {
  const phoff = r.u64(0x20, 'e_phoff');
  const phentsize = r.u16(0x36, 'e_phentsize');
  const phnum = r.u16(0x38, 'e_phnum');
  if (phnum > 0 && phentsize < PROGRAM_HEADER_SIZE) throw new ElfFormatError(`e_phentsize ${phentsize} is smaller than a program header (${PROGRAM_HEADER_SIZE})`);
  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (r.u32(at, `program header ${i}`) !== PT_LOAD) continue;
    const offset = r.u64(at + 0x08, `program header ${i} p_offset`);
    const virtualAddress = r.u64(at + 0x10, `program header ${i} p_vaddr`);
    const physicalAddress = r.u64(at + 0x18, `program header ${i} p_paddr`);
    const fileSize = r.u64(at + 0x20, `program header ${i} p_filesz`);
    const memorySize = r.u64(at + 0x28, `program header ${i} p_memsz`);
    if (memorySize < fileSize) throw new ElfFormatError(`program header ${i}: p_memsz 0x${memorySize.toString(16)} is smaller than p_filesz 0x${fileSize.toString(16)}`);
    segments.push({ physicalAddress, virtualAddress, memorySize, data: r.slice(offset, fileSize, `segment ${i} data`) });
  }
  return segments;
}

function readSections(r: Reader): Section[] {
  const shoff = r.u64(0x28, 'e_shoff');
  const shentsize = r.u16(0x3a, 'e_shentsize');
  const shnum = r.u16(0x3c, 'e_shnum');
  if (shnum > 0 && shentsize < SECTION_HEADER_SIZE) throw new ElfFormatError(`e_shentsize ${shentsize} is smaller than a section header (${SECTION_HEADER_SIZE})`);
  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    sections.push({
      type: r.u32(at + 0x04, `section header ${i}`),
      address: r.u64(at + 0x10, `section header ${i} sh_addr`),
      offset: r.u64(at + 0x18, `section header ${i} sh_offset`),
      size: r.u64(at + 0x20, `section header ${i} sh_size`),
      link: r.u32(at + 0x28, `section header ${i} sh_link`),
    });
  }
  return sections;
}

interface RawSymbol {
  readonly name: string;
  readonly address: number;
  readonly size: number;
  readonly kind: SymbolKind;
  readonly global: boolean;
  readonly sectionEnd: number;
}

function readSymbols(r: Reader, sections: readonly Section[]): ElfSymbol[] {
  const raw: RawSymbol[] = [];
  for (const symtab of sections.filter((s) => s.type === SHT_SYMTAB)) {
    const strtab = sections[symtab.link];
    if (!strtab) throw new ElfFormatError(`.symtab links to section ${symtab.link}, which does not exist`);
    for (let at = symtab.offset; at + SYMBOL_SIZE <= symtab.offset + symtab.size; at += SYMBOL_SIZE) {
      const info = r.u8(at + 4, 'symbol st_info');
      const type = info & 0xf;
      const shndx = r.u16(at + 6, 'symbol st_shndx');
      if (type !== STT_NOTYPE && type !== STT_OBJECT && type !== STT_FUNC) continue;
      if (shndx === SHN_UNDEF || shndx >= SHN_LORESERVE) continue;
      const name = r.string(strtab.offset, strtab.size, r.u32(at, 'symbol st_name'), 'symbol');
      // AArch64 mapping symbols ($x, $d) mark code and data, they do not name anything.
      if (name === '' || name.startsWith('$')) continue;
      const section = sections[shndx];
      const address = r.u64(at + 8, `symbol ${name} st_value`);
      raw.push({
        name,
        address,
        size: r.u64(at + 16, `symbol ${name} st_size`),
        kind: type === STT_FUNC ? 'function' : type === STT_OBJECT ? 'object' : 'label',
        global: info >> 4 !== STB_LOCAL,
        sectionEnd: section ? section.address + section.size : address,
      });
    }
  }
  return withExtents(raw);
}

/** Gives each size-0 label the extent up to the next symbol or the end of its section, whichever comes first. */
function withExtents(raw: readonly RawSymbol[]): ElfSymbol[] {
  const starts = [...new Set(raw.map((s) => s.address))].sort((a, b) => a - b);
  const nextStart = (address: number): number => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= address) lo = mid + 1;
      else hi = mid;
    }
    return lo < starts.length ? starts[lo]! : Number.POSITIVE_INFINITY;
  };
  return raw.map(({ sectionEnd, ...s }) => {
    const end = s.size > 0 ? s.address + s.size : Math.max(s.address + 1, Math.min(nextStart(s.address), sectionEnd));
    return { ...s, end };
  });
}
