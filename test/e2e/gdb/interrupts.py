# End to end: test/programs/boot.S under gdb-multiarch — an MPU hypervisor's early boot down
# to the timer interrupt that ends its WFI, watched from GDB: a breakpoint in the IRQ handler,
# the GIC CPU interface and timer registers with their fields, the acknowledge stepped over,
# then the SGI and the end; and a WFI with nothing armed, which only Ctrl-C ends.
import os
import gdb
from harness import check, check_equal, connect, finish, reg, resume, resume_and_interrupt, run


def symbol(name):
    return int(gdb.parse_and_eval("(long)&" + name))


def result(offset):
    return int(gdb.parse_and_eval("*(unsigned long *)(%d)" % (symbol("results") + offset)))


connect()
run("file " + os.environ["MPUSTUB_ELF_BOOT"])
run("load")
# `*`: at the label itself, not after what GDB would take for the handler's prologue.
run("break *irq_handler")
event = resume()
check("the timer interrupt reaches the IRQ vector", isinstance(event, gdb.BreakpointEvent) and reg("pc") == symbol("irq_handler"), event)
check_equal("it was taken in WFI: ELR_EL2 is the instruction after it", reg("ELR_EL2"), symbol("after_wfi"))
check_equal("CNTHPS_CTL_EL2: enabled, condition met", reg("CNTHPS_CTL_EL2"), 5)
check("GDB prints the timer control's fields", "ENABLE" in run("info registers CNTHPS_CTL_EL2") and "ISTATUS" in run("info registers CNTHPS_CTL_EL2"))
check_equal("ICC_HPPIR1_EL1: PPI 26 pending", reg("ICC_HPPIR1_EL1"), 26)
check_equal("GDB reading ICC_IAR1_EL1 shows INTID 26...", reg("ICC_IAR1_EL1"), 26)
run("maintenance flush register-cache")
check_equal("...without acknowledging it: nothing is running", reg("ICC_RPR_EL1"), 0xFF)
armed = result(104)
check("the counter has passed the deadline set 1000 ticks after arming", reg("CNTPCT_EL0") >= armed + 1000, (reg("CNTPCT_EL0"), armed))
run("stepi")
run("stepi")
run("stepi")
check_equal("the handler's MRS of ICC_IAR1_EL1 acknowledges: x9 = 26", reg("x9"), 26)
check_equal("and the interrupt's priority is now running", reg("ICC_RPR_EL1"), 0xA0)
check("monitor reg decodes ICC_CTLR_EL1", "PRIbits" in run("monitor reg ICC_CTLR_EL1"), run("monitor reg ICC_CTLR_EL1"))
run("delete")

event = resume()
# GDB shows a BRK's SIGTRAP as a plain stop, as for a breakpoint it did not plant.
check("the boot ends at its brk", event is not None and reg("pc") == symbol("boot_done"), (event, reg("pc")))
check_equal("the timer interrupt was INTID 26", result(120), 26)
check_equal("the SGI was INTID 3", result(128), 3)
check_equal("two interrupts were taken", result(136), 2)
check_equal("nothing is left running", reg("ICC_RPR_EL1"), 0xFF)

# A WFI with the timer stopped, IRQs masked and nothing pending: the core idles; Ctrl-C stops it.
run("set $pc = %d" % symbol("wait_for_timer"))
before = reg("CNTPCT_EL0")
check_equal("continue into a WFI nothing can end, then Ctrl-C, stops with SIGINT", resume_and_interrupt(), "SIGINT")
check_equal("the WFI completed; pc is after it", reg("pc"), symbol("after_wfi"))
check_equal("no time passed while idle", reg("CNTPCT_EL0"), before + 1)
check_equal("the stub still answers", reg("MIDR_EL1"), 0x410FD150)
finish()
