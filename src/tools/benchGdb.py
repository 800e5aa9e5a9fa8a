# The GDB side of `npm run bench`: identical work against any stub, timed from GDB Python,
# printed as one JSON line "BENCH {...}" whose values are lists of samples in seconds (the
# benchmark pools them over runs and takes medians). Environment: BENCH_PORT, BENCH_RAM (an
# address with at least the largest size of RAM behind it), BENCH_SIZES (comma-separated
# transfer sizes), BENCH_REPEAT (transfers of each size), BENCH_READS (single register /
# memory reads, each timed alone), BENCH_MPUSTUB=1 to also time `mpu regions`.
import json
import os
import tempfile
import time

import gdb


def timed(work):
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


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
        writes.append(timed(lambda: gdb.execute("restore %s binary %d" % (source, ram), to_string=True)))
        dumps.append(timed(lambda: gdb.execute("dump binary memory %s %d %d" % (back, ram, ram + size), to_string=True)))
    result["write_%d" % size] = writes
    result["read_%d" % size] = dumps


def register_read():
    gdb.execute("maintenance flush register-cache", to_string=True)
    gdb.parse_and_eval("$x1")


# Each read timed alone, register and memory reads alternating, so that load from elsewhere
# on the machine falls on both alike.
result["register_read"], result["memory_read"] = [], []
for i in range(reads):
    result["register_read"].append(timed(register_read))
    result["memory_read"].append(timed(lambda: gdb.execute("x/1xg %d" % (ram + 8 * i), to_string=True)))
result["info_registers_system"] = [timed(lambda: gdb.execute("info registers system", to_string=True))]

if os.environ.get("BENCH_MPUSTUB") == "1":
    here = os.path.dirname(os.path.abspath(os.environ["BENCH_SCRIPTS"] + "/mpustub.py"))
    gdb.execute("source %s/mpustub.py" % here)
    result["mpu_regions"] = [timed(lambda: gdb.execute("mpu regions", to_string=True)) for _ in range(10)]

print("BENCH " + json.dumps(result))
gdb.execute("kill")
