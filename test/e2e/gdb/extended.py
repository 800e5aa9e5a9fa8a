# End to end: gdb-multiarch in extended-remote mode and across sessions — detach keeps the
# connection, `attach 1` re-attaches, `run` puts the board back in its start state (the start
# scenario applied again), `kill` then `run` again; and `disconnect` followed at once by a new
# `target remote` is never refused.
import os
import gdb
from harness import check, check_equal, error_of, finish, reg, run

port = os.environ["MPUSTUB_PORT"]
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set architecture aarch64")
out = run("target extended-remote 127.0.0.1:%s" % port)
check("target extended-remote attaches to the running board", "Remote debugging" in out or reg("pc") == 0, out)

regions = run("monitor xen table")
check("the start scenario mapped Xen's boot regions", "entry" in regions or "0x" in regions, regions)
run("set {int}0x160000 = 0x12345678")
run("set $x7 = 77")
out = run("detach")
check("detach keeps the connection", "detached" in out, out)
check("and GDB is still connected", "extended-remote 127.0.0.1" in run("info inferiors"), run("info inferiors"))

out = run("attach 1")
check("attach 1 re-attaches", error_of("info registers pc") is None, out)
check_equal("attaching changed nothing", int(gdb.parse_and_eval("*(int *)0x160000")), 0x12345678)
check_equal("... x7 kept", reg("x7"), 77)

run("monitor xen destroy-containing 0x0")
out = run("run")
check_equal("run restarts the board: memory back to zero", int(gdb.parse_and_eval("*(int *)0x160000")), 0)
check_equal("... registers at reset", (reg("x7"), reg("pc")), (0, 0))
check("... and the start scenario applied again (region 0 back)", run("monitor xen table") == regions, run("monitor xen table"))

out = run("kill")
check("kill keeps the connection in extended-remote", "killed" in out and "extended-remote 127.0.0.1" in run("info inferiors"), out)
run("run")
check_equal("run after kill starts the board again", reg("pc"), 0)
run("detach")

# disconnect and reconnect at once, ten times: never "already being debugged".
refused = 0
for _ in range(10):
    run("disconnect")
    err = error_of("target remote 127.0.0.1:%s" % port)
    if err is not None:
        refused += 1
check_equal("an immediate reconnect after disconnect is never refused", refused, 0)
finish()
