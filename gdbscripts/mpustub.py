# GDB commands for debugging memory protection on Armv8-R AArch64 with mpustub.
#
# Load with `source gdbscripts/mpustub.py` (or `gdb-multiarch -x gdbscripts/mpustub.gdb`, which
# also connects). From a Python script: `sys.path.insert(0, "gdbscripts"); import mpustub`.
#
#   mpu regions [el2|el1]     the MPU regions, read live through the register API
#   mpu layout [el2|el1]      the address space with the regions laid over the memory map
#   mpu check ADDR [r|w|x] [el2|el1|el0] [SIZE]
#   mpu fault                 ESR_EL2/FAR_EL2 and the stub's last refused access, in words
#   mpu pending               regions programmed but not yet effective
#   mpu map|unmap|modify|update|ioremap|destroy-containing ...   the map service
#   mpu diff | mpu why | mpu table
#   mpu catch write [REGION...|all] | sync | off | failure on|off    stop the core on MPU changes
#   mpu history [N|all] [region R] [json]   the MPU's recent changes, who made them and where
#   mpu symbols [FILE]        hand the stub the symbols of the loaded ELF (read here, not there)
#   mpu kernel-diff [KERNEL]  the kernel's own MPU table against the registers, region by region
#   msr REG VALUE             write a system register from any integer expression
#   $mpu_region(ADDR)         index of the enabled region containing ADDR, or -1
#   $mpu_allowed(ADDR, "w")   1 when the access would be allowed, else 0
#   $mpu_kernel_diff()        how many regions the kernel's table and the MPU disagree on
#
# `mpu regions` and `mpu layout` read PRSELR/PRBAR/PRLAR through GDB's register API, so they work
# against any target that exposes these registers; what only mpustub knows (effective state,
# shadow refcounts, the board's memory map) is added when the stub's monitor commands answer.
import json
import os
import sys

import gdb

# The helper modules live beside this file, whether it is sourced or imported. The code
# object's file name, not __file__: GDB's `source` from another script leaves __file__ naming
# that script.
sys.path.insert(0, os.path.dirname(os.path.abspath(sys._getframe().f_code.co_filename)))
import mpustub_elf  # noqa: E402
import mpustub_kernel  # noqa: E402

AP_WORDS_EL2 = {0: "RW", 1: "RW", 2: "RO", 3: "RO"}
AP_WORDS_EL10 = {0: "RW EL1", 1: "RW EL1/EL0", 2: "RO EL1", 3: "RO EL1/EL0"}
SHAREABILITY = {0: "NSH", 1: "--", 2: "OSH", 3: "ISH"}
MAIR_TYPES = {
    0x00: "Device-nGnRnE", 0x04: "Device-nGnRE", 0x08: "Device-nGRE", 0x0C: "Device-GRE",
    0x44: "Normal NC", 0xAA: "Normal WT", 0xBB: "Normal WT RW-alloc", 0xEE: "Normal WB",
    0xFF: "Normal WB RW-alloc",
}
U64 = 0xFFFFFFFFFFFFFFFF


# ---- access to the target ----

def _require_target():
    if gdb.selected_inferior().pid == 0:
        raise gdb.GdbError("mpu: not connected to a target; use `target remote HOST:PORT` first")


def sysreg(name):
    """A register's value as a Python int; a clear error when the target lacks it."""
    _require_target()
    try:
        return int(gdb.parse_and_eval("(unsigned long)$" + name)) & U64
    except gdb.error as err:
        raise gdb.GdbError("mpu: this target has no register %s (%s); is it an Armv8-R AArch64 target?" % (name, err))


def _write_sysreg(name, value):
    gdb.execute("set $%s = (unsigned long)%d" % (name, value & U64), to_string=True)


def _monitor_json(command):
    """A stub monitor command answering JSON, or None when the target has no such command."""
    try:
        return json.loads(gdb.execute("monitor " + command, to_string=True))
    except (gdb.error, ValueError):
        return None


