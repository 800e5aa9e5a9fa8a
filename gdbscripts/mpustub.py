# GDB Python helpers for mpustub users. Load with `source gdbscripts/mpustub.py`, or from a
# script: `sys.path.insert(0, "gdbscripts"); import mpustub`. They add
#   msr REG VALUE            write a system register with any integer expression (GDB itself
#                            only assigns values of the register's own size to flag-typed
#                            registers, so `set $PRSELR_EL2 = 3` fails with "Invalid cast")
#   mpu-regions [el2|el1]    the regions, programmed and effective, with pending ones marked
#   mpu-explain ADDR [r|w|x] [el2|el1|el0] [SIZE]
#                            why an access would be allowed or refused
# and, for scripts, the functions mpustub.regions(), mpustub.check() and mpustub.sysreg().
# Everything goes through the stub's monitor commands (`monitor mpu json`, `monitor mpu check
# ... json`), so reading regions never rewrites PRSELR behind the program's back.
import json

import gdb


def _monitor_json(command):
    text = gdb.execute("monitor " + command, to_string=True)
    return json.loads(text)


def regions(regime="el2"):
    """Every region of the EL2 (or EL1&0) MPU as dicts: index, programmed and effective views."""
    return _monitor_json("mpu json " + regime)


def check(address, kind="r", el=None, size=1):
    """Would an access be allowed? Returns the stub's verdict as a dict (rule, regions, reason, ...)."""
    words = ["mpu check", hex(int(address)), kind]
    if el is not None:
        words.append(el)
    words.append(str(int(size)))
    words.append("json")
    return _monitor_json(" ".join(words))


def sysreg(name):
    """A system register's value as a Python int."""
    return int(gdb.parse_and_eval("(unsigned long)$" + name)) & 0xFFFFFFFFFFFFFFFF


_AP_TEXT = {
    "el2": {0: "RW", 1: "RW", 2: "RO", 3: "RO"},
    "el10": {0: "RW EL1", 1: "RW EL1+EL0", 2: "RO EL1", 3: "RO EL1+EL0"},
}


class Msr(gdb.Command):
    """msr REG VALUE: write a system register (VALUE is any GDB integer expression)."""

    def __init__(self):
        super(Msr, self).__init__("msr", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        parts = argument.split(None, 1)
        if len(parts) != 2:
            raise gdb.GdbError("usage: msr REG VALUE, e.g. msr PRSELR_EL2 3")
        name, value = parts
        gdb.execute("set $%s = (unsigned long)(%s)" % (name, value), to_string=True)


class MpuRegions(gdb.Command):
    """mpu-regions [el2|el1]: the enabled regions (programmed, and effective when they differ)."""

    def __init__(self):
        super(MpuRegions, self).__init__("mpu-regions", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        regime = argument.strip() or "el2"
        view = regions(regime)
        kind = view["regime"]
        state = "enabled" if view["enabled"] else "disabled"
        print("%s MPU (%d regions, %s, SCTLR %s)" % ("EL2" if kind == "el2" else "EL1&0", view["regionCount"], state, view["sctlr"]))
        pending = set(view["pending"])
        for entry in view["regions"]:
            programmed = entry["programmed"]
            effective = entry["effective"]
            index = programmed["index"]
            if not programmed["enabled"] and not effective["enabled"] and index not in pending:
                continue
            mark = " (pending: not yet effective)" if index in pending else ""
            print("  %3d %14s..%-14s %-11s %s AttrIndx=%d%s" % (
                index, programmed["base"], programmed["limit"], _AP_TEXT[kind][programmed["ap"]],
                "XN" if programmed["xn"] else "X ", programmed["attrIndx"], mark))
            if index in pending:
                print("      effective: PRBAR %s PRLAR %s" % (effective["prbar"], effective["prlar"]))
        for overlap in view["overlaps"]:
            print("  overlap: regions %d and %d share %s..%s" % (overlap["regions"][0], overlap["regions"][1], overlap["start"], overlap["end"]))


class MpuExplain(gdb.Command):
    """mpu-explain ADDR [r|w|x] [el2|el1|el0] [SIZE]: would this access be allowed, and why."""

    def __init__(self):
        super(MpuExplain, self).__init__("mpu-explain", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        words = gdb.string_to_argv(argument)
        if not words:
            raise gdb.GdbError("usage: mpu-explain ADDR [r|w|x] [el2|el1|el0] [SIZE]")
        address = int(gdb.parse_and_eval(words[0]))
        kind, el, size = "r", None, 1
        for word in words[1:]:
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
            print("would latch ESR_EL2 %s FAR_EL2 %s" % (verdict["esr"], verdict["far"]))


Msr()
MpuRegions()
MpuExplain()
