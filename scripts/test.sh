#!/usr/bin/env bash
# Installs dependencies (with redis-server as the test oracle), builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
npm ci --prefix tests/clients --no-audit --no-fund --loglevel=error
cd build
ctest --output-on-failure -j2 --timeout 600
