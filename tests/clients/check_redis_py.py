"""redis-py (Debian's python3-redis) against the server on argv[1]: what it sends on
connect (CLIENT SETNAME) plus common commands. Prints "ok redis-py"; exits 1 on failure."""
import sys

import redis

r = redis.Redis(port=int(sys.argv[1]), client_name="py-check")
assert r.ping()
assert r.set("py:k", "v", ex=100)
assert r.get("py:k") == b"v"
assert r.ttl("py:k") == 100
assert r.incrby("py:n", 3) == 3
p = r.pipeline(transaction=False)
p.incr("py:n")
p.get("py:n")
assert p.execute() == [4, b"4"]
assert r.client_getname() == "py-check"
assert r.info()["redis_version"] == "7.0.15"
assert r.info("keyspace")["db0"]["keys"] == 2
assert sorted(r.scan_iter("py:*")) == [b"py:k", b"py:n"]
try:
    r.incr("py:k")
    sys.exit("INCR of a non-integer did not fail")
except redis.ResponseError as e:
    assert "not an integer" in str(e), e
print("ok redis-py")
