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
