#!/usr/bin/env bash
# Checks minired's Debian packages without installing them on this machine (CI runs it,
# so the packaging cannot rot):
#
#   scripts/check-package.sh [BUILD_DIR]     (default build-package; built if missing)
#
#  1. builds the .debs (scripts/build-package.sh --build-dir BUILD_DIR);
#  2. each has its name, its Debian runtime dependencies (from dpkg-shlibdeps), its
#     conffiles and maintainer scripts, and the files it must hold;
#  3. unpacked into a scratch root, the server starts as the systemd unit starts it
#     (ExecStart, the installed minired.conf) under a stand-in for systemd's notify
#     socket, says READY=1, and answers redis-cli;
#  4. a program outside the repository builds against the installed client library, with
#     find_package(minired) and with pkg-config, and talks to that server;
#  5. lintian, when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-package}

if [[ -f $dir/CMakeCache.txt ]]; then
  debs=$(scripts/build-package.sh --build-dir "$dir")
else
  debs=$(scripts/build-package.sh)
  dir=build-package
fi
echo "$debs"
deb_of() { grep "/$1_" <<<"$debs"; }
server=$(deb_of minired-server); catalog=$(deb_of minired-catalog); dev=$(deb_of libminired-client-dev)

scratch=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT
fail() { echo "check-package: $*" >&2; exit 1; }

# 2. Control fields and contents.
for pair in "minired-server:$server" "minired-catalog:$catalog" "libminired-client-dev:$dev"; do
  name=${pair%%:*}; file=${pair#*:}
  [[ $(dpkg-deb --field "$file" Package) == "$name" ]] || fail "$file is not $name"
done
depends=$(dpkg-deb --field "$server" Depends)
for lib in libssl liblua5.1 libmimalloc libxxhash libc6 adduser; do
  grep -q "$lib" <<<"$depends" || fail "minired-server does not depend on $lib: $depends"
done
grep -q libsqlite3 <<<"$(dpkg-deb --field "$catalog" Depends)" || fail "minired-catalog does not depend on libsqlite3"
control=$scratch/control
dpkg-deb --control "$server" "$control"
grep -qx /etc/minired/minired.conf "$control/conffiles" || fail "minired.conf is not a conffile"
for s in postinst prerm postrm; do [[ -x $control/$s ]] || fail "minired-server has no executable $s"; done
grep -q "adduser --system" "$control/postinst" || fail "postinst does not create the minired user"
contents=$(dpkg-deb --contents "$server")
sanitize=$(sed -n 's/^MINIRED_SANITIZE:[A-Z]*=//p' "$dir/CMakeCache.txt")
[[ $sanitize == OFF ]] && sanitize=""
required=(./usr/bin/minired-server ./usr/bin/minired-check ./etc/minired/minired.conf
          ./usr/lib/systemd/system/minired.service ./etc/logrotate.d/minired)
# A sanitizer build leaves minired-bench out of its default target (bench/CMakeLists.txt).
[[ -z $sanitize ]] && required+=(./usr/bin/minired-bench)
for f in "${required[@]}"; do
  grep -q " $f\$" <<<"$contents" || fail "minired-server lacks $f"
done
grep -q " ./usr/lib/systemd/system/minired-catalog.service$" <<<"$(dpkg-deb --contents "$catalog")" ||
  fail "minired-catalog lacks its unit"
grep -q "cmake/minired/minired-config.cmake$" <<<"$(dpkg-deb --contents "$dev")" || fail "no CMake package config"
echo "control fields, dependencies and contents: ok"

# 3. The server as systemd starts it, from the unpacked files.
root=$scratch/root
for d in $debs; do dpkg-deb -x "$d" "$root"; done
exec_start=$(sed -n 's/^ExecStart=//p' "$root/usr/lib/systemd/system/minired.service")
read -r -a argv <<<"$exec_start"
argv[0]=$root${argv[0]}
argv[1]=$root${argv[1]}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$scratch/data"
notify=$scratch/notify
python3 - "$notify" >"$scratch/notified" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
while True:
    msg = s.recv(4096).decode()
    print(msg, end="", flush=True)
    if "READY=1" in msg:
        break
PY
listener=$!
for _ in $(seq 100); do [[ -S $notify ]] && break; sleep 0.05; done
(cd "$scratch/data" && NOTIFY_SOCKET=$notify "${argv[@]}" --port "$port" --bind 127.0.0.1 --threads 1 \
   >"$scratch/server.log" 2>&1) &
pids+=($!)
wait "$listener" || fail "no READY=1 from the unit's ExecStart: $(cat "$scratch/server.log")"
grep -qx "READY=1" "$scratch/notified" || fail "the notify socket got: $(cat "$scratch/notified")"
[[ $(redis-cli -p "$port" ping) == PONG ]] || fail "redis-cli ping did not answer PONG"
[[ $(redis-cli -p "$port" info server | tr -d '\r' | sed -n 's/^process_supervised://p') == systemd ]] ||
  fail "INFO does not report process_supervised:systemd"
echo "ExecStart with the installed minired.conf: READY=1, PONG: ok"

# 4. Another project using the installed client library.
flags=""
[[ -n $sanitize ]] && flags="-fsanitize=$sanitize"  # a sanitizer build's library needs its runtime
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$dir/CMakeCache.txt")
cmake -S packaging/example-consumer -B "$scratch/consumer" -DCMAKE_PREFIX_PATH="$root/usr" \
  -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$scratch/consumer" >/dev/null
[[ $("$scratch/consumer/greet" "$port") == "hello from an installed client" ]] || fail "find_package consumer failed"
pc_dir=$(dirname "$(find "$root" -name minired-client.pc)")
# The .pc names the installed prefix (/usr): point it at the scratch root.
sed "s|^prefix=.*|prefix=$root/usr|; s|=/usr/|=\${prefix}/|" "$pc_dir/minired-client.pc" >"$scratch/minired-client.pc"
# shellcheck disable=SC2046
"$compiler" $flags packaging/example-consumer/main.cc -o "$scratch/greet-pc" \
  $(PKG_CONFIG_PATH=$scratch pkg-config --cflags --libs minired-client)
[[ $("$scratch/greet-pc" "$port") == "hello from an installed client" ]] || fail "pkg-config consumer failed"
echo "client library through find_package(minired) and pkg-config: ok"
redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true

# 5. Debian's package checker, where it is installed (it is not needed to build).
if command -v lintian >/dev/null; then
  lintian --no-tag-display-limit $debs || true
fi
echo "packages: ok"
