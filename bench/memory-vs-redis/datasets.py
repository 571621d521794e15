#!/usr/bin/env python3
"""The data shapes of bench/memory-vs-redis as RESP for redis-cli --pipe.

  datasets.py list            the shapes, one per line: name<TAB>description
  datasets.py NAME > FILE     that shape's commands (the same bytes every run: seeded)

Every value type in its small (compact) and big encoding, with the element shapes a
shop's catalog keeps: product hashes, tags, numeric ids, prices, job payloads, events."""
import random
import sys


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def strings(rng):
    for i in range(1000000):
        yield resp("SET", f"key:{i}", f"value-{i}-xxxxxxxxxx")


def product_hashes(rng):
    for i in range(100000):
        yield resp("HSET", f"product:{i}", "name", "Product name", "price", "19.99", "category", "shoes",
                   "brand", "Acme", "stock", "120", "rank", "1234", "image", "https://img.test/p.j")


def small_lists(rng):
    for i in range(100000):
        yield resp("RPUSH", f"recent:{i}", *[f"item:{j}" for j in range(10)])


def ten_big(command, key, args_from):
    """Ten keys of 100,000 elements, in commands of 100: args_from(i) gives the
    arguments that add elements i .. i + 99."""
    for k in range(10):
        for i in range(0, 100000, 100):
            yield resp(command, key.format(k), *args_from(i))


def big_lists(rng):
    return ten_big("RPUSH", "jobs:{}", lambda i: [f"job:{i + j:08d}" for j in range(100)])


def id_lists(rng):
    return ten_big("RPUSH", "category:{}:ids", lambda i: [rng.randint(1, 10**6) for _ in range(100)])


def small_sets(rng):
    for i in range(100000):
        yield resp("SADD", f"tags:{i}", *[f"tag{j}" for j in range(10)])


def int_sets(rng):
    for i in range(100000):
        yield resp("SADD", f"related:{i}", *[rng.randint(1, 10**6) for _ in range(10)])


def big_sets(rng):
    return ten_big("SADD", "visitors:{}", lambda i: [f"member:{i + j}" for j in range(100)])


def small_zsets(rng):
    for i in range(100000):
        pairs = []
        for j in range(10):
            pairs += [rng.randint(1, 1000), f"m{j}"]
        yield resp("ZADD", f"top:{i}", *pairs)


def big_zsets(rng):
    return ten_big("ZADD", "ranking:{}", lambda i: [x for j in range(100) for x in (rng.random() * 1e6, f"member:{i + j}")])


def big_hashes(rng):
    return ten_big("HSET", "stock:{}", lambda i: [x for j in range(100) for x in (f"f{i + j}", f"value{j}")])


def streams(rng):
    for i in range(500000):
        yield resp("XADD", f"orders:{i % 10}", "*", "sku", f"sku-{i}", "qty", i % 7)


def hyperloglogs(rng):
    for i in range(10000):
        yield resp("PFADD", f"visitors:day:{i}", *[f"v{j}" for j in range(50)])


SHAPES = [
    ("strings", "1,000,000 strings key:N, 21-byte values", strings),
    ("product_hashes", "100,000 product hashes, 7 short fields", product_hashes),
    ("small_lists", "100,000 lists of 10 elements item:N", small_lists),
    ("big_lists", "10 lists of 100,000 elements job:NNNNNNNN", big_lists),
    ("id_lists", "10 lists of 100,000 random numeric ids", id_lists),
    ("small_sets", "100,000 sets of 10 tags", small_sets),
    ("int_sets", "100,000 sets of 10 numeric ids (intset)", int_sets),
    ("big_sets", "10 sets of 100,000 members member:N", big_sets),
    ("small_zsets", "100,000 sorted sets of 10 members, integer scores", small_zsets),
    ("big_zsets", "10 sorted sets of 100,000 members, random scores", big_zsets),
    ("big_hashes", "10 hashes of 100,000 fields", big_hashes),
    ("streams", "10 streams of 50,000 entries, 2 fields", streams),
    ("hyperloglogs", "10,000 HyperLogLogs of 50 elements (sparse)", hyperloglogs),
]

if __name__ == "__main__":
    if sys.argv[1:] == ["list"]:
        for name, description, _ in SHAPES:
            print(f"{name}\t{description}")
        sys.exit(0)
    shape = {name: gen for name, _, gen in SHAPES}.get(sys.argv[1] if len(sys.argv) > 1 else "")
    if shape is None:
        sys.exit("usage: datasets.py list | datasets.py NAME")
    out = sys.stdout.buffer
    for command in shape(random.Random(20261207)):
        out.write(command)
