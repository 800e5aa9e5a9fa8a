# End to end: the map service as a GDB user drives it, on the default Xen boot — the shadow
# table, a mapping appearing in PRBAR/PRLAR, Xen's refusals with their messages, the diff view,
# and a failed request from the HTTP API waking a GDB that waits in `continue`.
import json
import os
import threading
import urllib.request
import gdb
from harness import check, check_equal, connect, error_of, finish, reg, resume_and_interrupt, run

API = os.environ["MPUSTUB_API"]


def post(path, body):
    request = urllib.request.Request(API + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


connect()

table = run("monitor xen table")
check("the default boot left the Xen image mapped", "0x120000" in table and "entries in use" in table, table)
check_equal("the boot turned the MPU on", reg("SCTLR_EL2") & 1, 1)
check_equal("... with WXN", (reg("SCTLR_EL2") >> 19) & 1, 1)
err = error_of("set {char}0x0 = 1")
check("Xen's text is read-only to the debugger too", err is not None and "Cannot access memory" in err, err)

out = run("monitor xen map 0x30000000 0x30000 16 PAGE_HYPERVISOR_RW")
check("monitor xen map succeeds", "rc 0: inserted, entry 11" in out, out)
run("set $PRSELR_EL2 = 0L")
check_equal("PRBAR11_EL2 now holds the new region", reg("PRBAR11_EL2"), 0x30000032)
check_equal("PRLAR11_EL2 limit and attributes", reg("PRLAR11_EL2"), 0x3000FFCF)
run("set {long}0x30000000 = 0x1234")
check_equal("the new region is writable", int(gdb.parse_and_eval("*(long *)0x30000000")), 0x1234)

out = run("monitor xen unmap 0x30000000 0x30008000")
check("a partial removal is refused with Xen's message", "(XEN) Cannot remove a partial region" in out and "rc -22 (EINVAL)" in out, out)
out = run("monitor xen update 0x100000 0x180000 PAGE_HYPERVISOR_RW")
check("an overlap is refused with Xen's message", "overlaps with the existing region" in out, out)
check("monitor xen last-error keeps it", "overlaps with the existing region" in run("monitor xen last-error"))
check("shadow and hardware agree", "agree on every region" in run("monitor xen diff"))

out = run("monitor xen unmap 0x30000000 0x30010000")
check("removing the whole region succeeds", "rc 0: removed, entry 11" in out, out)
check_equal("PRLAR11_EL2 is disabled again", reg("PRLAR11_EL2") & 1, 0)

# A failed request while GDB waits in `continue` stops the core with SIGTRAP. The core runs a
# `b .` loop placed in Xen's (read-only, executable) text with the MPU bypassed for the write.
run("monitor mpu bypass on")
run("set {int}0x1000 = 0x14000000")
run("monitor mpu bypass off")
run("set $pc = 0x1000")
run("monitor xen catch on")
timer = threading.Timer(0.1, lambda: post("/v1/update", {"base": "0x100000", "limit": "0x180000", "flags": "PAGE_HYPERVISOR_RW"}))


def start_when_resumed(_event):
    # The failing request must find the core running: send it once the resume has gone out.
    gdb.events.cont.disconnect(start_when_resumed)
    timer.start()


gdb.events.cont.connect(start_when_resumed)
stops = []
# GDB reports a SIGTRAP stop as a plain stop event (only other signals make a SignalEvent).
gdb.events.stop.connect(lambda event: stops.append(type(event).__name__ + ":" + str(getattr(event, "stop_signal", ""))))
run("continue")
timer.join()
check_equal("a failed map request wakes GDB", stops[-1:] , ["StopEvent:"])
program = run("info program")
check("GDB says the core stopped with SIGTRAP", "SIGTRAP" in program, program)
check("the failure is there to inspect", "overlaps with the existing region" in run("monitor xen last-error"))

run("monitor xen catch off")
check_equal("with catch off, Ctrl-C is what stops the core", resume_and_interrupt(), "SIGINT")

answer = post("/v1/map", {"virt": "0x40000000", "mfn": "0x40000", "nr": 1, "flags": "PAGE_HYPERVISOR_RO"})
check_equal("the HTTP API maps too", answer["rc"], 0)
check("... and GDB sees it in the table", "0x40000000" in run("monitor xen table"))
finish()