def _suffix(regime):
    if regime in ("el2", None, ""):
        return "EL2"
    if regime in ("el1", "el10"):
        return "EL1"
    raise gdb.GdbError("mpu: expected el2 or el1, got %r" % regime)


_LAYOUTS = {}


def _layout(register):
    """Field positions of a register as the stub's register table defines them (asked once)."""
    if register not in _LAYOUTS:
        answer = _monitor_json("reg %s json" % register)
        if not answer or "layout" not in answer[0]:
            raise gdb.GdbError("mpu: the target does not describe %s (`monitor reg %s json`; not mpustub?)" % (register, register))
        _LAYOUTS[register] = {f["name"]: (f["lsb"], f["msb"] - f["lsb"] + 1) for f in answer[0]["layout"]}
    return _LAYOUTS[register]


def _field(value, layout, name):
    lsb, width = layout[name]
    return (value >> lsb) & ((1 << width) - 1)


def decode(index, prbar, prlar):
    bar, lar = _layout("PRBAR_EL2"), _layout("PRLAR_EL2")
    base = _field(prbar, bar, "BASE") << bar["BASE"][0]
    # LIMIT is inclusive: the region ends at LIMIT with every lower bit set.
    limit = (_field(prlar, lar, "LIMIT") << lar["LIMIT"][0]) | ((1 << lar["LIMIT"][0]) - 1)
    return {
        "index": index, "prbar": prbar, "prlar": prlar, "enabled": bool(_field(prlar, lar, "EN")),
        "base": base, "limit": limit, "size": max(0, limit - base + 1),
        "ap": _field(prbar, bar, "AP"), "xn": bool(_field(prbar, bar, "XN") & 2), "sh": _field(prbar, bar, "SH"),
        "attr": _field(prlar, lar, "AttrIndx"),
    }


def read_regions(regime="el2"):
    """Every region as programmed, read through PRSELR and the PRBAR<n>/PRLAR<n> aliases.

    PRSELR is restored afterwards; GDB's register cache is flushed around the bank switches
    because GDB does not know that writing PRSELR changes what the aliases read."""
    el = _suffix(regime)
    count = sysreg("MPUIR_" + el) & 0xFF
    original = sysreg("PRSELR_" + el)
    regions = []
    try:
        for bank in range(0, count, 16):
            _write_sysreg("PRSELR_" + el, bank)
            gdb.execute("maintenance flush register-cache", to_string=True)
            for n in range(min(16, count - bank)):
                alias = "" if n == 0 else str(n)
                regions.append(decode(bank + n, sysreg("PRBAR%s_%s" % (alias, el)), sysreg("PRLAR%s_%s" % (alias, el))))
    finally:
        _write_sysreg("PRSELR_" + el, original)
        gdb.execute("maintenance flush register-cache", to_string=True)
    return regions


def overlaps(regions):
    enabled = [r for r in regions if r["enabled"] and r["limit"] >= r["base"]]
    found = []
    for i, a in enumerate(enabled):
        for b in enabled[i + 1:]:
            if a["base"] <= b["limit"] and b["base"] <= a["limit"]:
                found.append((a["index"], b["index"], max(a["base"], b["base"]), min(a["limit"], b["limit"])))
    return found


def regions(regime="el2"):
    """The stub's own view: programmed and effective regions, overlaps, pending (mpustub only)."""
    view = _monitor_json("mpu json " + ("el2" if _suffix(regime) == "EL2" else "el1"))
    if view is None:
        raise gdb.GdbError("mpu: the target does not answer `monitor mpu json` (not mpustub?)")
    return view


def check(address, kind="r", el=None, size=1):
    """The stub's verdict on an access, as a dict (allowed, rule, regions, reason, esr, far)."""
    words = ["mpu check", hex(int(address)), kind]
    if el:
        words.append(el)
    words += [str(int(size)), "json"]
    verdict = _monitor_json(" ".join(words))
    if verdict is None:
        raise gdb.GdbError("mpu: the target does not answer `monitor mpu check` (not mpustub?)")
    return verdict


