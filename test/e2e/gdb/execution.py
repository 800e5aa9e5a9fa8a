# End to end: real aarch64 code run by the interpreter under GDB — load an ELF, break, step,
# watch, land on the MPU permission fault with ESR_EL2/FAR_EL2 filled in, take the exception
# through VBAR_EL2, and run a compiled C program whose results must equal QEMU's.
import os
import re
import gdb
from harness import check, check_equal, connect, error_of, finish, reg, resume, run


def signal_of(event):
    return getattr(event, "stop_signal", None)


def flush():
    """A monitor command changed registers behind GDB's back: drop GDB's cached copies."""
    gdb.execute("maintenance flush register-cache", to_string=True)

connect()
run("file " + os.environ["MPUSTUB_ELF_FAULT"])
out = run("load")
check("load writes the image", "Start address 0x0" in out, out)
check_equal("load sets pc to the entry point", reg("pc"), 0)

run("break regions_ready")
event = resume()
check("a software breakpoint stops at regions_ready", isinstance(event, gdb.BreakpointEvent) and reg("pc") == int(gdb.parse_and_eval("&regions_ready")), event)
check_equal("the code programmed PRBAR2_EL2 with MSR", reg("PRBAR2_EL2"), 0x20003A)
check_equal("and turned the MPU on", reg("SCTLR_EL2") & 1, 1)
check("monitor mpu shows the three regions", "0x200000..0x200fff" in run("monitor mpu"))
run("delete")

pc = reg("pc")
run("stepi")
check_equal("stepi executes one instruction", reg("pc"), pc + 4)

run("watch *(long *)0x100000")
event = resume()
check("a write watchpoint stops at the store", isinstance(event, gdb.BreakpointEvent) and isinstance(event.breakpoints[0], gdb.Breakpoint) and event.breakpoints[0].type == gdb.BP_HARDWARE_WATCHPOINT, event)
check_equal("the watched word holds the stored value", int(gdb.parse_and_eval("*(long *)0x100000")), 0x1234)
run("delete")

event = resume()
check_equal("the store to the read-only page stops with SIGSEGV", signal_of(event), "SIGSEGV")
check_equal("pc is the faulting store", reg("pc"), int(gdb.parse_and_eval("&fault_here")))
check_equal("ESR_EL2: data abort at EL2, permission fault level 0, write", reg("ESR_EL2"), 0x9600004C)
check_equal("FAR_EL2 is the refused address", reg("FAR_EL2"), 0x200000)
check("monitor core exception explains it", "ap-read-only" in run("monitor core exception"))
# Resuming without the signal (`signal 0`) retries the store: the same fault again.
event = resume("signal 0")
check_equal("signal 0 retries the faulting store", (signal_of(event), reg("pc")), ("SIGSEGV", int(gdb.parse_and_eval("&fault_here"))))
run("handle SIGSEGV nopass")
event = resume("stepi")
check_equal("with SIGSEGV nopass, stepi retries it too", (signal_of(event), reg("pc")), ("SIGSEGV", int(gdb.parse_and_eval("&fault_here"))))
run("handle SIGSEGV pass")

# GDB passes SIGSEGV by default: stepi delivers the abort and stops at the vector entry.
event = resume("stepi")
check_equal("stepi passing SIGSEGV stops at VBAR_EL2 + 0x200", reg("pc"), int(gdb.parse_and_eval("&sync_handler")))
check_equal("ELR_EL2 holds the faulting pc", reg("ELR_EL2"), int(gdb.parse_and_eval("&fault_here")))
event = resume()
check_equal("the handler's BRK stops with SIGTRAP", signal_of(event), None)
check_equal("the handler read ESR_EL2 with MRS", reg("x20"), 0x9600004C)
check_equal("and FAR_EL2", reg("x21"), 0x200000)

