#!/usr/bin/env bash
# Installs what minired needs from Debian 12's packages, only what is missing.
#   scripts/install-deps.sh          build dependencies
#   scripts/install-deps.sh --test   plus redis-server/redis-tools (the test oracle), clang
#                                    and its sanitizer/libFuzzer runtimes,
#                                    python3-redis and Node.js/npm (standard-client checks)
#                                    and twemproxy (nutcracker, the sharding proxy)
#   scripts/install-deps.sh --bench  plus what bench/catalog-load runs (wrk, nginx,
#                                    sqlite3, nutcracker)
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config
          libasio-dev librocksdb-dev libxxhash-dev libfmt-dev libmimalloc-dev
          libgtest-dev libgmock-dev libbenchmark-dev
          librestinio-dev libhttp-parser-dev nlohmann-json3-dev libsqlite3-dev libssl-dev
          liblua5.1-0-dev lua-cjson-dev lua-bitop-dev)
if [[ "${1:-}" == "--bench" ]]; then
  # bench/catalog-load: the HTTP load generator, the static-file ceiling, the database check.
  packages+=(redis-server redis-tools wrk nginx-light nutcracker sqlite3 curl python3)
fi
if [[ "${1:-}" == "--test" ]]; then
  # clang + its runtimes: the ASan/UBSan build and the libFuzzer targets (scripts/test.sh).
  packages+=(redis-server redis-tools nutcracker python3 python3-redis clang libclang-rt-14-dev openssl)
  # Any Node.js >= 18 will do; Debian's only when none is on the PATH.
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if (( ${#missing[@]} > 0 )); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts a packaged redis-server on 6379; the tests start their own on free
  # ports, and 6379 belongs to minired.
  if printf '%s\n' "${missing[@]}" | grep -qx nginx-light; then
    $SUDO systemctl disable --now nginx >/dev/null 2>&1 || $SUDO service nginx stop >/dev/null 2>&1 || true
  fi
  if printf '%s\n' "${missing[@]}" | grep -qx nutcracker; then
    $SUDO systemctl disable --now nutcracker >/dev/null 2>&1 || $SUDO service nutcracker stop >/dev/null 2>&1 || true
  fi
  if printf '%s\n' "${missing[@]}" | grep -qx redis-server; then
    $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || $SUDO service redis-server stop >/dev/null 2>&1 || true
  fi
fi
