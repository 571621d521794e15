// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
//   [AUTH password | AUTH2 username password] [KEYS key [key ...]]
// Moves keys to another server (minired or redis-server) with RESTORE, as Redis 7.0:
// the keys' shards stay locked from the DUMP to the deletion, so the move is one atomic
// step for every other client (docs/ARCHITECTURE.md); the exchange with the target is
// blocking I/O bounded by `timeout`, as Redis's is (its whole server waits; here the
// clients of this I/O thread and of those keys' shards wait). Unlike Redis, no
// connection is cached between calls.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <optional>

#include "protocol/command_encoder.h"
#include "protocol/reply_parser.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/records.h"
#include "server/families/spec.h"
#include "server/keyspace_events.h"
#include "storage/rdb/dump_payload.h"

namespace minired {
namespace {

// A blocking connection with one deadline for the whole exchange.
class TargetLink {
 public:
  TargetLink(int64_t timeout_ms) : deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms)) {}
  ~TargetLink() {
    if (fd_ >= 0) close(fd_);
  }

  // False with *timed_out set when the deadline passed, clear when refused or unresolved.
  bool Connect(const std::string& host, const std::string& port, bool* timed_out) {
    *timed_out = false;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) return false;
    for (addrinfo* a = res; a != nullptr && fd_ < 0; a = a->ai_next) {
      int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) continue;
      bool ok = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
      if (!ok && errno == EINPROGRESS) {
        if (Wait(fd, POLLOUT)) {
          ok = Connected(fd);
        } else {
          *timed_out = std::chrono::steady_clock::now() >= deadline_;
        }
      }
      if (ok) {
        fd_ = fd;
      } else {
        close(fd);
      }
    }
    freeaddrinfo(res);
    if (fd_ < 0) return false;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
  }

  bool Write(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!Wait(fd_, POLLOUT)) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  std::optional<RespValue> Read() {
    RespValue v;
    while (true) {
      ReplyParser::Result r = parser_.Next(&v);
      if (r == ReplyParser::Result::kOk) return v;
      if (r == ReplyParser::Result::kError) return std::nullopt;
      char buf[16384];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        parser_.Feed(std::string_view(buf, static_cast<size_t>(n)));
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!Wait(fd_, POLLIN)) return std::nullopt;
      } else {
        return std::nullopt;
      }
    }
  }

 private:
  bool Wait(int fd, short events) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    return poll(&p, 1, static_cast<int>(left.count())) == 1 && !(p.revents & (POLLERR | POLLNVAL));
  }
  static bool Connected(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
  }

  std::chrono::steady_clock::time_point deadline_;
  int fd_ = -1;
  ReplyParser parser_;
};

