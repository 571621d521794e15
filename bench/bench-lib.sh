# Helpers shared by the bench/*-vs-redis scripts (sourced, not run). They expect $tmp,
# $mini, $threads and a `pids` array in the caller. MINIRED_ARGS (environment) adds
# options to every minired-server they start, e.g. MINIRED_ARGS="--busy-poll-us 50".
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
wait_ready() {  # port: until PING answers PONG (not LOADING)
  for _ in $(seq 3000); do [[ $(redis-cli -p "$1" ping 2>/dev/null) == PONG ]] && return 0; sleep 0.01; done
  return 1
}
# start_redis/start_mini start a server in the background (its pid in $last_pid) and note
# its command line for print_started, which prints them above a table and forgets them:
# every table shows the settings both servers ran with.
start_redis() {  # dir port args...
  local dir=$1 port=$2; shift 2
  mkdir -p "$dir"
  local cmd=(redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' "$@")
  "${cmd[@]}" >"$dir/log" 2>&1 &
  last_pid=$!
  pids+=("$last_pid")
  printf '%q ' "${cmd[@]}" >>"$tmp/started"; echo >>"$tmp/started"
}
start_mini() {
  local dir=$1 port=$2; shift 2
  mkdir -p "$dir"
  # shellcheck disable=SC2206  # MINIRED_ARGS is a list of options
  local cmd=("$mini" --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --threads "$threads" ${MINIRED_ARGS:-} "$@")
  "${cmd[@]}" >"$dir/log" 2>&1 &
  last_pid=$!
  pids+=("$last_pid")
  printf '%q ' "${cmd[@]}" >>"$tmp/started"; echo >>"$tmp/started"
}
print_started() {
  [[ -s $tmp/started ]] || return 0
  echo '```'
  # One line per distinct setting: ports and directories differ between runs, settings not.
  sed -E "s|$tmp/[^ ]*|\$TMP/…|g; s/(--port|127\.0\.0\.1) [0-9]+/\1 PORT/g; s/ $//" "$tmp/started" | awk '!seen[$0]++'
  echo '```'
  echo
  : >"$tmp/started"
}
# A process's CPU time (user + system) in clock ticks, from /proc: with cpu_us_per_request,
# what the server spent per request, beside a ratio the load generator may cap.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cpu_us_per_request() {  # ticks_before ticks_after requests
  awk -v t=$(($2 - $1)) -v hz="$(getconf CLK_TCK)" -v n="$3" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}'
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
