# The GDB side of `npm run bench`: identical work against any stub, timed from GDB Python,
# printed as one JSON line "BENCH {...}" whose values are lists of samples in seconds (the
# benchmark pools them over runs and takes medians). Environment: BENCH_PORT, BENCH_RAM (an
# address with at least the largest size of RAM behind it), BENCH_SIZES (comma-separated
# transfer sizes), BENCH_REPEAT (transfers of each size), BENCH_READS (single register /
# memory reads, each timed alone), BENCH_MPUSTUB=1 to also time `mpu regions`, BENCH_STUB_PID
# (the stub's process) to also record the CPU time GDB and the stub spend on each transfer:
# where a transfer's time goes, and so what bounds it.
import json
import os
import tempfile
import time

import gdb


def timed(work):
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# The stub's CPU time is read from Linux's /proc; elsewhere only GDB's is left out too.
stub_pid = os.environ.get("BENCH_STUB_PID")
if stub_pid and not os.path.isdir("/proc/%s/task" % stub_pid):
    stub_pid = None


def stub_cpu():
    """Seconds the stub's threads have run, from the scheduler's nanosecond counters."""
    total = 0
    tasks = "/proc/%s/task" % stub_pid
    for task in os.listdir(tasks):
        try:
            with open("%s/%s/schedstat" % (tasks, task)) as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # a thread that ended meanwhile
    return total / 1e9


def timed_with_cpu(work, key):
    """Times `work`; with the stub's PID, also records GDB's and the stub's CPU time for it."""
    if not stub_pid:
        return timed(work)
    gdb_before, stub_before = time.process_time(), stub_cpu()
    elapsed = timed(work)
    result.setdefault("gdb_cpu_" + key, []).append(time.process_time() - gdb_before)
    result.setdefault("stub_cpu_" + key, []).append(stub_cpu() - stub_before)
    return elapsed


port = os.environ["BENCH_PORT"]
ram = int(os.environ["BENCH_RAM"], 0)
sizes = [int(s, 0) for s in os.environ["BENCH_SIZES"].split(",")]
repeat = int(os.environ.get("BENCH_REPEAT", "1"))
reads = int(os.environ["BENCH_READS"])
result = {}

gdb.execute("set pagination off")
gdb.execute("set confirm off")
result["connect"] = [timed(lambda: gdb.execute("target remote 127.0.0.1:%s" % port, to_string=True))]

scratch = tempfile.mkdtemp()
for size in sizes:
    source = os.path.join(scratch, "in-%d.bin" % size)
    with open(source, "wb") as f:
        f.write(bytes((i * 7 + (i >> 12)) & 0xFF for i in range(size)))
    back = os.path.join(scratch, "out-%d.bin" % size)
    writes, dumps = [], []
    for _ in range(repeat):
        writes.append(timed_with_cpu(lambda: gdb.execute("restore %s binary %d" % (source, ram), to_string=True), "write_%d" % size))
        dumps.append(timed_with_cpu(lambda: gdb.execute("dump binary memory %s %d %d" % (back, ram, ram + size), to_string=True), "read_%d" % size))
    result["write_%d" % size] = writes
    result["read_%d" % size] = dumps


def register_read():
    gdb.execute("maintenance flush register-cache", to_string=True)
    gdb.parse_and_eval("$x1")


# Each read timed alone, register and memory reads alternating, so that load from elsewhere
# on the machine falls on both alike.
# CPU times are taken around the whole loop (reading the stub's between reads would disturb
# what is timed) and given per read, register and memory reads together.
result["register_read"], result["memory_read"] = [], []
if stub_pid:
    gdb_before, stub_before = time.process_time(), stub_cpu()
for i in range(reads):
    result["register_read"].append(timed(register_read))
    result["memory_read"].append(timed(lambda: gdb.execute("x/1xg %d" % (ram + 8 * i), to_string=True)))
if stub_pid and reads > 0:
    result["gdb_cpu_single_read"] = [(time.process_time() - gdb_before) / (2 * reads)]
    result["stub_cpu_single_read"] = [(stub_cpu() - stub_before) / (2 * reads)]
result["info_registers_system"] = [timed(lambda: gdb.execute("info registers system", to_string=True))]

if os.environ.get("BENCH_MPUSTUB") == "1":
    here = os.path.dirname(os.path.abspath(os.environ["BENCH_SCRIPTS"] + "/mpustub.py"))
    gdb.execute("source %s/mpustub.py" % here)
    result["mpu_regions"] = [timed(lambda: gdb.execute("mpu regions", to_string=True)) for _ in range(10)]

print("BENCH " + json.dumps(result))
gdb.execute("kill")
