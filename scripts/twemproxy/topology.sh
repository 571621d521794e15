#!/usr/bin/env bash
# Three minired masters (7001-7003), each with one replica (7101-7103), and twemproxy
# in front of the masters (22121) and of the replicas (22122; stats on 22222), all on
# loopback, data and logs in data/topology/.
#   scripts/twemproxy/topology.sh start     # needs build/ (scripts/build.sh) and nutcracker
#   scripts/twemproxy/topology.sh promote 2 [--flush]
#                                           # master 2 died: its replica takes its place
#                                           # (--flush: and starts empty; docs/scaling.md)
#   scripts/twemproxy/topology.sh status
#   scripts/twemproxy/topology.sh stop
# Then: build/catalog/minired-catalog --cache-url 127.0.0.1:22121 --cache-scripts off \
#         --cache-read-url 127.0.0.1:22122 ...
# (replicas for reads are optional; see docs/scaling.md for what that buys and costs).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
dir=$root/data/topology
server=$root/build/server/minired-server
nutcracker=$(command -v nutcracker || echo /usr/sbin/nutcracker)

wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing answers on port $1" >&2
  return 1
}

start_server() {  # port [minired args...]
  local port=$1
  shift
  mkdir -p "$dir/$port"
  "$server" --port "$port" --dir "$dir/$port" "$@" >"$dir/$port.log" 2>&1 &
  echo $! >"$dir/$port.pid"
  wait_port "$port"
}

start_proxy() {
  "$nutcracker" -c "$dir/nutcracker.yml" -s 22222 -o "$dir/nutcracker.log" &
  echo $! >"$dir/nutcracker.pid"
  wait_port 22121
  wait_port 22122
}

stop_pid() {
  [[ -f $1 ]] || return 0
  local pid
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done  # a final snapshot may take a moment
  rm -f "$1"
}

case "${1:-}" in
  start)
    [[ -x $server ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
    [[ -x $nutcracker ]] || { echo "install twemproxy: apt-get install nutcracker" >&2; exit 1; }
    mkdir -p "$dir"
    for i in 1 2 3; do start_server 700$i; done
    for i in 1 2 3; do start_server 710$i --replicaof 127.0.0.1 700$i; done
    cp scripts/twemproxy/nutcracker.yml "$dir/nutcracker.yml"
    start_proxy
    echo "masters' proxy 127.0.0.1:22121, replicas' proxy 127.0.0.1:22122; masters 7001-7003; replicas 7101-7103; logs in $dir"
    ;;
  promote)
    n=${2:?which master: 1, 2 or 3}
    [[ $n =~ ^[123]$ ]] || { echo "master is 1, 2 or 3" >&2; exit 1; }
    stop_pid "$dir/700$n.pid"  # it may be dead already
    redis-cli -p 710$n REPLICAOF NO ONE
    # Writes the dead master acknowledged but had not yet sent are gone, generation
    # changes included; an empty slice refills from the database instead.
    [[ ${3:-} == --flush ]] && redis-cli -p 710$n FLUSHALL
    # Same name (m$n), new address: ketama keeps the slice on the promoted replica. The
    # replicas' pool already points at it: reads of the slice go to the new master.
    sed -i "s/127.0.0.1:700$n:1 m$n/127.0.0.1:710$n:1 m$n/" "$dir/nutcracker.yml"
    stop_pid "$dir/nutcracker.pid"
    sleep 0.2
    start_proxy
    echo "m$n is now 127.0.0.1:710$n (no replica until you start one with --replicaof 127.0.0.1 710$n)"
    ;;
  status)
    for p in 7001 7002 7003 7101 7102 7103; do
      role=$(redis-cli -p $p INFO replication 2>/dev/null | tr -d '\r' | sed -n 's/^role://p')
      if [[ -n $role ]]; then echo "$p: $role, $(redis-cli -p $p DBSIZE) keys"; else echo "$p: down"; fi
    done
    ;;
  stop)
    stop_pid "$dir/nutcracker.pid"
    for f in "$dir"/*.pid; do stop_pid "$f"; done
    ;;
  *)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
