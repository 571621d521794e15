#!/usr/bin/env python3
"""Hostile and idle clients for bench/client-limits/run (issue #9).

  attack.py idle PORT N            open N connections, PING each once, hold them until killed
  attack.py slowloris PORT         50 connections each sending one byte of a command per second
  attack.py noreader PORT          10 connections asking for a 1 MB value in a loop, never reading
  attack.py garbage PORT           connections each sending 100 MB of inline garbage
  attack.py hugecount PORT         new connections announcing 2^31 arguments / 2^31-byte bulks
  attack.py churn PORT             connects and disconnects as fast as it can
  attack.py killbusy PORT          pipelining clients, killed with CLIENT KILL every 50 ms
Runs until killed (SIGTERM); prints what it did to stderr on exit.
"""
import os
import signal
import socket
import sys
import threading
import time

stop = threading.Event()
done = {"ops": 0}
MODE = sys.argv[1] if len(sys.argv) > 1 else "?"


def finish(*_):
    # Threads may sit in a blocking send to a server that stopped reading: leave at once.
    print(f"{MODE}: {done['ops']} operations", file=sys.stderr, flush=True)
    os._exit(0)


signal.signal(signal.SIGTERM, finish)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def quietly(fn):
    def run(*a):
        while not stop.is_set():
            try:
                fn(*a)
            except OSError:
                time.sleep(0.01)
    return run


def idle(port, n):
    held = []
    for i in range(n):
        s = connect(port)
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
        got = b""
        while not got.endswith(b"\r\n"):
            got += s.recv(64)
        held.append(s)
    print("ready", flush=True)
    while True:
        time.sleep(1)


@quietly
def slowloris_one(port):
    s = connect(port)
    for b in b"*3\r\n$3\r\nSET\r\n$4\r\nslow\r\n$100\r\n" + b"x" * 100 + b"\r\n":
        if stop.wait(1.0):
            return
        s.send(bytes([b]))
        done["ops"] += 1


@quietly
def noreader_one(port):
    s = connect(port)
    s.setblocking(False)
    req = b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 64
    while not stop.is_set():
        try:
            s.send(req)
            done["ops"] += 64
        except BlockingIOError:
            time.sleep(0.05)


@quietly
def garbage_one(port):
    s = connect(port)
    chunk = b"g" * (1 << 20)
    for _ in range(100):
        s.sendall(chunk)
        done["ops"] += 1
    s.close()


# (request, whether the server answers it). A count of 2^31 - 1 is a valid header for an
# authenticated client, so the server waits for the rest: the attacker sends a thousand
# arguments of it and hangs up, and the server must not have sized anything by the count.
HUGE = [
    (b"*2147483647\r\n" + b"$4\r\nPING\r\n" * 1000, False),
    (b"*1\r\n$2147483647\r\n", True),
    (b"*1\r\n*1\r\n*1\r\n*1\r\n", True),
    (b"*-5\r\n$3\r\n", True),
]


@quietly
def hugecount_one(port):
    for req, answered in HUGE:
        s = connect(port)
        s.sendall(req)
        if answered and not s.recv(256):
            raise ConnectionError("closed without a reply")
        s.close()
        done["ops"] += 1


@quietly
def churn_one(port):
    s = connect(port)
    s.close()
    done["ops"] += 1


@quietly
def busy_one(port):
    s = connect(port)
    s.sendall(b"*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$4\r\nbusy\r\n")
    s.recv(64)
    req = b"*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n" * 100
    while not stop.is_set():
        s.sendall(req)
        s.recv(65536)
        done["ops"] += 100


@quietly
def killer(port):
    s = connect(port)
    while not stop.wait(0.05):
        s.sendall(b"*2\r\n$6\r\nCLIENT\r\n$4\r\nLIST\r\n")
        listing = b""
        while not listing.endswith(b"\r\n") or listing.count(b"\n") < 2:
            listing += s.recv(1 << 20)
        for line in listing.decode(errors="replace").splitlines():
            if "name=busy" in line:
                cid = line.split("id=")[1].split(" ")[0]
                cmd = f"*4\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$2\r\nID\r\n${len(cid)}\r\n{cid}\r\n".encode()
                s.sendall(cmd)
                s.recv(64)
                done["ops"] += 1


def spawn(fn, port, n):
    threads = [threading.Thread(target=fn, args=(port,), daemon=True) for _ in range(n)]
    for t in threads:
        t.start()


# mode -> the attackers it starts: (function, how many threads).
MODES = {
    "slowloris": [(slowloris_one, 50)],
    "noreader": [(noreader_one, 10)],
    "garbage": [(garbage_one, 2)],
    "hugecount": [(hugecount_one, 2)],
    "churn": [(churn_one, 2)],
    "killbusy": [(busy_one, 4), (killer, 1)],
}


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "idle":
        idle(port, int(sys.argv[3]))
    if mode not in MODES:
        sys.exit(f"unknown mode {mode}")
    for fn, n in MODES[mode]:
        spawn(fn, port, n)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
