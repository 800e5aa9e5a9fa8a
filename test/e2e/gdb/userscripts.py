# End to end: the user-facing GDB Python helpers of gdbscripts/mpustub.py (msr, mpu-regions,
# mpu-explain, and the mpustub.* functions) against the real stub.
import os
import sys
import gdb
from harness import check, check_equal, connect, error_of, finish, reg, run

connect()
here = os.path.dirname(os.path.abspath(__file__))
# Scripts import the module (which also defines the commands), as the README shows.
sys.path.insert(0, os.path.join(here, "..", "..", "..", "gdbscripts"))
import mpustub  # noqa: E402

run("msr PRSELR_EL2 2")
check_equal("msr writes a flag-typed register from a plain integer", reg("PRSELR_EL2"), 2)
run("msr PRBAR_EL2 0x200032")
run("msr PRLAR_EL2 0x2fffc0 | 0xf")
check_equal("msr takes expressions", reg("PRLAR2_EL2"), 0x2FFFCF)
check("msr without a value is a usage error", "usage: msr" in (error_of("msr PRSELR_EL2") or ""))

view = mpustub.regions()
check_equal("regions() reports the region count", view["regionCount"], 32)
check_equal("regions() shows region 2 programmed", view["regions"][2]["programmed"]["base"], "0x200000")
check_equal("regions() shows region 2 effective (debugger writes sync)", view["regions"][2]["effective"]["limit"], "0x2fffff")
check_equal("reading regions leaves PRSELR alone", reg("PRSELR_EL2"), 2)

listing = run("mpu-regions")
check("mpu-regions lists region 2", "0x200000" in listing and "0x2fffff" in listing, listing)

run("set $SCTLR_EL2 = $SCTLR_EL2 | 1")
verdict = mpustub.check(0x200000, "w")
check("check() allows a write inside the region", verdict["allowed"] and verdict["rule"] == "region-permits", verdict)
verdict = mpustub.check(0x300000, "r")
check_equal("check() refuses outside any region", verdict["rule"], "no-region")
check_equal("check() gives the syndrome", verdict["esr"], "0x9600000c")
explained = run("mpu-explain 0x200000 x")
check("mpu-explain says why a fetch is refused", "refused: execute-never" in explained, explained)
check_equal("sysreg() reads a register as an int", mpustub.sysreg("MPUIR_EL2"), 32)
run("set $SCTLR_EL2 = $SCTLR_EL2 & ~1")
finish()
