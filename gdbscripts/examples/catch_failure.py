# A CI check for a Xen port, in GDB Python: apply a scenario of map requests (the calls the
# port's boot code makes) through the stub's map service while GDB waits in `continue`; a failed
# request stops the core (SIGTRAP), and the script prints the diagnosis — which request, which
# of Xen's rules refused it, which existing region was in the way — and exits non-zero.
#
#   MPUSTUB_SCENARIO=docs/scenarios/overlap-fails.json \
#     gdb-multiarch -batch -x gdbscripts/examples/catch_failure.py
#
# Environment: MPUSTUB_SCENARIO (required), MPUSTUB_PORT (GDB port, 1234), MPUSTUB_API
# (http://127.0.0.1:1235). Exit status: 0 when every request succeeded, 1 when one failed,
# 2 when the check itself could not run.
import json
import os
import signal
import sys
import threading
import urllib.request

import gdb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mpustub  # noqa: E402

# Xen's messages and the rule each one states (xen_mpumap_update and its callers).
RULES = [
    ("overlaps with the existing region", "the range straddles an existing region (neither identical nor inside it)"),
    ("Cannot remove a partial region", "only whole regions can be removed"),
    ("Cannot remove an entry that does not exist", "nothing is mapped there"),
    ("mapping pool exhausted", "every MPU region is in use"),
    ("refcount overflow", "the region is already mapped 255 times"),
    ("Cannot modify partial region attributes", "RO/XN can only change for a whole region"),
    ("mapped multiple times", "RO/XN cannot change while the region is mapped more than once"),
    ("Modifying AI attribute is not supported", "the memory type (AttrIndx) of a region cannot change"),
    ("both Writeable and Executable", "W^X: a mapping cannot be writable and executable"),
    ("must be smaller than limit", "the range is empty or inverted"),
    ("not page aligned", "base and limit must be 4 KiB aligned"),
]


def fail(message):
    print("catch_failure: " + message)
    gdb.execute("quit 2")


def main():
    scenario_path = os.environ.get("MPUSTUB_SCENARIO")
    if not scenario_path:
        fail("set MPUSTUB_SCENARIO to a scenario file")
    api = os.environ.get("MPUSTUB_API", "http://127.0.0.1:1235")
    with open(scenario_path, encoding="utf-8-sig") as f:  # a leading BOM is accepted, as by the stub
        scenario = json.load(f)

    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("target remote 127.0.0.1:%s" % os.environ.get("MPUSTUB_PORT", "1234"))
    gdb.execute("mpu catch on", to_string=True)
    # No Xen image runs here: park the core in a WFI loop (written past the MPU, into Xen's
    # read-only text) so that it idles while the service applies the requests.
    gdb.execute("monitor mpu bypass on", to_string=True)
    gdb.execute("set {unsigned int}0x1000 = 0xd503207f", to_string=True)  # wfi
    gdb.execute("set {unsigned int}0x1004 = 0x17ffffff", to_string=True)  # b 0x1000
    gdb.execute("monitor mpu bypass off", to_string=True)
    gdb.execute("set $pc = 0x1000", to_string=True)

    outcome = {}
    stopped = threading.Event()

    def apply():
        request = urllib.request.Request(api + "/v1/scenario", data=json.dumps(scenario).encode(), headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request) as answer:
                outcome.update(json.loads(answer.read()))
        except Exception as err:  # the check could not run: make GDB stop waiting
            outcome["error"] = str(err)
        if outcome.get("rc", 1) == 0 or "error" in outcome:
            os.kill(os.getpid(), signal.SIGINT)
        elif not stopped.wait(5):
            # The failure reached the stub before the resume did (the core was still halted,
            # so nothing stopped it): stop it ourselves; the diagnosis is the same.
            outcome["interrupted"] = True
            os.kill(os.getpid(), signal.SIGINT)

    worker = threading.Thread(target=apply)

    def on_resume(_event):
        # Apply the scenario only once the resume has gone to the stub: a failure then finds
        # the core running and stops it.
        gdb.events.cont.disconnect(on_resume)
        worker.start()

    gdb.events.cont.connect(on_resume)
    gdb.events.stop.connect(lambda _event: stopped.set())
    gdb.execute("continue")  # returns when the service stops the core, or on our SIGINT
    worker.join()

    if "error" in outcome:
        fail("the scenario could not be applied: " + outcome["error"])
    print("scenario %s: %d request(s) applied" % (outcome.get("scenario"), len(outcome.get("results", []))))
    if outcome.get("rc") == 0:
        print("PASS: every map request succeeded")
        gdb.execute("quit 0")

    state = mpustub.xen()
    failure = state["lastError"]
    request = failure["request"]
    print("FAIL: map request #%d refused: rc %d (%s)" % (failure["sequence"], failure["rc"], failure["errno"]))
    print("  request: %s" % " ".join("%s=%s" % (k, v) for k, v in request.items()))
    for line in failure["messages"]:
        print("  (XEN) %s" % line)
    rules = [rule for text, rule in RULES if any(text in line for line in failure["messages"])]
    print("  rule: %s" % (rules[0] if rules else "see Xen's message"))
    conflict = failure.get("conflict")
    if conflict:
        print("  existing region %d: [%s, %s) PRBAR %s PRLAR %s refcount %d" % (
            conflict["index"], conflict["base"], conflict["limit"], conflict["prbar"], conflict["prlar"], conflict["refcount"]))
    if outcome.get("interrupted"):
        print("  the failure came before the core was running; stopped it with Ctrl-C. The refused request changed nothing: inspect the MPU as it stands")
    else:
        print("  core stopped with SIGTRAP at the failure; the refused request changed nothing: inspect the MPU as it stands")
    gdb.execute("quit 1")


main()
