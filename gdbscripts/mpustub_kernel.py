# The kernel's own picture of its EL2 MPU, read through GDB's symbols and types, and its
# comparison with the hardware, region by region (`mpu kernel-diff`, `$mpu_kernel_diff()`).
#
# A reader turns a kernel's shadow table into entries {index, used, prbar, prlar, refcount}.
# Xen's is `xen_mpumap` (pr_t: prbar, prlar, and since Xen 4.22 a refcount, padded to 32 bytes;
# Xen 4.21's pr_t is the 16-byte {prbar, prlar}: both are read through the types GDB finds),
# the bitmap `xen_mpumap_mask` and `max_mpu_regions`. Another kernel is one more entry in
# READERS. `compare()` is plain Python over dicts, so it can be checked outside GDB (the gdb
# module is imported only by the readers).

U64 = 0xFFFFFFFFFFFFFFFF
# What the registers keep (RES0 dropped): a kernel may keep other bits in its copy.
PRBAR_KEPT = (1 << 48) - 1
PRLAR_KEPT = ((1 << 48) - 1) & ~(1 << 5)
# PRENR covers regions 0..31: upstream Xen frees regions through it even above (docs/xen-divergences.md).
PRENR_REGIONS = 32


class KernelTableError(Exception):
    pass


def _symbol_value(name):
    import gdb
    symbol = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
    if symbol is None:
        return None
    return symbol.value()


def _register_bits(value):
    """A register copy as an int: Xen keeps unions of a bitfield struct and `bits`."""
    import gdb
    kind = value.type.strip_typedefs().code
    if kind in (gdb.TYPE_CODE_UNION, gdb.TYPE_CODE_STRUCT):
        return int(value["bits"]) & U64
    return int(value) & U64


def _fields_of(value):
    return [f.name for f in value.type.strip_typedefs().fields()]


def _read_xen():
    import gdb
    table = _symbol_value("xen_mpumap")
    mask = _symbol_value("xen_mpumap_mask")
    count_value = _symbol_value("max_mpu_regions")
    if table is None or mask is None or count_value is None:
        return None
    if table.type.strip_typedefs().code != gdb.TYPE_CODE_ARRAY:
        raise KernelTableError("xen_mpumap has no array type: build the kernel with debug information (-g)")
    length = table.type.strip_typedefs().range()[1] + 1
    words = mask.type.strip_typedefs().range()[1] + 1
    word_bits = mask[0].type.sizeof * 8
    bitmap = 0
    for w in range(words):
        bitmap |= (int(mask[w]) & ((1 << word_bits) - 1)) << (w * word_bits)
    count = int(count_value) & 0xFF
    has_refcount = "refcount" in _fields_of(table[0])
    entries = []
    for i in range(min(count, length)):
        entry = table[i]
        entries.append({
            "index": i,
            "used": bool((bitmap >> i) & 1),
            "prbar": _register_bits(entry["prbar"]),
            "prlar": _register_bits(entry["prlar"]),
            "refcount": int(entry["refcount"]) if has_refcount else None,
        })
    return {
        "kernel": "xen",
        "table": "xen_mpumap",
        "entrySize": table[0].type.sizeof,
        "count": count,
        "bitmap": bitmap,
        "entries": entries,
    }


# Kernels whose tables `mpu kernel-diff` can read, tried in order: (name, reader). A reader
# returns None when the kernel's symbols are absent.
READERS = [
    ("xen", _read_xen),
]


def read_kernel_table(kernel=None):
    """The first table a reader finds (or the named kernel's); raises KernelTableError."""
    for name, reader in READERS:
        if kernel and name != kernel:
            continue
        table = reader()
        if table is not None:
            return table
    known = ", ".join(name for name, _ in READERS)
    raise KernelTableError("no kernel MPU table found (readers: %s; load the kernel's ELF with its symbols: `file KERNEL`)" % known)


# ---- the comparison (no gdb below) ----

def decode(prbar, prlar):
    base = prbar & 0xFFFFFFFFFFC0 & PRBAR_KEPT
    limit = (prlar & 0xFFFFFFFFFFC0 & PRLAR_KEPT) | 0x3F
    ap = (prbar >> 2) & 3
    return {
        "enabled": bool(prlar & 1), "base": base, "limit": limit,
        "access": ("RO" if ap & 2 else "RW") + (" EL0" if ap & 1 else ""),
        "xn": bool((prbar >> 1) & 1), "attr": (prlar >> 1) & 7,
    }


