# End to end: the register view a GDB user gets — core and system registers, field decoding,
# PRSELR-selected PRBAR/PRLAR with their aliases, PRENR, refused writes, and the FPU registers
# that GDB reads with `p` since `g` carries only the core ones.
import json

import gdb
from harness import check, check_equal, connect, error_of, finish, reg, run

connect()

arch = run("show architecture")
check("architecture is aarch64", "aarch64" in arch, arch)

general = run("info registers")
for name in ("x0", "x30", "sp", "pc", "cpsr"):
    check("info registers shows " + name, ("\n" + name + " ") in ("\n" + general), general[:200])
check("cpsr decoded (EL=2)", "EL=2" in general, general)

system = run("info registers system")
for name in ("MPUIR_EL2", "PRSELR_EL2", "PRBAR_EL2", "PRLAR_EL2", "PRBAR15_EL2", "PRENR_EL2",
             "MPUIR_EL1", "PRBAR_EL1", "SCTLR_EL2", "HCR_EL2", "MAIR_EL2", "ESR_EL2", "FAR_EL2",
             "HPFAR_EL2", "ELR_EL2", "SPSR_EL2", "VBAR_EL2", "VSCTLR_EL2", "MIDR_EL1", "MPIDR_EL1",
             "ID_AA64MMFR0_EL1"):
    check("info registers system lists " + name, name in system)
check("the system group holds no core register", "\nx0 " not in ("\n" + system), system[:200])

check_equal("MPUIR_EL2 reports 32 regions", reg("MPUIR_EL2"), 32)
check_equal("MIDR_EL1 is Cortex-R82 (part 0xd15)", (reg("MIDR_EL1") >> 4) & 0xFFF, 0xD15)
check_equal("CurrentEL is EL2", reg("CurrentEL"), 2 << 2)

# Program region 3 through PRSELR + PRBAR/PRLAR, as Xen does.
run("set $PRSELR_EL2 = 3L")
run("set $PRBAR_EL2 = 0x100032L")
run("set $PRLAR_EL2 = 0x1fffcfL")
check_equal("PRBAR_EL2 reads back", reg("PRBAR_EL2"), 0x100032)
check_equal("PRLAR_EL2 reads back", reg("PRLAR_EL2"), 0x1FFFCF)
check_equal("PRBAR3_EL2 aliases region 3", reg("PRBAR3_EL2"), 0x100032)
check_equal("PRENR_EL2 bit 3 shows region 3 enabled", reg("PRENR_EL2") & 0xF, 0x8)

prlar = run("info registers PRLAR_EL2")
check("PRLAR_EL2 fields decoded", "[ EN AttrIndx=7 LIMIT=32767 ]" in prlar, prlar)
prbar = run("info registers PRBAR_EL2")
check("PRBAR_EL2 fields decoded", "[ XN=2 AP=0 SH=3 BASE=16384 ]" in prbar, prbar)

run("set $PRSELR_EL2 = 0L")
check_equal("selecting region 0 changes what PRBAR_EL2 reads", reg("PRBAR_EL2"), 0)
run("set $PRSELR_EL2 = 3L")
check_equal("reselecting region 3 shows it again", reg("PRBAR_EL2"), 0x100032)

run("set $PRENR_EL2 = 0L")
check_equal("clearing PRENR_EL2 disables region 3", reg("PRLAR3_EL2") & 1, 0)
run("set $PRENR_EL2 = 8L")
check_equal("setting PRENR_EL2 re-enables region 3", reg("PRLAR3_EL2") & 1, 1)

run("set $PRBAR_EL2 = 0xffff000000100032L")
check_equal("PRBAR_EL2 RES0 bits [63:48] are dropped", reg("PRBAR_EL2"), 0x100032)

err = error_of("set $MPUIR_EL2 = 5L")
check("writing MPUIR_EL2 is an error", err is not None, "write was accepted")
check_equal("MPUIR_EL2 unchanged after the refused write", reg("MPUIR_EL2"), 32)
err = error_of("set $MIDR_EL1 = 0L")
check("writing MIDR_EL1 is an error", err is not None)

run("set $x5 = 0x1122334455667788")
check_equal("x5 round-trips", reg("x5"), 0x1122334455667788)
run("set $pc = 0x4000")
check_equal("pc round-trips", reg("pc"), 0x4000)
run("set $v3.d.u[1] = 0xdeadbeef")
check_equal("v3 lane round-trips", int(gdb.parse_and_eval("$v3.d.u[1]")), 0xDEADBEEF)

# `g` carries x0..x30, sp, pc, cpsr only: GDB reads v0..v31, fpsr and fpcr with `p`. The
# simulated core runs no SIMD&FP instructions, so the values are written through GDB, checked
# to be in the stub (monitor reg), and read back after GDB's register cache is dropped: GDB
# then knows them only from the stub.
run("set $x1 = 0x1122334455667788")
run("set $v0.d.u[0] = 0x1122334455667788")
run("set $v0.d.u[1] = 0x99aabbccddeeff00")
run("set $fpsr = 0x08000001")
run("set $fpcr = 0x03000000")
held = {r["name"]: int(r["value"], 16) for r in json.loads(run("monitor reg v0 fpsr fpcr json"))}
check_equal("v0 is held by the stub", held["v0"], 0x99AABBCCDDEEFF00_1122334455667788)
check_equal("fpsr is held by the stub", held["fpsr"], 0x08000001)
check_equal("fpcr is held by the stub", held["fpcr"], 0x03000000)
run("maintenance flush register-cache")
general = run("info registers")
check("info registers shows x1's value", "0x1122334455667788" in general, general[:400])
check("info registers shows cpsr decoded", "EL=2" in general, general)
check("info registers lists no vector register", "\nv0 " not in ("\n" + general), general)
check_equal("p $v0 low lane", int(gdb.parse_and_eval("$v0.d.u[0]")), 0x1122334455667788)
check_equal("p $v0 high lane", int(gdb.parse_and_eval("$v0.d.u[1]")), 0x99AABBCCDDEEFF00)
check_equal("p $fpsr", int(gdb.parse_and_eval("$fpsr")), 0x08000001)
check_equal("p $fpcr", int(gdb.parse_and_eval("$fpcr")), 0x03000000)
check_equal("p $d0 (a pseudo register over v0)", int(gdb.parse_and_eval("$d0.u")), 0x1122334455667788)
check_equal("p $x1 after the FPU reads", reg("x1"), 0x1122334455667788)
run("maintenance flush register-cache")
every = run("info all-registers")
check("info all-registers shows v0's lanes", "0x1122334455667788" in every and "0x99aabbccddeeff00" in every, every[:400])
check("info all-registers shows fpsr", "\nfpsr " in ("\n" + every) and "0x8000001" in every, every[-400:])
check("info all-registers reaches the system registers", "\nMPUIR_EL2 " in every, every[-400:])
run("maintenance flush register-cache")
vector = run("info registers vector")
check("info registers vector shows v0's lanes", "0x99aabbccddeeff00" in vector, vector[:400])

finish()
