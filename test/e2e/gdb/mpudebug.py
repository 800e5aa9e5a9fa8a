# End to end: debugging a kernel that reprograms its MPU, with gdb-multiarch and
# gdbscripts/mpustub.py, on test/programs/shadow_table.c (placed by the stub's --kernel, with its
# deliberate bug): symbols for the stub, `mpu catch write` and `mpu catch sync` stopping after
# the MSR and the ISB with the stub's line above GDB's stop, the MPU history ("who last changed
# region 1"), `mpu kernel-diff` and $mpu_kernel_diff() before and after the bug, the older
# `mpu catch on|off`, and vector catch at a permission fault's vector entry.
import json
import os
import re
import sys

import gdb
from harness import check, check_equal, connect, finish, reg, run

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "gdbscripts"))
import mpustub  # noqa: E402

kernel = os.environ["MPUSTUB_KERNEL"]


def address_of(symbol):
    return int(gdb.parse_and_eval("(unsigned long)&%s" % symbol))


signals = []
gdb.events.stop.connect(lambda event: signals.append(getattr(event, "stop_signal", None)))


connect()
run("file " + kernel)
helptext = run("help mpu")
for sub in ("catch", "history", "symbols", "kernel-diff"):
    check("help mpu lists " + sub, ("mpu " + sub + " --") in helptext, helptext)

# --kernel placed the ELF and gave the stub its symbols.
check_equal("--kernel placed the image with pc at its entry", reg("pc"), 0)
check("--kernel's symbols name code in the stub", ("from kernel " + kernel) in run("monitor symbols"))

# mpu symbols: the same names, read on GDB's side.
run("monitor symbols clear")
sent = run("mpu symbols")
check("mpu symbols sends the loaded ELF's symbols", re.search(r"sent \d+ symbols from .*shadow_table", sent), sent)
inside = address_of("map_region") + 4
check_equal("the stub names code with them", run("monitor symbols lookup %#x" % inside).strip(), "%#x <map_region+0x4>" % inside)
count = run("monitor symbols")
run("mpu symbols")
check_equal("sending them again replaces them", run("monitor symbols"), count)

# mpu catch write REGION: the stop comes after the MSR, the stub's line above it.
check("mpu catch write 1 arms the catchpoint", "write EL2 region(s) 1;" in run("mpu catch write 1"))
stop = run("continue")
check("the catch line names the register, region, old -> new and fields",
      "mpu catch: MSR PRBAR_EL2 (region 1): 0x0 -> 0x100032 [ XN=0x2 AP=0x0 SH=0x3 BASE=0x4000 ]" in stop, stop)
check("... and the code that wrote it", "<write_protection_region+0x10>, EL2" in stop, stop)
program = run("info program")
check("GDB reports the stop as SIGTRAP", "It stopped with signal SIGTRAP" in program, program)
check_equal("pc is just after the MSR", reg("pc"), address_of("write_protection_region") + 0x14)
caught = json.loads(run("monitor mpu catch json"))["stoppedBy"]
check_equal("mpu catch json says which write stopped the core", (caught["register"], caught["region"], caught["after"]), ("PRBAR_EL2", 1, "0x100032"))
check_equal("the register holds the new value", reg("PRBAR_EL2"), 0x100032)
stop = run("continue")
check("the PRLAR write of region 1 stops too, showing the region as programmed",
      "MSR PRLAR_EL2 (region 1)" in stop and re.search(r"programmed: 1 +0x100000\.\.0x10ffff +RW EL2 +XN", stop), stop)
check("... and not yet effective", "effective:  region 1 disabled (the programmed values take effect at DSB + ISB)" in stop, stop)

# mpu catch sync: the stop comes after the ISB that makes the boot regions effective.
run("mpu catch write off")
check("mpu catch sync arms the sync catchpoint", "sync on" in run("mpu catch sync"))
stop = run("continue")
check("the ISB's line names the regions it made effective", "mpu catch: ISB: now effective: EL2 regions 0, 1, 2" in stop, stop)
check_equal("pc is just after the ISB of context_sync_mpu", reg("pc"), address_of("context_sync_mpu") + 8)

