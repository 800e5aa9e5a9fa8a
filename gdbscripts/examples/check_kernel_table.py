# A CI check for a kernel that manages the EL2 MPU with a table of its own (Xen's xen_mpumap):
# boot it on the stub, stop at every MPU write and every synchronisation, and after each
# synchronisation compare the kernel's table with the hardware, region by region. The first
# time they disagree, print the diagnosis — which region, which side differs, why when it can
# tell, and the write that last changed the region — and exit non-zero.
#
#   MPUSTUB_KERNEL=kernel.elf gdb-multiarch -batch -x gdbscripts/examples/check_kernel_table.py
#
# Environment: MPUSTUB_KERNEL (the kernel's ELF, with debug information: required),
# MPUSTUB_PORT (GDB port, 1234), MPUSTUB_LOAD (1: `load` the ELF; 0 when the stub was started
# with `--kernel` and has placed it), MPUSTUB_IDLE (seconds without a stop after which the
# kernel is taken to be idle and checked a last time, 10). Exit status: 0 when the table and
# the MPU agreed after every synchronisation and at the end, 1 at the first disagreement (or a
# fault), 2 when the check itself could not run.
import os
import signal
import sys
import threading

import gdb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mpustub  # noqa: E402

MAX_STOPS = 10000


def quit_with(status, message=None):
    if message:
        print(message)
    sys.stdout.flush()
    gdb.execute("quit %d" % status)


def check_now(when):
    """Compares the kernel's table with the MPU; exits 1 with the diagnosis on a disagreement."""
    table, disagreements = mpustub.kernel_diff()
    if any(d["counted"] for d in disagreements):
        print("FAIL: %s, the kernel's table and the MPU disagree:" % when)
        mpustub.print_kernel_diff(table, disagreements)
        quit_with(1)
    used = sum(1 for e in table["entries"] if e["used"])
    print("check: %s: the kernel's table and the MPU agree (%d entries in use)" % (when, used))


def resume():
    """`continue`; a timer stops a kernel that went idle. Returns the stop event."""
    stops = []
    handler = stops.append
    gdb.events.stop.connect(handler)
    timer = threading.Timer(float(os.environ.get("MPUSTUB_IDLE", "10")), lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        gdb.execute("continue")
    finally:
        timer.cancel()
        gdb.events.stop.disconnect(handler)
    return stops[-1] if stops else None


def main():
    kernel = os.environ.get("MPUSTUB_KERNEL")
    if not kernel:
        quit_with(2, "check_kernel_table: set MPUSTUB_KERNEL to the kernel's ELF")
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("file %s" % kernel)
    gdb.execute("target remote 127.0.0.1:%s" % os.environ.get("MPUSTUB_PORT", "1234"))
    if os.environ.get("MPUSTUB_LOAD", "1") != "0":
        gdb.execute("load")
    gdb.execute("mpu symbols")
    gdb.execute("mpu catch write all")
    gdb.execute("mpu catch sync")

    syncs = 0
    for _ in range(MAX_STOPS):
        event = resume()
        status = mpustub._monitor_json("mpu catch json")
        if status is None:
            quit_with(2, "check_kernel_table: the stub does not answer `monitor mpu catch json` (not mpustub?)")
        caught = status["stoppedBy"]
        if caught is None:
            signal_name = getattr(event, "stop_signal", None)
            if signal_name not in (None, "SIGTRAP", "SIGINT"):
                print(gdb.execute("monitor core exception", to_string=True), end="")
                quit_with(1, "FAIL: the kernel stopped with %s before the check could finish" % signal_name)
            pc = int(gdb.parse_and_eval("$pc")) & mpustub.U64
            check_now("at the end (%s at pc %#x)" % ("idle" if signal_name == "SIGINT" else "stopped", pc))
            quit_with(0, "PASS: %d synchronisation(s) checked; the kernel's table and the MPU agreed after each" % syncs)
        if caught["kind"] == "sync":
            syncs += 1
            where = "pc %s%s" % (caught["pc"], " <%s>" % caught["symbol"] if caught["symbol"] else "")
            check_now("after the ISB at %s (synchronisation %d)" % (where, syncs))
    quit_with(2, "check_kernel_table: more than %d stops; giving up" % MAX_STOPS)


main()
