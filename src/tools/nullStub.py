#!/usr/bin/env python3
# A second null stub, in another language, as an independent reference for `npm run bench`:
# if the Node null stub (src/tools/nullStub.ts) and this one take the same time for the same
# GDB work, that time is GDB's (and the kernel's), not the stub's. Like the Node one it answers
# every packet at once from precomputed replies (zeros for registers and memory, OK for
# writes) and serves the same target description, `g` size and `p` sizes, so GDB does the
# same work against both.
#
#   python3 src/tools/nullStub.py TARGET_XML_FILE G_BYTES [PORT [PACKET_SIZE]]
#
# prints `gdb: target remote 127.0.0.1:PORT` when listening (PORT 0: any free port). It does
# no more per packet than find the frame's end: binary data cannot contain '#' (GDB escapes
# it), so the first '#' after '$' ends the payload and two checksum digits follow. Checksums
# are not verified.
import re
import socket
import sys


def frame(payload: bytes) -> bytes:
    return b"$" + payload + b"#" + b"%02x" % (sum(payload) & 0xFF)


def escape(data: bytes) -> bytes:
    out = bytearray()
    for b in data:
        if b in (0x23, 0x24, 0x7D, 0x2A):
            out += bytes((0x7D, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


with open(sys.argv[1], "rb") as f:
    XML = f.read()
G_BYTES = int(sys.argv[2])
PORT = int(sys.argv[3]) if len(sys.argv) > 3 else 0
PACKET_SIZE = int(sys.argv[4], 0) if len(sys.argv) > 4 else 0x20000

OK = frame(b"OK")
EMPTY = frame(b"")
FIXED = {
    b"QStartNoAckMode": OK,
    b"?": frame(b"T05thread:1;"),
    b"g": frame(b"00" * G_BYTES),
    b"qC": frame(b"QC1"),
    b"qfThreadInfo": frame(b"m1"),
    b"qsThreadInfo": frame(b"l"),
    b"qAttached": frame(b"1"),
    b"vMustReplyEmpty": EMPTY,
}
SUPPORTED = frame(b"PacketSize=%x;qXfer:features:read+;QStartNoAckMode+" % PACKET_SIZE)


def register_sizes(description: bytes) -> dict:
    """Bytes of each register by number, as GDB numbers the description: in document order,
    an explicit regnum restarting the count. A `p` reply must have the register's own size
    (GDB reads the FPU registers, outside `g`, with `p`)."""
    sizes = {}
    number = 0
    for element in re.findall(rb"<reg\s[^>]*>", description):
        regnum = re.search(rb'\bregnum="(\d+)"', element)
        bits = re.search(rb'\bbitsize="(\d+)"', element)
        if regnum:
            number = int(regnum.group(1))
        sizes[number] = int(bits.group(1)) // 8 if bits else 8
        number += 1
    return sizes


REGISTERS = {regnum: frame(b"00" * size) for regnum, size in register_sizes(XML).items()}
REGISTER = frame(b"00" * 8)  # a number the description lacks
memory_replies = {}
XFER = b"qXfer:features:read:target.xml:"


def memory(length: int) -> bytes:
    reply = memory_replies.get(length)
    if reply is None:
        reply = memory_replies[length] = frame(b"0" * min(PACKET_SIZE - 4, 2 * length))
    return reply


def reply(header: bytes) -> bytes:
    """The framed reply to a packet, from its first bytes (X data is never looked at)."""
    first = header[:1]
    if first == b"m":
        return memory(int(header[header.index(b",") + 1 :], 16))
    if first in (b"X", b"M", b"H", b"T", b"D"):
        return OK
    if first == b"p":
        return REGISTERS.get(int(header[1:], 16), REGISTER)
    fixed = FIXED.get(header)
    if fixed is not None:
        return fixed
    if header.startswith(b"qSupported"):
        return SUPPORTED
    if header.startswith(XFER):
        offset, length = (int(n, 16) for n in header[len(XFER) :].split(b","))
        chunk = XML[offset : offset + length]
        return frame((b"l" if offset + length >= len(XML) else b"m") + escape(chunk))
    return EMPTY


def serve(conn: socket.socket) -> None:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ack = True
    buf = bytearray()
    scanned = 0  # where the search for '#' resumes, so a 128 KiB packet is scanned once
    while True:
        data = conn.recv(1 << 20)
        if not data:
            return
        buf += data
        while True:
            start = buf.find(b"$")
            if start < 0:
                buf.clear()
                scanned = 0
                break
            end = buf.find(b"#", max(start + 1, scanned))
            if end < 0 or end + 3 > len(buf):
                scanned = len(buf) if end < 0 else end
                if start > 0:
                    del buf[:start]
                    scanned -= start
                break
            header = bytes(buf[start + 1 : min(end, start + 1 + 256)])
            if header[:1] == b"X":
                header = header[: header.find(b":") + 1]
            del buf[: end + 3]
            scanned = 0
            if header == b"k":
                return
            answer = reply(header)
            conn.sendall(b"+" + answer if ack else answer)
            if header == b"QStartNoAckMode":
                ack = False


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", PORT))
server.listen(1)
print("gdb: target remote 127.0.0.1:%d" % server.getsockname()[1], flush=True)
while True:
    connection, _ = server.accept()
    with connection:
        try:
            serve(connection)
        except OSError:
            pass