def xen():
    """The map service's state (regions, diff, last failure, catch), or None without one."""
    return _monitor_json("xen json")


def kernel_diff(kernel=None):
    """The kernel's table (read through GDB's symbols) and its disagreements with the MPU.

    Returns (table, disagreements): see mpustub_kernel.compare."""
    _require_target()
    try:
        table = mpustub_kernel.read_kernel_table(kernel)
    except mpustub_kernel.KernelTableError as err:
        raise gdb.GdbError("mpu kernel-diff: %s" % err)
    except gdb.error as err:
        raise gdb.GdbError("mpu kernel-diff: cannot read the kernel's table: %s" % err)
    return table, mpustub_kernel.compare(table, regions("el2"))


def _symbolize(pc):
    """`name+off` as GDB knows it, else as the stub does, else nothing."""
    try:
        text = gdb.execute("info symbol %d" % pc, to_string=True).strip()
        if not text.startswith("No symbol"):
            name, _, offset = text.split(" in section")[0].partition(" + ")
            return "%s+%#x" % (name, int(offset)) if offset else name
    except gdb.error:
        pass
    return None


def last_write(region):
    """The last write that reached `region` (the stub's MPU history), or None."""
    answer = _monitor_json("mpu history 1 region %d json" % region)
    if not answer or not answer["entries"]:
        return None
    return answer["entries"][-1]


def describe_write(write):
    where = write["agent"].replace("-", " ")
    if write["agent"] == "core":
        symbol = _symbolize(int(write["pc"], 16)) or write.get("symbol")
        where = "pc %s%s" % (write["pc"], " <%s>" % symbol if symbol else "")
    return "#%d %s %s -> %s by %s, after %d instructions" % (
        write["sequence"], write["register"], write["before"], write["after"], where, write["instruction"])


def print_kernel_diff(table, disagreements):
    print("kernel table: %s (%s, %d-byte entries, %d regions, bitmap %#x); MPU: %d EL2 regions" % (
        table["kernel"], table["table"], table["entrySize"], table["count"], table["bitmap"], len(regions("el2")["regions"])))
    counted = [d for d in disagreements if d["counted"]]
    for d in disagreements:
        label = "region %d" % d["index"] if d["index"] is not None else "regions"
        print("%s%s: %s [%s]" % ("" if d["counted"] else "note: ", label, d["text"], d["side"]))
        if d["why"]:
            print("  -> %s" % d["why"])
        if d["counted"] and d["index"] is not None:
            write = last_write(d["index"])
            if write:
                print("  last write to region %d: %s" % (d["index"], describe_write(write)))
            else:
                print("  no write to region %d in the stub's MPU history" % d["index"])
    print("%d disagreement(s)" % len(counted) if counted else "the kernel's table and the MPU agree")
    return len(counted)


# ---- commands ----

class Mpu(gdb.Command):
    """Inspect the Armv8-R MPU and drive the map service.

Subcommands: regions, layout, check, fault, pending, map, unmap, modify, update, ioremap,
destroy-containing, table, diff, why, catch, history, symbols, kernel-diff. `help mpu SUBCOMMAND`
for each."""

    def __init__(self):
        super(Mpu, self).__init__("mpu", gdb.COMMAND_DATA, gdb.COMPLETE_COMMAND, True)


class _Sub(gdb.Command):
    words = ()

    def __init__(self, name):
        super(_Sub, self).__init__("mpu " + name, gdb.COMMAND_DATA)

    def complete(self, text, word):
        return [w for w in self.words if w.startswith(word or "")]


