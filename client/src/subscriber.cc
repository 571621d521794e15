#include "minired/subscriber.h"

#include "protocol/numbers.h"

namespace minired::client {

namespace {

const char* CommandName(Subscriber::Kind kind) {
  switch (kind) {
    case Subscriber::Kind::kSubscribe: return "SUBSCRIBE";
    case Subscriber::Kind::kPsubscribe: return "PSUBSCRIBE";
    case Subscriber::Kind::kUnsubscribe: return "UNSUBSCRIBE";
    case Subscriber::Kind::kPunsubscribe: return "PUNSUBSCRIBE";
  }
  return "";
}

bool KindOf(std::string_view word, Subscriber::Kind* kind) {
  for (auto k : {Subscriber::Kind::kSubscribe, Subscriber::Kind::kPsubscribe,
                 Subscriber::Kind::kUnsubscribe, Subscriber::Kind::kPunsubscribe}) {
    if (EqualsIgnoreCase(word, CommandName(k))) {
      *kind = k;
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<KeyspaceEvent> ParseKeyspaceEvent(const Message& m) {
  // __keyspace@<db>__:<key> or __keyevent@<db>__:<event>
  std::string_view ch = m.channel;
  const bool space = ch.rfind("__keyspace@", 0) == 0;
  if (!space && ch.rfind("__keyevent@", 0) != 0) return std::nullopt;
  ch.remove_prefix(11);
  size_t end = ch.find("__:");
  if (end == std::string_view::npos || end == 0) return std::nullopt;
  auto db = ParseInt64(ch.substr(0, end));
  if (!db || *db < 0) return std::nullopt;
  KeyspaceEvent e;
  e.db = static_cast<int>(*db);
  std::string_view rest = ch.substr(end + 3);
  e.key = space ? std::string(rest) : m.payload;
  e.event = space ? m.payload : std::string(rest);
  return e;
}

std::shared_ptr<Subscriber> Subscriber::Create(asio::any_io_executor ex, Options options,
                                               MessageHandler on_message) {
  std::shared_ptr<Subscriber> s(new Subscriber(std::move(ex), std::move(options), std::move(on_message)));
  std::weak_ptr<Subscriber> weak = s;
  s->conn_->SetPushHandler([weak](Reply&& r) {
    if (auto self = weak.lock()) self->OnPush(std::move(r));
  });
  s->conn_->SetLinkHandler([weak](bool up) {
    if (auto self = weak.lock()) self->OnLink(up);
  });
  return s;
}

Subscriber::Subscriber(asio::any_io_executor ex, Options options, MessageHandler on_message)
    : on_message_(std::move(on_message)) {
  options.resp = 3;
  conn_ = Connection::Create(std::move(ex), std::move(options));
}

Subscriber::~Subscriber() { conn_->Close(); }

void Subscriber::Close() { conn_->Close(); }

void Subscriber::Request(Kind kind, std::vector<std::string> names, Done done) {
  asio::dispatch(conn_->get_executor(), [self = shared_from_this(), kind, names = std::move(names),
                                         done = std::move(done)]() mutable {
    auto& set = (kind == Kind::kSubscribe || kind == Kind::kUnsubscribe) ? self->channels_
                                                                          : self->patterns_;
    size_t confirmations = names.size();
    if (kind == Kind::kSubscribe || kind == Kind::kPsubscribe) {
      set.insert(names.begin(), names.end());
    } else if (names.empty()) {
      // Redis confirms each one dropped, or once (with a nil name) when there were none.
      confirmations = std::max<size_t>(1, set.size());
      set.clear();
    } else {
      for (const auto& n : names) set.erase(n);
    }
    if (names.empty() && (kind == Kind::kSubscribe || kind == Kind::kPsubscribe)) {
      done(Error{Error::Kind::kServer, "ERR wrong number of arguments for '" +
                                           std::string(CommandName(kind)) + "' command"});
      return;
    }
    self->Send(kind, names, confirmations, std::move(done));
  });
}

void Subscriber::Send(Kind kind, const std::vector<std::string>& names, size_t confirmations,
                      Done done) {
  Command c(CommandName(kind));
  for (const auto& n : names) c << n;
  uint64_t id = next_op_++;
  ops_.push_back(Op{id, kind, confirmations, std::move(done)});
  // No regular reply comes back (the confirmations are pushes); the callback only
  // hears of a failure to send.
  conn_->Submit(c.bytes(), 0, [weak = weak_from_this(), id](Result<Reply> r) {
    auto self = weak.lock();
    if (self && !r.ok()) self->FailOp(id, r.error());
  });
}

void Subscriber::FailOp(uint64_t id, const Error& error) {
  for (auto it = ops_.begin(); it != ops_.end(); ++it) {
    if (it->id != id) continue;
    Done done = std::move(it->done);
    ops_.erase(it);
    if (done) done(error);
    return;
  }
}

void Subscriber::Confirm(Kind kind) {
  for (auto it = ops_.begin(); it != ops_.end(); ++it) {
    if (it->kind != kind) continue;
    if (--it->remaining > 0) return;
    Done done = std::move(it->done);
    ops_.erase(it);
    if (done) done(Ok{});
    return;
  }
}

void Subscriber::OnPush(Reply&& r) {
  if (r.is_error()) {
    // A rejected (P)(UN)SUBSCRIBE: the oldest request is the one that failed.
    if (ops_.empty()) return;
    FailOp(ops_.front().id, ServerError(r));
    return;
  }
  if (!r.is_array() || r.elems.size() < 3 || r.elems[0].type != Reply::Type::kBulkString) return;
  std::string_view word = r.elems[0].str;
  if (word == "message") {
    delivered_.fetch_add(1, std::memory_order_relaxed);
    if (on_message_) on_message_(Message{std::move(r.elems[1].str), std::move(r.elems[2].str), {}});
    return;
  }
  if (word == "pmessage" && r.elems.size() == 4) {
    delivered_.fetch_add(1, std::memory_order_relaxed);
    if (on_message_) {
      on_message_(Message{std::move(r.elems[2].str), std::move(r.elems[3].str), std::move(r.elems[1].str)});
    }
    return;
  }
  Kind kind;
  if (KindOf(word, &kind)) Confirm(kind);
}

void Subscriber::OnLink(bool up) {
  if (!up) {
    Error lost{Error::Kind::kConnection, "connection lost before the server confirmed"};
    auto ops = std::move(ops_);
    ops_.clear();
    for (auto& op : ops) {
      if (op.done) op.done(lost);
    }
    return;
  }
  // A new connection starts with no subscriptions: restore what we had.
  if (!channels_.empty()) {
    Send(Kind::kSubscribe, {channels_.begin(), channels_.end()}, channels_.size(), {});
  }
  if (!patterns_.empty()) {
    Send(Kind::kPsubscribe, {patterns_.begin(), patterns_.end()}, patterns_.size(), {});
  }
}

}  // namespace minired::client
