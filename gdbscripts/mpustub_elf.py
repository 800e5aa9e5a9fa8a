# The symbol table of an ELF64 little-endian file, read on GDB's side for `mpu symbols`: the
# stub never opens a file a debugger names, so the script reads the file GDB has loaded (or the
# one given) and hands the stub its symbols with `monitor symbols add`. Plain Python, no gdb
# module, so it can be used and tested outside GDB. Mirrors src/elf/elf64.ts: functions,
# objects and labels with a name and a section; mapping symbols ($x, $d) left out; a label's
# extent runs to the next symbol or the end of its section.
import bisect
import struct

STT_NOTYPE, STT_OBJECT, STT_FUNC = 0, 1, 2
SHT_SYMTAB = 2
SHN_LORESERVE = 0xFF00


class ElfError(Exception):
    pass


def _unpack(fmt, data, offset, what):
    size = struct.calcsize(fmt)
    if offset < 0 or offset + size > len(data):
        raise ElfError("%s at offset %#x lies beyond the end of the file (%d bytes)" % (what, offset, len(data)))
    return struct.unpack_from(fmt, data, offset)


def read_symbols(path):
    """[(address, size, name)] of the file's .symtab, sizes of labels filled in; raises ElfError."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise ElfError("%s is not an ELF file" % path)
    if data[4] != 2 or data[5] != 1:
        raise ElfError("%s is not a 64-bit little-endian ELF file" % path)
    shoff, = _unpack("<Q", data, 0x28, "e_shoff")
    shentsize, shnum = _unpack("<HH", data, 0x3A, "e_shentsize")
    sections = []
    for i in range(shnum):
        at = shoff + i * shentsize
        _, sh_type, _, sh_addr, sh_offset, sh_size, sh_link = _unpack("<IIQQQQI", data, at, "section header %d" % i)
        sections.append((sh_type, sh_addr, sh_offset, sh_size, sh_link))
    raw = []
    for sh_type, _, offset, size, link in sections:
        if sh_type != SHT_SYMTAB:
            continue
        if link >= len(sections):
            raise ElfError(".symtab links to a section that does not exist")
        strtab = sections[link]
        for at in range(offset, offset + size - 23, 24):
            st_name, st_info, _, st_shndx, st_value, st_size = _unpack("<IBBHQQ", data, at, "symbol")
            kind = st_info & 0xF
            if kind not in (STT_NOTYPE, STT_OBJECT, STT_FUNC) or st_shndx == 0 or st_shndx >= SHN_LORESERVE:
                continue
            start = strtab[2] + st_name
            end = data.find(b"\0", start, strtab[2] + strtab[3])
            name = data[start:end if end >= 0 else strtab[2] + strtab[3]].decode("utf-8", "replace")
            if not name or name.startswith("$"):
                continue
            section = sections[st_shndx] if st_shndx < len(sections) else None
            section_end = section[1] + section[3] if section else st_value
            raw.append((st_value, st_size, name, section_end))
    starts = sorted(set(r[0] for r in raw))
    symbols = []
    for address, size, name, section_end in raw:
        if size == 0:
            at = bisect.bisect_right(starts, address)
            bound = min(starts[at], section_end) if at < len(starts) else section_end
            size = max(1, bound - address)
        symbols.append((address, size, name))
    return symbols
