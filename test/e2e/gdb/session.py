# End to end: the session around the board — monitor commands, Ctrl-C while "running",
# detach and reconnect, kill and reconnect, with the board keeping its state throughout.
import os
import signal
import threading
import gdb
from harness import check, check_equal, connect, error_of, finish, reg, run

connect()

helptext = run("monitor help")
for command in ("help", "info", "fault", "reg NAME", "mpu bypass", "mpu latch", "mpu sync", "mpu check"):
    check("monitor help lists " + command, command in helptext, helptext)
info = run("monitor info")
check("monitor info shows the memory map", "dram" in info and "0x9c090000" in info, info)
regtext = run("monitor reg SCTLR_EL2")
check("monitor reg decodes fields", "SCTLR_EL2 = 0x30c50830" in regtext, regtext)
err = error_of("monitor no-such-command")
check("an unknown monitor command is an error", err is not None)
out = run("monitor no-such-command-2") if err is None else err
check("the error names the command", "no-such-command" in (err or out), err)

# Ctrl-C: continue blocks while the core idles; a SIGINT to GDB makes it send 0x03.
run("set $x7 = 0x77")
timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
timer.start()
stopped = run("continue")
timer.join()
check("continue then Ctrl-C stops with SIGINT", "SIGINT" in stopped, stopped)
check_equal("registers survive the interrupt", reg("x7"), 0x77)

out = run("stepi")
check_equal("stepi returns at once (nothing executes yet)", reg("x7"), 0x77)

run("break *0x2000")
run("hbreak *0x3000")
# GDB inserts breakpoints (Z0/Z1) when it resumes: an error there would abort the continue.
timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
timer.start()
stopped = run("continue")
timer.join()
check("continue with a software and a hardware breakpoint planted", "SIGINT" in stopped, stopped)
run("delete")

run("set $x9 = 0x99")
run("detach")
connect()
check_equal("after detach and reconnect x9 is kept", reg("x9"), 0x99)

run("kill")
connect()
check_equal("after kill the stub still serves and keeps x9", reg("x9"), 0x99)

finish()