class MpuRegions(_Sub):
    """mpu regions [el2|el1]: the MPU regions, read live from PRSELR/PRBAR/PRLAR.

Columns: index, base, inclusive limit, size, access (AP in words), XN, shareability, AttrIndx
with the memory type MAIR selects, and with mpustub's map service the shadow refcount.
Overlapping enabled regions and regions programmed but not yet effective are flagged."""
    words = ("el2", "el1")

    def __init__(self):
        super(MpuRegions, self).__init__("regions")

    def invoke(self, argument, from_tty):
        regime = argument.strip() or "el2"
        el = _suffix(regime)
        table = read_regions(regime)
        mair = sysreg("MAIR_" + el)
        sctlr = sysreg("SCTLR_" + el)
        words = AP_WORDS_EL2 if el == "EL2" else AP_WORDS_EL10
        stub = _monitor_json("mpu json " + regime.lower()) if el else None
        pending = set(stub["pending"]) if stub else set()
        refcounts = {}
        service = xen() if el == "EL2" else None
        if service:
            refcounts = {entry["index"]: entry["refcount"] for entry in service["regions"]["shadow"]}
        print("%s MPU: %d regions, MPU %s, background region %s, WXN %s" % (
            el, len(table), "on" if sctlr & 1 else "off", "on" if (sctlr >> 17) & 1 else "off", "on" if (sctlr >> 19) & 1 else "off"))
        print("  #  %-14s %-14s %-10s %-11s %-2s %-3s %s" % ("base", "limit", "size", "access", "XN", "SH", "memory type") + ("  refs" if service else ""))
        shown = 0
        for r in table:
            if not r["enabled"] and r["index"] not in pending:
                continue
            shown += 1
            mtype = MAIR_TYPES.get((mair >> (8 * r["attr"])) & 0xFF, "MAIR 0x%02x" % ((mair >> (8 * r["attr"])) & 0xFF))
            line = "%3d  %-14s %-14s %-10s %-11s %-2s %-3s %d: %s" % (
                r["index"], hex(r["base"]), hex(r["limit"]), hex(r["size"]), words[r["ap"]],
                "XN" if r["xn"] else "", SHAREABILITY[r["sh"]], r["attr"], mtype)
            if service:
                line += "  %s" % (refcounts[r["index"]] if r["index"] in refcounts else "-")
            if not r["enabled"]:
                line += "  (disabled)"
            if r["index"] in pending:
                line += "  <- programmed, not yet effective (DSB + ISB missing)"
            print(line)
        if shown == 0:
            print("  no enabled regions")
        for a, b, start, end in overlaps(table):
            print("  OVERLAP: regions %d and %d share %s..%s; any access there faults" % (a, b, hex(start), hex(end)))
        if service:
            quirks = [d for d in service["disagreements"] if d["effective"]]
            for d in quirks:
                print("  region %d: %s (shadow says otherwise; `mpu diff`)" % (d["index"], d["kind"]))


class MpuLayout(_Sub):
    """mpu layout [el2|el1]: the address space as segments, the regions laid over the memory map.

Each line is a stretch of addresses with what maps it (the board's RAM or device) and which
region covers it; holes (no region: accesses fault unless the background region serves them)
and overlaps stand out."""
    words = ("el2", "el1")

    def __init__(self):
        super(MpuLayout, self).__init__("layout")

    def invoke(self, argument, from_tty):
        regime = argument.strip() or "el2"
        table = [r for r in read_regions(regime) if r["enabled"] and r["limit"] >= r["base"]]
        board = _monitor_json("board json")
        memory = []
        if board:
            memory = [(m["name"], m["kind"], int(m["base"], 16), int(m["limit"], 16)) for m in board["memory"]]
        cuts = set()
        for r in table:
            cuts.update((r["base"], r["limit"] + 1))
        for _, _, base, limit in memory:
            cuts.update((base, limit + 1))
        points = sorted(cuts)
        sctlr = sysreg("SCTLR_" + _suffix(regime))
        background = bool((sctlr >> 17) & 1)
        print("%-12s %-12s %-10s %-14s %s" % ("from", "to", "size", "memory", "MPU"))
        for start, end in zip(points, points[1:]):
            covering = [r for r in table if r["base"] <= start and end - 1 <= r["limit"]]
            mapped = [m for m in memory if m[2] <= start and end - 1 <= m[3]]
            if not covering and not mapped:
                continue
            what = ", ".join("%s %s" % (m[0], m[1]) for m in mapped) or ("(unmapped)" if board else "")
            if len(covering) > 1:
                mpu = "OVERLAP " + " & ".join(str(r["index"]) for r in covering) + " -> faults"
            elif covering:
                r = covering[0]
                words = AP_WORDS_EL2 if _suffix(regime) == "EL2" else AP_WORDS_EL10
                mpu = "[%d] %s%s" % (r["index"], words[r["ap"]], " XN" if r["xn"] else " X")
            else:
                mpu = "background region" if background else "HOLE: no region -> faults"
            bar = "#" * max(1, min(40, (end - start).bit_length() - 11))
            print("%-12s %-12s %-10s %-14s %-30s %s" % (hex(start), hex(end - 1), hex(end - start), what, mpu, bar))


