# End to end: every command of gdbscripts/mpustub.py against the real stub on the default Xen
# boot, with their error cases: mpu regions/layout/check/fault/pending, the map-service
# subcommands, msr, $mpu_region and $mpu_allowed, and help.
import os
import sys
import gdb
from harness import check, check_equal, connect, error_of, failing_output, finish, reg, run

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "gdbscripts"))
import mpustub  # noqa: E402

err = error_of("mpu regions")
check("mpu regions before connecting says so", err is not None and "not connected" in err, err)

connect()

helptext = run("help mpu")
for sub in ("regions", "layout", "check", "fault", "pending", "map", "unmap", "modify", "update", "ioremap",
            "destroy-containing", "table", "diff", "why", "catch"):
    check("help mpu lists " + sub, ("mpu " + sub + " --") in helptext, helptext)
check("each subcommand has its own help", "inclusive limit" in run("help mpu regions"))
ops = [op["op"] for op in mpustub.map_operations()]
check("the map commands come from the stub's list (monitor xen ops json)", ops[:2] == ["update", "map"] and "destroy-containing" in ops, ops)
check("... with the fields the stub names", "VIRT MFN NR FLAGS" in run("help mpu map"), run("help mpu map"))

table = run("mpu regions")
check("mpu regions reads the boot regions", "0x11ffff" in table and "0x9c090fff" in table, table)
check("... with AP in words and the MAIR memory type", "RO" in table and "Normal WB RW-alloc" in table and "Device-nGnRE" in table, table)
check("... and the map service's refcounts", "refs" in table, table)
check_equal("mpu regions restores PRSELR", reg("PRSELR_EL2"), 0)

run("msr PRSELR_EL2 0x10")
run("msr PRBAR4_EL2 0x120032")
run("msr PRLAR4_EL2 0x12ffcf")
run("msr PRSELR_EL2 0")
table = run("mpu regions")
check("an overlap set from GDB is flagged", "OVERLAP: regions 1 and 20" in table, table)
layout = run("mpu layout")
check("mpu layout shows the overlap", "OVERLAP 1 & 20 -> faults" in layout, layout)
check("mpu layout shows holes over RAM", "HOLE: no region -> faults" in layout, layout)
check("mpu layout names the board's ranges", "uart0 device" in layout and "gicd device" in layout and "gicr device" in layout, layout)
run("msr PRSELR_EL2 0x10")
run("msr PRLAR4_EL2 0")
run("msr PRSELR_EL2 0")

run("monitor core msr PRSELR_EL2 0x10")
run("monitor core msr PRBAR5_EL2 0x50000032")
run("monitor core msr PRLAR5_EL2 0x5000ffcf")
table = run("mpu regions")
check("a region programmed without DSB + ISB is flagged", "21  0x50000000" in table and "not yet effective" in table, table)
check("mpu pending lists it", "region 21: programmed PRBAR 0x50000032" in run("mpu pending"))
run("monitor core dsb")
run("monitor core isb")
check("after DSB + ISB nothing is pending", "every programmed region is effective" in run("mpu pending"))
check_equal("$mpu_region finds the new region", int(gdb.parse_and_eval("$mpu_region(0x50000010)")), 21)
run("monitor core msr PRSELR_EL2 0x10")
run("monitor core msr PRLAR5_EL2 0")
run("monitor core dsb")
run("monitor core isb")

verdict = run("mpu check 0x100000 w")
check("mpu check refuses a write to Xen's text", "refused: ap-read-only" in verdict and "FSC=0xc (permission fault, level 0), WnR=1 (write)" in verdict, verdict)
check("mpu check allows a read", run("mpu check 0x100000").startswith("allowed: region-permits"))
check("mpu check explains a hole", "refused: no-region" in run("mpu check 0x30000000 r el2 8"))
err = error_of("mpu check")
check("mpu check without an address gives its usage", err is not None and "usage: mpu check" in err, err)
check_equal("$mpu_region inside region 2", int(gdb.parse_and_eval("$mpu_region(0x170000)")), 2)
check_equal("$mpu_region in a hole", int(gdb.parse_and_eval("$mpu_region(0x30000000)")), -1)
check_equal("$mpu_allowed read", int(gdb.parse_and_eval('$mpu_allowed(0x170000, "r")')), 1)
check_equal("$mpu_allowed write to RO", int(gdb.parse_and_eval('$mpu_allowed(0x100000, "w")')), 0)
err = error_of('p $mpu_allowed(0x100000, "q")')
check("$mpu_allowed with a bad kind is an error", err is not None and '"r", "w" or "x"' in err, err)
check("$mpu_allowed works in a breakpoint-style condition", run('p $mpu_allowed(0x170000, "w") && $mpu_region(0x170000) == 2').strip().endswith("= 1"))

run("monitor mpu latch on")
error_of("set {char}0x100000 = 1")
fault = run("mpu fault")
check("mpu fault decodes the latched ESR_EL2", "ESR_EL2 0x9600004c: EC=0x25 (data abort taken without a change of EL), IL=1, FSC=0xc (permission fault, level 0), WnR=1 (write)" in fault, fault)
check("mpu fault gives FAR_EL2 and the stub's reason", "FAR_EL2 0x100000" in fault and "ap-read-only" in fault, fault)
run("monitor mpu latch off")

out = run("mpu map 0x30000000 0x30000 16 PAGE_HYPERVISOR_RW")
check("mpu map maps through the service", "rc 0: inserted, entry 11" in out, out)
check("mpu table shows it", "0x30000000" in run("mpu table"))
out = run("mpu modify 0x30000000 0x30010000 PAGE_HYPERVISOR_RO")
check("mpu modify changes permissions", "rc 0: modified" in out, out)
out = run("mpu update 0x30008000 0x30018000 PAGE_HYPERVISOR_RO")
check("mpu update reports Xen's refusal", "overlaps with the existing region" in out, out)
why = run("mpu why")
check("mpu why names the request and the conflicting region", "#" in why and "conflicting region 11" in why, why)
out = run("mpu unmap 0x30000000 0x30010000")
check("mpu unmap removes it", "rc 0: removed" in out, out)
check("mpu diff: the shadow and the MPU agree on enforced regions", "disabled-values-differ" in run("mpu diff") or "agree" in run("mpu diff"))
check("mpu catch reports the switch", "stop" in run("mpu catch on"))
out = run("mpu ioremap 0x9c0b0000 0x1000 PAGE_HYPERVISOR_NOCACHE")
check("mpu ioremap maps a device", "rc 0: inserted" in out, out)
out = run("mpu destroy-containing 0x9c0b0000")
check("mpu destroy-containing removes it", "rc 0: removed" in out, out)
err, printed = failing_output("mpu map 0x1 2")
check("a map-service command with bad arguments says why", err is not None and "expected 4 arguments" in printed, printed)

check_equal("msr takes expressions", (run("msr PRSELR_EL2 1 + 1") or True) and reg("PRSELR_EL2"), 2)
run("msr PRSELR_EL2 0")
check("msr without a value is a usage error", "usage: msr" in (error_of("msr PRSELR_EL2") or ""))
try:
    mpustub.sysreg("NOPE_EL2")
    missing = None
except gdb.GdbError as e:
    missing = str(e)
check("a missing register gives a clear error", missing is not None and "has no register NOPE_EL2" in missing, missing)
view = mpustub.regions()
check_equal("mpustub.regions() gives the stub's view", view["regionCount"], 32)
check_equal("mpustub.check() gives the verdict", mpustub.check(0x100000, "w")["rule"], "ap-read-only")
finish()