void CmdMigrate(CommandContext& ctx) {
  bool copy = false, replace = false;
  std::vector<std::string> auth;  // AUTH password / AUTH2 username password
  size_t first_key = 3, num_keys = 1;
  for (size_t j = 6; j < ctx.argc(); ++j) {
    std::string_view o = ctx.arg(j);
    const size_t more = ctx.argc() - j - 1;
    if (EqualsIgnoreCase(o, "COPY")) {
      copy = true;
    } else if (EqualsIgnoreCase(o, "REPLACE")) {
      replace = true;
    } else if (EqualsIgnoreCase(o, "AUTH")) {
      if (more == 0) return ctx.reply().Error(errors::kSyntax);
      auth = {std::string(ctx.arg(++j))};
    } else if (EqualsIgnoreCase(o, "AUTH2")) {
      if (more < 2) return ctx.reply().Error(errors::kSyntax);
      auth = {std::string(ctx.arg(j + 1)), std::string(ctx.arg(j + 2))};
      j += 2;
    } else if (EqualsIgnoreCase(o, "KEYS")) {
      if (!ctx.arg(3).empty()) {
        return ctx.reply().Error(
            "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
      }
      first_key = j + 1;
      num_keys = ctx.argc() - j - 1;
      break;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  auto timeout = IntArg(ctx, ctx.arg(5));
  if (!timeout) return;
  auto dbid = IntArg(ctx, ctx.arg(4));
  if (!dbid) return;
  if (*timeout <= 0) *timeout = 1000;

  std::vector<std::string_view> keys;
  for (size_t i = 0; i < num_keys; ++i) keys.push_back(ctx.arg(first_key + i));
  MultiKeyAccess m(ctx, keys);
  // The keys that exist, each with its payload and remaining time to live.
  struct Moving {
    std::string_view key;
    std::string payload;
    int64_t ttl;
  };
  std::vector<Moving> moving;
  for (std::string_view key : keys) {
    Db::Slot s = m.FindRead(key);
    if (!s) continue;
    int64_t ttl = 0;
    if (s.entry->has_expire()) ttl = std::max<int64_t>(s.entry->expire_ms() - ctx.now_ms(), 1);
    moving.push_back({key, rdb::DumpPayload(s.entry), ttl});
  }
  if (moving.empty()) return ctx.reply().SimpleString("NOKEY");

  TargetLink link(*timeout);
  bool timed_out = false;
  if (!link.Connect(std::string(ctx.arg(1)), std::string(ctx.arg(2)), &timed_out)) {
    // Redis connects without waiting and learns of a refusal on its first write.
    return ctx.reply().Error(timed_out ? "IOERR error or timeout connecting to the client"
                                       : "IOERR error or timeout writing to target instance");
  }
  std::string out;
  if (!auth.empty()) {
    std::vector<std::string_view> a = {"AUTH"};
    for (const auto& s : auth) a.push_back(s);
    EncodeCommand(std::span<const std::string_view>(a), &out);
  }
  const std::string db = std::to_string(*dbid);
  EncodeCommand({"SELECT", db}, &out);
  for (const Moving& mv : moving) {
    const std::string ttl = std::to_string(mv.ttl);
    std::vector<std::string_view> r = {"RESTORE", mv.key, ttl, mv.payload};
    if (replace) r.push_back("REPLACE");
    EncodeCommand(std::span<const std::string_view>(r), &out);
  }
  if (!link.Write(out)) return ctx.reply().Error("IOERR error or timeout writing to target instance");
  auto target_error = [&](const RespValue& v) {
    return "ERR Target instance replied with error: " + v.str;
  };
  if (!auth.empty()) {
    auto v = link.Read();
    if (!v) return ctx.reply().Error("IOERR error or timeout reading to target instance");
    if (v->type == RespValue::Type::kError) return ctx.reply().Error(target_error(*v));
  }
  auto v = link.Read();
  if (!v) return ctx.reply().Error("IOERR error or timeout reading to target instance");
  if (v->type == RespValue::Type::kError) return ctx.reply().Error(target_error(*v));
  std::optional<std::string> error;
  std::vector<std::string> deleted;
  for (const Moving& mv : moving) {
    auto r = link.Read();
    if (!r) {
      error = "IOERR error or timeout reading to target instance";
      break;
    }
    if (r->type == RespValue::Type::kError) {
      if (!error) error = target_error(*r);
      continue;
    }
    if (copy) continue;
    uint64_t h = HashKey(mv.key);
    Db& d = m.DbOf(h);
    if (Db::Slot s = d.Find(mv.key, h, ctx.now_ms())) {
      d.Erase(s);
      ctx.Notify(kEventGeneric, "del", mv.key);
      deleted.emplace_back(mv.key);
    }
  }
  // What the log and replicas get: the deletion of the keys that moved, or nothing.
  if (RecordsItself()) {
    if (deleted.empty()) {
      Journal::CountChanges(0);
    } else {
      std::vector<std::string> del = {"DEL"};
      del.insert(del.end(), deleted.begin(), deleted.end());
      Substitute(std::move(del));
    }
  }
  if (error) return ctx.reply().Error(*error);
  ctx.reply().Ok();
}

// Its keys, as Redis's migrateGetKeys finds them: those after KEYS when the option is
// there, else the key argument. ACL checks and COMMAND GETKEYS ask it.
bool MigrateWrittenKeys(std::span<const std::string_view> args, std::vector<size_t>* out) {
  for (size_t j = 6; j < args.size(); ++j) {
    if (EqualsIgnoreCase(args[j], "AUTH")) {
      ++j;
    } else if (EqualsIgnoreCase(args[j], "AUTH2")) {
      j += 2;
    } else if (EqualsIgnoreCase(args[j], "KEYS")) {
      for (size_t k = j + 1; k < args.size(); ++k) out->push_back(k);
      return true;
    }
  }
  if (args.size() > 3) out->push_back(3);
  return true;
}

}  // namespace

void RegisterMigrateFamily(CommandTable* t) {
  CommandSpec migrate = MakeSpec("generic", "migrate", -6, kCmdWrite | kCmdMovableKeys, 3, 3, 1,
                                 "Atomically transfer a key from a Redis instance to another one.", "2.6.0", CmdMigrate,
                                 {"@keyspace", "@write", "@slow", "@dangerous"});
  migrate.written_keys = MigrateWrittenKeys;
  t->Register(std::move(migrate));
}

}  // namespace minired
