# End to end: the session around the board — monitor commands, Ctrl-C while "running",
# detach and reconnect, kill and reconnect, with the board keeping its state throughout.
import gdb
from harness import check, check_equal, connect, failing_output, finish, reg, resume_and_interrupt, run

connect()

helptext = run("monitor help")
for command in ("help", "info", "fault", "reg NAME", "mpu bypass", "mpu latch", "mpu sync", "mpu check"):
    check("monitor help lists " + command, command in helptext, helptext)
info = run("monitor info")
check("monitor info shows the memory map", "dram" in info and "0x9c090000" in info, info)
regtext = run("monitor reg SCTLR_EL2")
check("monitor reg decodes fields", "SCTLR_EL2 = 0x30c50830" in regtext, regtext)
err, printed = failing_output("monitor no-such-command")
check("an unknown monitor command is an error", err is not None, printed)
check("the console says which command is unknown", 'unknown monitor command "no-such-command"' in printed, printed)
err, printed = failing_output("monitor mpu check")
check("a monitor command with a missing argument says what is missing", "address: missing" in printed, printed)

# Ctrl-C: continue runs a `b .` loop until a SIGINT to GDB makes it send 0x03.
run("set {int}0x1000 = 0x14000000")
run("set $pc = 0x1000")
run("set $x7 = 0x77")
check_equal("continue then Ctrl-C stops with SIGINT", resume_and_interrupt(), "SIGINT")
check_equal("registers survive the interrupt", reg("x7"), 0x77)

check_equal("the loop keeps pc in place", reg("pc"), 0x1000)
run("stepi")
check_equal("stepi executes the branch to itself", reg("pc"), 0x1000)
check_equal("registers survive the step", reg("x7"), 0x77)

run("set breakpoint always-inserted on")
run("break *0x2000")
run("hbreak *0x3000")
# GDB inserts breakpoints (Z0/Z1) when it resumes: an error there would abort the continue.
check_equal("continue with a software and a hardware breakpoint planted", resume_and_interrupt(), "SIGINT")
planted = run("monitor breakpoints")
check("the stub holds both breakpoints (Z0 and Z1)", "software 0x2000" in planted and "hardware 0x3000" in planted, planted)
run("delete")
check("deleting them sends z0/z1", "no breakpoints" in run("monitor breakpoints"))
run("set breakpoint always-inserted off")

run("set $x9 = 0x99")
run("detach")
connect()
check_equal("after detach and reconnect x9 is kept", reg("x9"), 0x99)

run("kill")
connect()
check_equal("after kill the stub still serves and keeps x9", reg("x9"), 0x99)

finish()