# The same fault once more, taken by `monitor core take` instead of by GDB's signal.
run("set $pc = fault_here")
event = resume("signal 0")
check_equal("back at the fault", signal_of(event), "SIGSEGV")
run("monitor core take")
flush()
check_equal("monitor core take vectors to VBAR_EL2 + 0x200", reg("pc"), int(gdb.parse_and_eval("&sync_handler")))
check_equal("... with ELR_EL2 at the faulting pc", reg("ELR_EL2"), int(gdb.parse_and_eval("&fault_here")))

# `continue` after the fault passes SIGSEGV as GDB does by default: the abort is delivered.
run("set $pc = fault_here")
resume("signal 0")
run("set $x20 = 0")
event = resume()
check_equal("continue after SIGSEGV delivers the abort: the handler runs to its BRK", (signal_of(event), reg("x20")), (None, 0x9600004C))

# With exceptions taken rather than stopped on, the same program runs straight into its handler.
run("monitor core stop-on-exception off")
run("set $SCTLR_EL2 = $SCTLR_EL2 & ~1")  # MPU off so that load may write the read-only image
run("load")
resume()
check_equal("taken directly, the abort reaches the handler", reg("x21"), 0x200000)
check_equal("... stopping at its BRK", reg("pc"), int(gdb.parse_and_eval("&sync_handler")) + 12)
run("monitor core stop-on-exception on")

# A compiled C program: sorting, CRC, division, 128-bit multiply... results equal QEMU's.
run("set $SCTLR_EL2 = $SCTLR_EL2 & ~1")
run("file " + os.environ["MPUSTUB_ELF_INTEGER"])
run("load")
# link.ld keeps the unwind tables: inside compute GDB sees its caller, and finish can return.
run("break compute")
resume()
bt = run("bt")
check("bt inside compute shows the call from _start", "#1" in bt and "_start" in bt, bt)
run("delete")
run("break done")
resume()
check_equal("integer.c ran to done", reg("pc"), int(gdb.parse_and_eval("&done")))
got = bytes(gdb.selected_inferior().read_memory(0x100000, 48 * 8))
with open(os.environ["MPUSTUB_INTEGER_EXPECTED"], "rb") as f:
    expected = f.read()
check("integer.c's results equal QEMU's", got == expected, "first difference at byte %s" % next((i for i in range(len(got)) if got[i] != expected[i]), None))
info = run("monitor info")
check("monitor info counts executed instructions", "instructions executed" in info, info)
stats = run("monitor core translate")
m = re.search(r"(\d+) of (\d+) instructions ran translated", stats)
check("most of integer.c ran as translated blocks", m is not None and int(m.group(1)) * 2 > int(m.group(2)), stats)

# The same program with translation off: one interpreted instruction at a time, same results.
check("monitor core translate off", "block translation off" in run("monitor core translate off"))
run("load")
gdb.selected_inferior().write_memory(0x100000, bytes(48 * 8))  # the first run's results are gone
run("set $pc = _start")
resume()
check_equal("interpreted only, integer.c ran to done", reg("pc"), int(gdb.parse_and_eval("&done")))
got = bytes(gdb.selected_inferior().read_memory(0x100000, 48 * 8))
check("... with the same results", got == expected)
after = run("monitor core translate on")
m2 = re.search(r"(\d+) of (\d+) instructions ran translated", after)
check("and no instruction ran translated meanwhile", m2 is not None and m2.group(1) == m.group(1), after)

# Source-level stepping through nested calls (calls.c, -O0 -g): four frames, finish, next, step.
run("file " + os.environ["MPUSTUB_ELF_CALLS"])
run("load")
run("break mix")
resume()
frames = re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+)", run("bt"), re.M)
check_equal("bt in mix shows every caller", frames, ["mix", "round_of", "compute", "_start"])
run("finish")
check_equal("finish returns to round_of", gdb.selected_frame().name(), "round_of")
run("next")
check_equal("next stays in round_of", gdb.selected_frame().name(), "round_of")
run("next")
run("step")
check_equal("step enters mix again", gdb.selected_frame().name(), "mix")
run("delete")
finish()
