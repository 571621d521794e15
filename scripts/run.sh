#!/usr/bin/env bash
# Installs dependencies, builds, and starts minired-server on port 6379 (foreground).
# Extra arguments go to minired-server, e.g. scripts/run.sh --threads 4
# Data (snapshot + append-only log) lives in ./data/minired.rocksdb.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
mkdir -p data
exec build/server/minired-server --port 6379 --dir data "$@"