class MpuCheck(_Sub):
    """mpu check ADDR [r|w|x] [el2|el1|el0] [SIZE]: would this access be allowed, and why."""
    words = ("r", "w", "x", "el2", "el1", "el0")

    def __init__(self):
        super(MpuCheck, self).__init__("check")

    def invoke(self, argument, from_tty):
        args = gdb.string_to_argv(argument)
        if not args:
            raise gdb.GdbError("usage: mpu check ADDR [r|w|x] [el2|el1|el0] [SIZE]")
        _require_target()
        address = int(gdb.parse_and_eval(args[0])) & U64
        kind, el, size = "r", None, 1
        for word in args[1:]:
            if word in ("r", "w", "x"):
                kind = word
            elif word in ("el2", "el1", "el0"):
                el = word
            else:
                size = int(gdb.parse_and_eval(word))
        verdict = check(address, kind, el, size)
        print("%s: %s" % ("allowed" if verdict["allowed"] else "refused", verdict["rule"]))
        if verdict["regions"]:
            print("regions: %s" % ", ".join(str(r) for r in verdict["regions"]))
        if not verdict["allowed"]:
            print(verdict["reason"])
            print("a guest would see ESR_EL2 %s (%s), FAR_EL2 %s" % (verdict["esr"], verdict["esrDescription"], verdict["far"]))


class MpuFault(_Sub):
    """mpu fault: ESR_EL2 and FAR_EL2 decoded, and the stub's last refused access."""

    def __init__(self):
        super(MpuFault, self).__init__("fault")

    def invoke(self, argument, from_tty):
        # The stub describes the syndrome: one wording for the monitor and these scripts.
        esr, far = _monitor_json("reg ESR_EL2 FAR_EL2 json")
        if int(esr["value"], 16) == 0:
            print("ESR_EL2 is 0: no fault latched (debugger accesses latch only with `monitor mpu latch on`)")
        else:
            print("ESR_EL2 %s: %s" % (esr["value"], esr["description"]))
            print("FAR_EL2 %s" % far["value"])
        try:
            print(gdb.execute("monitor fault", to_string=True), end="")
        except gdb.error:
            pass


class _MonitorSub(_Sub):
    """Base of the subcommands that are monitor commands of the stub."""
    monitor = ""

    def invoke(self, argument, from_tty):
        _require_target()
        # Not captured: when the stub refuses, its explanation arrives as console output before
        # GDB's "Protocol error with Rcmd", and the user must see it.
        gdb.execute(("monitor %s %s" % (self.monitor, argument)).strip())


def _monitor_sub(name, monitor, doc, words=()):
    cls = type("Mpu_" + name.replace("-", "_"), (_MonitorSub,), {"__doc__": doc, "monitor": monitor, "words": words})
    cls(name)


_map_operations = []


def map_operations():
    """The map service's operations as the stub lists them (`monitor xen ops json`), once per stub.

Each becomes an `mpu NAME ...` command (NAME: its friendlier alias where it has one, as the
command-line client names it), so these scripts never keep a list of their own."""
    if not _map_operations:
        ops = _monitor_json("xen ops json")
        if not ops:
            return []
        for op in ops:
            name = op["names"][1] if len(op["names"]) > 1 else op["names"][0]
            usage = " ".join([name] + [f.upper() for f in op["fields"]])
            _monitor_sub(name, "xen " + op["op"], "mpu %s: %s() through the map service: %s." % (usage, op["xenFunction"], op["summary"]))
        _map_operations.extend(ops)
    return _map_operations


