# Helpers shared by the bench/*-vs-redis scripts (sourced, not run). They expect $tmp,
# $mini, $threads and a `pids` array in the caller. MINIRED_ARGS (environment) adds
# options to every minired-server they start, e.g. MINIRED_ARGS="--busy-poll-us 50".
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
wait_ready() {  # port: until PING answers PONG (not LOADING)
  for _ in $(seq 3000); do [[ $(redis-cli -p "$1" ping 2>/dev/null) == PONG ]] && return 0; sleep 0.01; done
  return 1
}
start_redis() {  # dir port args...
  local dir=$1 port=$2; shift 2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' "$@" >"$dir/log" 2>&1 &
  pids+=($!)
}
start_mini() {
  local dir=$1 port=$2; shift 2
  mkdir -p "$dir"
  # shellcheck disable=SC2086  # MINIRED_ARGS is a list of options
  "$mini" --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --threads "$threads" ${MINIRED_ARGS:-} "$@" >"$dir/log" 2>&1 &
  pids+=($!)
}
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
info_field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }
# 1,000,000 string keys + 100,000 product hashes as RESP, for redis-cli --pipe.
write_dataset() {
  awk 'BEGIN { for (i = 0; i < 1000000; i++) { k = "key:" i; v = "value-" i "-xxxxxxxxxx"
    printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v }
    for (i = 0; i < 100000; i++) { k = "product:" i
    printf "*16\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n$4\r\nname\r\n$12\r\nProduct name\r\n$5\r\nprice\r\n$5\r\n19.99\r\n$8\r\ncategory\r\n$5\r\nshoes\r\n$5\r\nbrand\r\n$4\r\nAcme\r\n$5\r\nstock\r\n$3\r\n120\r\n$4\r\nrank\r\n$4\r\n1234\r\n$5\r\nimage\r\n$20\r\nhttps://img.test/p.j\r\n", length(k), k } }' >"$1"
}