def describe(prbar, prlar):
    d = decode(prbar, prlar)
    if not d["enabled"]:
        return "disabled (PRBAR %#x PRLAR %#x)" % (prbar, prlar)
    return "[%#x..%#x] %s%s AttrIndx=%d (PRBAR %#x PRLAR %#x)" % (
        d["base"], d["limit"], d["access"], " XN" if d["xn"] else "", d["attr"], prbar, prlar)


def _hw(region):
    return int(region["prbar"], 16), int(region["prlar"], 16)


def compare(kernel, mpu):
    """Disagreements between a kernel table and `monitor mpu json`, region by region.

    Each is {index, side, counted, text, why}: side says which picture differs from the
    kernel's (programmed registers, or effective ones against programmed); counted is False for
    differences Xen accepts (a freed region keeps its values with EN = 0)."""
    found = []
    hardware = mpu["regions"]
    entries = {e["index"]: e for e in kernel["entries"]}
    used = {i: (e["prbar"] & PRBAR_KEPT, e["prlar"] & PRLAR_KEPT) for i, e in entries.items() if e["used"]}

    def holder(values, other_than):
        for j, region in enumerate(hardware):
            if j != other_than and _hw(region["programmed"]) == values:
                return j
        return None

    def owner(values, other_than):
        for j, kept in sorted(used.items()):
            if j != other_than and kept == values:
                return j
        return None

    if kernel["count"] != len(hardware):
        found.append({"index": None, "side": "kernel", "counted": kernel["count"] > len(hardware),
                      "text": "the kernel's max_mpu_regions is %d, the MPU has %d regions (MPUIR)" % (kernel["count"], len(hardware)), "why": None})
    for i in range(max(kernel["count"], len(hardware))):
        entry = entries.get(i)
        if i >= len(hardware):
            if entry and entry["used"]:
                found.append({"index": i, "side": "kernel", "counted": True, "text": "kernel entry %d is in use but the MPU has no region %d" % (i, i), "why": None})
            continue
        programmed, effective = _hw(hardware[i]["programmed"]), _hw(hardware[i]["effective"])
        if entry and entry["used"]:
            expected = used[i]
            if not expected[1] & 1:
                found.append({"index": i, "side": "kernel", "counted": True, "why": None,
                              "text": "the kernel's bitmap marks entry %d used but its PRLAR.EN is 0: %s" % (i, describe(*expected))})
            if programmed != expected:
                where = holder(expected, i)
                why = "the kernel's entry %d is programmed in region %d instead" % (i, where) if where is not None else None
                if why is None and not programmed[1] & 1 and i < PRENR_REGIONS and kernel["count"] > 64 + i:
                    why = "upstream's PRENR quirk: freeing region %d clears PRENR bit %d, disabling this region (docs/xen-divergences.md)" % (64 + i, i)
                found.append({"index": i, "side": "programmed", "counted": True, "why": why,
                              "text": "kernel entry %d is %s, but the programmed registers say %s" % (i, describe(*expected), describe(*programmed))})
            elif effective != programmed:
                found.append({"index": i, "side": "effective", "counted": True, "why": "no DSB + ISB since the write: the MPU still enforces the old values",
                              "text": "programmed as the kernel says, but the effective region is %s" % describe(*effective)})
            continue
        zero = entry is None or (entry["prbar"] == 0 and entry["prlar"] == 0)
        if effective[1] & 1:
            whose = owner(effective, i)
            why = "it holds kernel entry %d's values: the write meant for region %d went to region %d" % (whose, whose, i) if whose is not None else None
            if why is None and i >= PRENR_REGIONS and zero:
                why = "upstream's PRENR quirk: Xen frees regions >= 32 by clearing a PRENR bit that does not exist, so the region stays enabled (docs/xen-divergences.md)"
            found.append({"index": i, "side": "effective", "counted": True, "why": why,
                          "text": "enforced by the MPU as %s, but the kernel's bitmap says entry %d is free" % (describe(*effective), i)})
        elif programmed[1] & 1:
            found.append({"index": i, "side": "programmed", "counted": True, "why": "it becomes effective at the next DSB + ISB",
                          "text": "programmed as %s (not yet effective), but the kernel's bitmap says entry %d is free" % (describe(*programmed), i)})
        elif programmed != (0, 0) and zero:
            found.append({"index": i, "side": "programmed", "counted": False, "why": None,
                          "text": "disabled, keeping old values (%s): freeing through PRENR leaves them, as Xen does" % describe(*programmed)})
    return found