# The history: who last changed region 1.
last = run("mpu history 1 region 1")
check("mpu history 1 region 1 is the PRLAR write, with its symbol",
      re.search(r"#\d+  instr \d+  pc 0x38 <write_protection_region\+0x18>, EL2: MSR PRLAR_EL2 \(region 1\): 0x0 -> 0x10ffcf", last), last)
entries = json.loads(run("monitor mpu history 3 json"))["entries"]
check_equal("the history's last entries are the PRLAR write, the DSB and the ISB", [e["kind"] for e in entries], ["write", "dsb", "sync"])

# The kernel's table against the MPU: in agreement after the boot regions...
agreed = run("mpu kernel-diff")
check("mpu kernel-diff reads xen_mpumap through GDB's types", "kernel table: xen (xen_mpumap, 32-byte entries, 32 regions, bitmap 0x7)" in agreed, agreed)
check("... and finds it in agreement after the boot regions", "the kernel's table and the MPU agree" in agreed, agreed)
check_equal("$mpu_kernel_diff() is 0", int(gdb.parse_and_eval("$mpu_kernel_diff()")), 0)
# ...and not after map_region's bug: entry 3 recorded, region 4 programmed.
stop = run("continue")
check("the next synchronisation is map_region's", "now effective: EL2 region 4" in stop, stop)
check_equal("$mpu_kernel_diff() counts both regions", int(gdb.parse_and_eval("$mpu_kernel_diff()")), 2)
diff = run("mpu kernel-diff")
check("kernel-diff names the programmed side of region 3 and where entry 3 went",
      "[programmed]\n  -> the kernel's entry 3 is programmed in region 4 instead" in diff, diff)
check("... the effective side of region 4, and the write that made it",
      "the write meant for region 3 went to region 4" in diff and re.search(r"last write to region 4: #\d+ PRLAR_EL2 0x0 -> 0x30ffcf by pc 0x38 <write_protection_region\+0x18>", diff), diff)

# The map service's failure catch keeps its older spelling; `mpu catch off` turns everything off.
check("mpu catch on is the map-service failure catch", "failed map requests stop the core" in run("mpu catch on"))
off = run("mpu catch off")
check("mpu catch off turns the MPU catchpoints and the failure catch off",
      "MPU catch: write off; sync off" in off and "failed map requests do not stop the core" in off, off)
check("mpu catch failure on|off is the explicit spelling", "failed map requests stop the core" in run("mpu catch failure on"))

# Vector catch: a store to the kernel's read-only page, taken at its vector entry.
run("monitor mpu bypass on")
spare = address_of("compute") + 0x110  # past the end of .text, inside the code region
run("set {unsigned int}%#x = 0xf9000020" % spare)  # str x0, [x1]
run("monitor mpu bypass off")
run("msr VBAR_EL2 0x800")
run("set $x1 = 0x200000")
run("set $pc = %#x" % spare)
check("core catch exception abort arms vector catch", "vector catch: abort" in run("monitor core catch exception abort"))
stop = run("continue")
check_equal("stop-on-exception stops before the abort is taken", (signals[-1], reg("pc")), ("SIGSEGV", spare))
stop = run("continue")  # GDB passes SIGSEGV: the abort is taken, and caught at its vector
check("vector catch stops at the vector entry with the syndrome decoded",
      ("vector catch: data abort taken at pc %#x" % spare) in stop and "ESR_EL2 0x9600004c" in stop and "FAR_EL2 0x200000" in stop, stop)
check_equal("pc is VBAR_EL2 + 0x200", reg("pc"), 0xA00)
check_equal("ELR_EL2 is the faulting store", reg("ELR_EL2"), spare)
run("monitor core catch exception off")

finish()
