#!/usr/bin/env bash
# Installs dependencies, builds, and starts minired-server on port 6379 with
# minired-catalog on port 8080 in front of it, over a seeded catalog (32,000 products
# in ./data/catalog.sqlite, seeded on first start). Ctrl+C stops both.
#   curl 'http://localhost:8080/api/products?page=1'
# Extra arguments go to minired-server, e.g. scripts/run.sh --threads 4
# Environment: CATALOG_PRODUCTS (seed size), MINIRED_CATALOG_TOKEN (enables writes).
# minired-server's data (snapshot + append-only log) lives in ./data/minired.rocksdb.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
mkdir -p data
if [[ ! -s data/catalog.sqlite ]]; then
  build/catalog/minired-catalog seed --db data/catalog.sqlite --products "${CATALOG_PRODUCTS:-32000}"
fi
build/server/minired-server --port 6379 --dir data "$@" &
server=$!
trap 'kill $server $catalog 2>/dev/null; wait' EXIT INT TERM
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break
  sleep 0.1
done
build/catalog/minired-catalog --port 8080 --db data/catalog.sqlite --cache-url redis://127.0.0.1:6379 &
catalog=$!
wait -n $server $catalog
