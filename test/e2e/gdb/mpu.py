# End to end: the MPU's programmed/effective distinction as a GDB user sees it (writes made as
# the core makes them wait for DSB then ISB), fault syndromes latched into ESR_EL2/FAR_EL2,
# overlaps flagged, and the explain command.
import gdb
from harness import check, check_equal, connect, error_of, failing_output, finish, reg, run

connect()

# Region 0 = [0, 4 MiB) RW at EL2, set from GDB: effective at once.
run("set $PRSELR_EL2 = 0L")
run("set $PRBAR_EL2 = 0x32L")
run("set $PRLAR_EL2 = 0x3fffcfL")
run("set $SCTLR_EL2 = ($SCTLR_EL2 | 1) & ~(1 << 17)")
check("a debugger write leaves nothing pending", "every programmed region is effective" in run("monitor mpu pending"))

# Region 4 = [4 MiB, 5 MiB) programmed as code on the core would, without synchronising.
run("monitor core msr PRSELR_EL2 4")
out = run("monitor core msr PRBAR_EL2 0x400032")
check("core msr says the write waits for DSB + ISB", "not effective until" in out, out)
run("monitor core msr PRLAR_EL2 0x4fffcf")
check_equal("GDB shows the programmed PRBAR4_EL2 at once", reg("PRBAR4_EL2"), 0x400032)
pending = run("monitor mpu pending")
check("mpu pending lists region 4 with both views", "region 4: programmed PRBAR 0x400032" in pending and "effective PRBAR 0x0" in pending, pending)
err = error_of("x/gx 0x400000")
check("an access to the programmed-but-not-effective region is refused", err is not None and "Cannot access memory at address 0x400000" in err, err)
check("the refusal is no-region: the region is not effective yet", "no-region" in run("monitor fault"))

isb = run("monitor core isb")
check("an ISB without a DSB changes nothing", "still in flight" in isb, isb)
check("still refused after ISB alone", error_of("x/gx 0x400000") is not None)
run("monitor core dsb")
run("monitor core isb")
check("DSB then ISB makes region 4 effective", error_of("x/gx 0x400000") is None)
check("nothing pending after DSB + ISB", "every programmed region is effective" in run("monitor mpu pending"))

# Syndromes latched on request.
run("monitor mpu latch on")
error_of("x/gx 0x600000")
check_equal("FAR_EL2 latches the refused address", reg("FAR_EL2"), 0x600000)
check_equal("ESR_EL2: data abort at EL2, permission fault level 0, read", reg("ESR_EL2"), 0x9600000C)
esr_text = run("info registers ESR_EL2")
check("GDB decodes ESR_EL2 fields", "EC=37" in esr_text or "EC=0x25" in esr_text, esr_text)
run("monitor core msr PRSELR_EL2 5")
run("set $PRBAR5_EL2 = 0x50003aL")
run("set $PRLAR5_EL2 = 0x5fffcfL")
error_of("set {char}0x500010 = 1")
check_equal("a write to a read-only region latches WnR", reg("ESR_EL2"), 0x9600004C)
check_equal("... and the address", reg("FAR_EL2"), 0x500010)
run("monitor mpu latch off")

# Overlaps are flagged, and an access to the overlap faults.
run("set $PRBAR6_EL2 = 0x3f0032L")
run("set $PRLAR6_EL2 = 0x40ffcfL")
listing = run("monitor mpu")
check("monitor mpu flags the overlap", "overlap: regions 0 and 6" in listing and "overlap: regions 4 and 6" in listing, listing)
check("an access to the overlap faults", error_of("x/gx 0x3f8000") is not None)
check("monitor fault names both regions", "multiple-regions (regions 0, 6)" in run("monitor fault"))
run("set $PRLAR6_EL2 = 0L")

explained = run("monitor mpu check 0x400000 x")
check("mpu check explains a fetch from an XN region", "refused" in explained and "execute-never" in explained and "ESR_EL2 0x8600000c" in explained, explained)
explained = run("monitor mpu check 0x500000 w el2 8")
check("mpu check explains a write to a read-only region", "ap-read-only" in explained, explained)
check("mpu check allows a read in region 4", run("monitor mpu check 0x400000").startswith("allowed"))
err, printed = failing_output("monitor mpu check 0x400000 q")
check("mpu check rejects a bad argument precisely", err is not None and "not a number" in printed, printed)
check("the EL1&0 MPU is listed separately", "EL1&0 MPU: 32 regions" in run("monitor mpu el1"))

run("set $SCTLR_EL2 = $SCTLR_EL2 & ~1")
finish()
