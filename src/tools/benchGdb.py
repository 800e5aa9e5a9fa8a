# The GDB side of `npm run bench`: identical work against any stub, timed from GDB Python,
# printed as one JSON line "BENCH {...}". Environment: BENCH_PORT, BENCH_RAM (an address with
# at least BENCH_SIZE bytes of RAM), BENCH_SIZES (comma-separated transfer sizes), BENCH_READS
# (single register / memory reads), BENCH_MPUSTUB=1 to also time `mpu regions`.
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
reads = int(os.environ["BENCH_READS"])
result = {}

gdb.execute("set pagination off")
gdb.execute("set confirm off")
result["connect"] = timed(lambda: gdb.execute("target remote 127.0.0.1:%s" % port, to_string=True))

scratch = tempfile.mkdtemp()
for size in sizes:
    source = os.path.join(scratch, "in-%d.bin" % size)
    with open(source, "wb") as f:
        f.write(bytes((i * 7 + (i >> 12)) & 0xFF for i in range(size)))
    result["write_%d" % size] = timed(lambda: gdb.execute("restore %s binary %d" % (source, ram), to_string=True))
    back = os.path.join(scratch, "out-%d.bin" % size)
    result["read_%d" % size] = timed(lambda: gdb.execute("dump binary memory %s %d %d" % (back, ram, ram + size), to_string=True))


def register_reads():
    for _ in range(reads):
        gdb.execute("maintenance flush register-cache", to_string=True)
        gdb.parse_and_eval("$x1")


result["register_read"] = timed(register_reads) / reads


def memory_reads():
    for i in range(reads):
        gdb.execute("x/1xg %d" % (ram + 8 * i), to_string=True)


result["memory_read"] = timed(memory_reads) / reads
result["info_registers_system"] = timed(lambda: gdb.execute("info registers system", to_string=True))

if os.environ.get("BENCH_MPUSTUB") == "1":
    here = os.path.dirname(os.path.abspath(os.environ["BENCH_SCRIPTS"] + "/mpustub.py"))
    gdb.execute("source %s/mpustub.py" % here)
    result["mpu_regions"] = timed(lambda: [gdb.execute("mpu regions", to_string=True) for _ in range(10)]) / 10

print("BENCH " + json.dumps(result))
gdb.execute("kill")
