#!/usr/bin/env bash
# Fails when an #include crosses the layers docs/ARCHITECTURE.md describes. Every
# library adds the project root to the include path, so a header-only include upwards
# would compile: this check (ctest "layering") is what keeps the layers.
#
#   scripts/check-layers.sh [repository root]
set -uo pipefail
cd "${1:-$(dirname "$0")/..}"

failed=0
# forbid <files...> -- <pattern> <why>: no file may include a header matching pattern.
forbid() {
  local pattern=$1 why=$2; shift 2
  local hits
  hits=$(grep -nE "^#include [\"<]($pattern)" "$@" 2>/dev/null)
  if [[ -n $hits ]]; then
    echo "layering: $why"
    echo "$hits" | sed 's/^/  /'
    failed=1
  fi
}

shopt -s globstar nullglob
forbid 'storage/|server/|replication/|client/|catalog/|asio' "protocol/ depends on nothing of ours" protocol/**/*.{h,cc}
forbid 'server/|replication/|client/|catalog/|asio' "storage/ must not reach up" storage/**/*.{h,cc}
forbid 'server/|client/|catalog/|asio' "replication/ must not reach up" replication/**/*.{h,cc}
forbid 'storage/|server/|replication/|catalog/' "client/ uses only protocol/" client/**/*.{h,cc}
forbid 'server/|storage/|replication/' "catalog/ reaches minired only through client/" catalog/**/*.{h,cc}
forbid 'server/|replication/|client/|catalog/|asio' "tools/ read data offline through storage/, never the server" tools/**/*.{h,cc}
forbid 'server/server\.h|server/net/|server/admin/|asio' \
  "server/families/ reaches the server only through CommandContext" server/families/*.{h,cc}
forbid 'server/server\.h|server/net/|server/admin/|asio' \
  "server/scripting/ reaches the server only through CommandContext" server/scripting/*.{h,cc}
forbid 'server/families/|server/admin/' "server.h, blocking.h, session.h and command_context.h include no command family" \
  server/server.h server/blocking.h server/session.h server/command_context.h
(( failed )) || echo "layering: ok"
exit $failed