def _on_new_thread(_event):
    # A new connection to the stub shows up as its thread: the map operations can be asked for.
    try:
        map_operations()
    except gdb.error:
        pass


class Msr(gdb.Command):
    """msr REG VALUE: write a system register (VALUE is any GDB integer expression).

GDB only assigns values of a flag-typed register's own size (`set $PRSELR_EL2 = 3` is an
"Invalid cast"); msr casts for you."""

    def __init__(self):
        super(Msr, self).__init__("msr", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        parts = argument.split(None, 1)
        if len(parts) != 2:
            raise gdb.GdbError("usage: msr REG VALUE, e.g. msr PRSELR_EL2 3")
        _require_target()
        gdb.execute("set $%s = (unsigned long)(%s)" % (parts[0], parts[1]), to_string=True)


class MpuRegionFunction(gdb.Function):
    """$mpu_region(ADDR): index of the enabled EL2 region containing ADDR (effective state), or -1."""

    def __init__(self):
        super(MpuRegionFunction, self).__init__("mpu_region")

    def invoke(self, address):
        addr = int(address) & U64
        view = _monitor_json("mpu json el2")
        if view is not None:
            for entry in view["regions"]:
                r = entry["effective"]
                if r["enabled"] and int(r["base"], 16) <= addr <= int(r["limit"], 16):
                    return r["index"]
            return -1
        for r in read_regions("el2"):
            if r["enabled"] and r["base"] <= addr <= r["limit"]:
                return r["index"]
        return -1


class MpuAllowedFunction(gdb.Function):
    """$mpu_allowed(ADDR, "r"|"w"|"x"): 1 when the stub would allow the access, else 0."""

    def __init__(self):
        super(MpuAllowedFunction, self).__init__("mpu_allowed")

    def invoke(self, address, kind=None):
        k = kind.string() if kind is not None else "r"
        if k not in ("r", "w", "x"):
            raise gdb.GdbError('$mpu_allowed: the access kind is "r", "w" or "x"')
        return 1 if check(int(address) & U64, k)["allowed"] else 0


class MpuCatch(_Sub):
    """Stop the running core when the MPU changes, or when a map request fails.

mpu catch write [REGION...|all] [el1]   code on the core writes PRBAR/PRLAR (also through PRSELR
                                        aliases), PRENR or SCTLR M/A/BR/WXN: stop after the MSR
mpu catch sync [on|off]                 an ISB (after a DSB) makes MPU writes effective: stop
                                        after it
mpu catch off                           no catch at all: MPU catchpoints and the failure catch
mpu catch failure on|off                a failed map-service request stops the core
mpu catch on                            the same as `mpu catch failure on` (the older spelling)
mpu catch                               what is caught

The stub prints what changed (register, old -> new, region, pc and symbol) before GDB reports
SIGTRAP. Writes by GDB or the map service never stop the core."""
    words = ("write", "sync", "off", "failure", "on", "all")

    def __init__(self):
        super(MpuCatch, self).__init__("catch")

    def invoke(self, argument, from_tty):
        _require_target()
        args = argument.split()
        word = args[0].lower() if args else ""
        if word in ("write", "sync"):
            gdb.execute("monitor mpu catch %s" % argument.strip())
        elif word == "on" and len(args) == 1:
            gdb.execute("monitor xen catch on")
        elif word == "failure":
            gdb.execute(("monitor xen catch %s" % " ".join(args[1:])).strip())
        elif word == "off" and len(args) == 1:
            gdb.execute("monitor mpu catch off")
            gdb.execute("monitor xen catch off")
        elif word == "":
            gdb.execute("monitor mpu catch")
            gdb.execute("monitor xen catch")
        else:
            raise gdb.GdbError("usage: mpu catch write [REGION...|all] | sync [on|off] | off | failure on|off")


class MpuSymbols(_Sub):
    """mpu symbols [FILE]: give the stub the symbols of FILE, or of the ELF files GDB has loaded.

The stub then names code in its catch lines and MPU history (`map_region+0x24`). The file is read
here, on GDB's side, and sent with `monitor symbols add`: the stub never opens a file a debugger
names. Symbols sent earlier this way are replaced; those of `serve --kernel` stay."""

    BATCH = 200

    def __init__(self):
        super(MpuSymbols, self).__init__("symbols")

    def invoke(self, argument, from_tty):
        _require_target()
        paths = [os.path.expanduser(argument.strip())] if argument.strip() else [o.filename for o in gdb.objfiles() if o.filename]
        symbols = []
        for path in paths:
            try:
                symbols.extend(mpustub_elf.read_symbols(path))
            except (OSError, mpustub_elf.ElfError) as err:
                if argument.strip():
                    raise gdb.GdbError("mpu symbols: %s" % err)
        if not symbols:
            raise gdb.GdbError("mpu symbols: no symbols to send (load the ELF with `file`, or name it)")
        gdb.execute("monitor symbols clear debugger", to_string=True)
        for at in range(0, len(symbols), self.BATCH):
            batch = symbols[at:at + self.BATCH]
            gdb.execute("monitor symbols add " + " ".join("%#x %#x %s" % s for s in batch), to_string=True)
        shown = [os.path.relpath(p) if not os.path.relpath(p).startswith("..") else p for p in paths]
        print("mpu symbols: sent %d symbols from %s" % (len(symbols), ", ".join(shown)))


class MpuKernelDiff(_Sub):
    """mpu kernel-diff [KERNEL]: the kernel's own MPU table against the registers, region by region.

Reads the kernel's shadow table through GDB's symbols and types (Xen: xen_mpumap, xen_mpumap_mask,
max_mpu_regions; load the kernel's ELF with `file`), and compares each entry with the programmed
and the effective registers (`monitor mpu json`). Each disagreement names the side that differs,
why when it can tell (a region programmed in the wrong slot, a missing DSB + ISB, upstream Xen's
PRENR quirk), and the last write to the region from the stub's MPU history."""
    words = ("xen",)

    def __init__(self):
        super(MpuKernelDiff, self).__init__("kernel-diff")

    def invoke(self, argument, from_tty):
        table, disagreements = kernel_diff(argument.strip() or None)
        print_kernel_diff(table, disagreements)


class MpuKernelDiffFunction(gdb.Function):
    """$mpu_kernel_diff(): how many regions the kernel's MPU table and the hardware disagree on."""

    def __init__(self):
        super(MpuKernelDiffFunction, self).__init__("mpu_kernel_diff")

    def invoke(self):
        _, disagreements = kernel_diff()
        return len([d for d in disagreements if d["counted"]])


Mpu()
MpuRegions()
MpuLayout()
MpuCheck()
MpuFault()
_monitor_sub("pending", "mpu pending", "mpu pending [el2|el1]: regions programmed but not yet effective (a DSB + ISB would make them so).", ("el2", "el1"))
_monitor_sub("table", "xen table", "mpu table: the map service's shadow table xen_mpumap.")
_monitor_sub("diff", "xen diff", "mpu diff: every region where the shadow table and the MPU registers disagree.")
_monitor_sub("why", "xen last-error", "mpu why: the last failed map request, Xen's messages and the conflicting region.")
_monitor_sub("history", "mpu history", """mpu history [N|all] [region R] [el1] [json]: the MPU's recent changes, oldest first.

Every write to an MPU register, DSB that completes such writes and ISB that makes them effective,
by code on the core (instruction count, pc and symbol), the debugger or the map service.
`mpu history 1 region 5`: who last changed region 5.""", ("all", "region", "json"))
MpuCatch()
MpuSymbols()
MpuKernelDiff()
Msr()
MpuRegionFunction()
MpuAllowedFunction()
MpuKernelDiffFunction()

gdb.events.new_thread.connect(_on_new_thread)
if gdb.selected_inferior().pid != 0:
    _on_new_thread(None)
