# Shared helpers for the end-to-end GDB scripts: connect to the stub named by MPUSTUB_PORT,
# run commands capturing their output, and report PASS/FAIL lines; `finish()` exits GDB with
# the number of failures so that the test runner sees them.
import os
import gdb

failures = 0


def connect():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("set architecture aarch64")
    gdb.execute("target remote 127.0.0.1:%s" % os.environ["MPUSTUB_PORT"])


def run(command):
    """Runs a GDB command and returns what it printed."""
    return gdb.execute(command, to_string=True)


def error_of(command):
    """Runs a command that must fail; returns the error text (or None if it succeeded)."""
    try:
        gdb.execute(command, to_string=True)
    except gdb.error as err:
        return str(err)
    return None


def failing_output(command):
    """Runs a command that must fail; returns (error text or None, everything it printed).

    GDB drops the captured output of a command that raises, so the output is logged to a
    file instead."""
    import tempfile
    path = tempfile.mktemp(suffix=".log")
    gdb.execute("set logging file " + path)
    gdb.execute("set logging overwrite on")
    gdb.execute("set logging redirect on")
    gdb.execute("set logging enabled on")
    error = None
    try:
        gdb.execute(command)
    except gdb.error as err:
        error = str(err)
    finally:
        gdb.execute("set logging enabled off")
    with open(path) as f:
        printed = f.read()
    os.unlink(path)
    return error, printed


_stops = []
gdb.events.stop.connect(lambda event: _stops.append(event))


def _signal_of(event):
    return getattr(event, "stop_signal", "breakpoint" if hasattr(event, "breakpoints") else "other")


def resume(command="continue"):
    """Runs a resuming command; returns the stop event GDB reported (None when there was none)."""
    del _stops[:]
    gdb.execute(command, to_string=True)
    return _stops[-1] if _stops else None


def resume_and_interrupt(command="continue", after=0.5):
    """Resumes the idle core and sends GDB a SIGINT (the Ctrl-C path); returns the stop signal."""
    import signal
    import threading
    del _stops[:]
    timer = threading.Timer(after, lambda: os.kill(os.getpid(), signal.SIGINT))

    def start_when_resumed(_event):
        # Count from the resume, not from now: a Ctrl-C before it would not reach the target.
        gdb.events.cont.disconnect(start_when_resumed)
        timer.start()

    gdb.events.cont.connect(start_when_resumed)
    gdb.execute(command)
    timer.join()
    return _signal_of(_stops[-1]) if _stops else None


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFFFFFFFFFF


def check(name, condition, detail=""):
    global failures
    if condition:
        print("PASS: %s" % name)
    else:
        failures += 1
        print("FAIL: %s %s" % (name, detail))


def check_equal(name, actual, expected):
    check(name, actual == expected, "(got %r, expected %r)" % (actual, expected))


def finish():
    gdb.execute("quit %d" % failures)
