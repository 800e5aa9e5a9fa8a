# End to end: memory through the MPU — x/set, dump/restore of 1 MiB, an access the MPU refuses
# ("Cannot access memory"), the reason from the monitor, and the debugger bypass switch.
import os
import tempfile
import gdb
from harness import check, check_equal, connect, error_of, finish, reg, run

connect()

run("set {unsigned long long}0x1000 = 0x0123456789abcdef")
check_equal("set then x of a 64-bit word", int(gdb.parse_and_eval("*(unsigned long long *)0x1000")), 0x0123456789ABCDEF)
out = run("x/2xw 0x1000")
check("x/2xw shows both words", "0x89abcdef" in out and "0x01234567" in out, out)

# 1 MiB dump/restore round trip with a non-trivial pattern.
tmp = tempfile.mkdtemp()
src = os.path.join(tmp, "pattern.bin")
back = os.path.join(tmp, "back.bin")
pattern = bytes((i * 7 + (i >> 10)) & 0xFF for i in range(1 << 20))
with open(src, "wb") as f:
    f.write(pattern)
run("restore %s binary 0x100000" % src)
run("dump binary memory %s 0x100000 0x200000" % back)
with open(back, "rb") as f:
    check("1 MiB dump/restore round-trips", f.read() == pattern)

err = error_of("x/xw 0x90000000")
check("a read outside the memory map fails", err is not None and "Cannot access memory at address 0x90000000" in err, err)

# Enable the MPU with one region covering [0, 2 MiB) RW at EL2, background region off.
run("set $PRSELR_EL2 = 0L")
run("set $PRBAR_EL2 = 0x32L")
run("set $PRLAR_EL2 = 0x1fffcfL")
run("set $SCTLR_EL2 = ($SCTLR_EL2 | 1) & ~(1 << 17)")
check_equal("SCTLR_EL2.M is set", reg("SCTLR_EL2") & 1, 1)
check_equal("inside the region still reads", int(gdb.parse_and_eval("*(unsigned long long *)0x1000")), 0x0123456789ABCDEF)
err = error_of("x/xg 0x300000")
check("a read no region covers is refused", err is not None and "Cannot access memory at address 0x300000" in err, err)
fault = run("monitor fault")
check("monitor fault explains the refusal", "0x300000" in fault and "no-region" in fault, fault)
check("monitor fault gives the syndrome", "ESR_EL2" in fault and "permission fault" in fault, fault)
check_equal("debugger faults do not latch FAR_EL2 by default", reg("FAR_EL2"), 0)

# A read-only region refuses writes.
run("set $PRSELR_EL2 = 1L")
run("set $PRBAR_EL2 = 0x30003aL")
run("set $PRLAR_EL2 = 0x3fffcfL")
check_equal("read-only region reads", int(gdb.parse_and_eval("*(unsigned int *)0x300000")), 0)
err = error_of("set {unsigned int}0x300000 = 1")
check("a write to a read-only region is refused", err is not None and "Cannot access memory at address 0x300000" in err, err)

run("monitor mpu latch on")
error_of("set {unsigned int}0x300004 = 1")
check_equal("with latching on, FAR_EL2 holds the address", reg("FAR_EL2"), 0x300004)
check_equal("ESR_EL2.EC is a data abort at EL2", (reg("ESR_EL2") >> 26) & 0x3F, 0x25)
check_equal("ESR_EL2.WnR is set for a write", (reg("ESR_EL2") >> 6) & 1, 1)
run("monitor mpu latch off")

run("monitor mpu bypass on")
run("set {unsigned int}0x300000 = 0x5a5a5a5a")
check_equal("with bypass on the debugger writes anywhere mapped", int(gdb.parse_and_eval("*(unsigned int *)0x300000")), 0x5A5A5A5A)
run("monitor mpu bypass off")

run("set $SCTLR_EL2 = $SCTLR_EL2 & ~1")
finish()
