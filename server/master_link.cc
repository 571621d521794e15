#include "server/master_link.h"

#include <future>
#include <stdexcept>
#include <thread>

#include "protocol/command_encoder.h"
#include "protocol/numbers.h"
#include "protocol/reply_writer.h"
#include "replication/payload.h"
#include "server/logger.h"
#include "server/scripting/function_loader.h"
#include "server/replication.h"
#include "server/server.h"
#include "storage/rdb/rdb_file.h"
#include "storage/rdb_keyspace_loader.h"

namespace minired {
namespace {

using asio::use_awaitable;

// A failure of this connection to the master; the link retries after a pause.
struct LinkError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr size_t kReadChunk = 64 * 1024;

// A command's words (a plain function: GCC 12 rejects string literals in braced lists
// inside coroutines).
template <typename... T>
std::vector<std::string> Words(const T&... words) {
  return {std::string(words)...};
}

}  // namespace

MasterLink::MasterLink(Server& server, Replication& replication, IoThread& thread, std::string host, int port)
    : server_(server),
      replication_(replication),
      thread_(thread),
      host_(std::move(host)),
      port_(port),
      socket_(thread.context()),
      timer_(thread.context()) {
  session_.origin = Origin::kMaster;
  session_.info = &info_;
  info_.addr = host_ + ":" + std::to_string(port_);
  // A partial resync continues the stream in the database it had selected.
  session_.db = std::max(replication.source().position().db, 0);
  parser_.set_limits(RequestLimits{INT64_MAX / 2});
  down_since_ms_ = server_.clock().NowMs();
}

MasterLink::~MasterLink() = default;

void MasterLink::Start() {
  asio::co_spawn(thread_.context(), [self = shared_from_this()]() { return self->Run(); }, asio::detached);
}

void MasterLink::CloseSocket() {
  std::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  timer_.cancel();
}

void MasterLink::Stop(bool wait) {
  {
    std::lock_guard l(swap_mu_);
    stopped_ = true;
  }
  if (!wait || thread_.context().get_executor().running_in_this_thread()) {
    if (wait) CloseSocket();
    return;
  }
  // The link's commands run on its thread: once this runs there, none is in progress
  // and no other will start.
  std::promise<void> done;
  asio::post(thread_.context(), [self = shared_from_this(), &done] {
    self->CloseSocket();
    done.set_value();
  });
  done.get_future().wait_for(std::chrono::seconds(10));
}

void MasterLink::Halt(std::string reason) {
  std::lock_guard l(halt_mu_);
  halt_reason_ = std::move(reason);
}

std::string MasterLink::halt_reason() const {
  std::lock_guard l(halt_mu_);
  return halt_reason_;
}

void MasterLink::Post(std::function<void()> fn) { asio::post(thread_.context(), std::move(fn)); }

void MasterLink::CheckTimeout(int64_t now_ms, int64_t timeout_ms) {
  State s = state_.load();
  if (s == State::kConnect || s == State::kLoading) return;
  if (now_ms - last_io_ms_.load() <= timeout_ms) return;
  Log(LogLevel::kWarning, "MASTER timeout: no data nor PING received for {} seconds", timeout_ms / 1000);
  asio::post(thread_.context(), [self = shared_from_this()] { self->CloseSocket(); });
}

asio::awaitable<void> MasterLink::Run() {
  auto self = shared_from_this();  // alive while the coroutine runs
  while (!stopped_) {
    std::string why;
    try {
      co_await SyncOnce();
    } catch (const std::exception& e) {
      why = e.what();
    }
    CloseSocket();
    if (state_.load() == State::kConnected) down_since_ms_ = server_.clock().NowMs();
    state_ = State::kConnect;
    if (stopped_) break;
    if (!halt_reason().empty()) {
      // Reconnecting would meet the same command again: wait for REPLICAOF.
      Log(LogLevel::kWarning, "Replication from {}:{} halted: {}. Fix the cause, then REPLICAOF {} {} again "
          "(or REPLICAOF NO ONE)", host_, port_, halt_reason(), host_, port_);
      break;
    }
    Log(LogLevel::kWarning, "Connection with master {}:{} lost: {}; retrying in 1 second", host_, port_, why);
    timer_.expires_after(std::chrono::seconds(1));
    try {
      co_await timer_.async_wait(use_awaitable);
    } catch (const std::exception&) {
    }
  }
}

asio::awaitable<void> MasterLink::SyncOnce() {
  state_ = State::kConnecting;
  inbuf_.clear();
  parser_.Reset();
  Log(LogLevel::kNotice, "Connecting to MASTER {}:{}", host_, port_);
  asio::ip::tcp::resolver resolver(thread_.context());
  auto endpoints = co_await resolver.async_resolve(host_, std::to_string(port_), use_awaitable);
  socket_ = asio::ip::tcp::socket(thread_.context());
  last_io_ms_ = server_.clock().NowMs();
  co_await asio::async_connect(socket_, endpoints, use_awaitable);
  if (stopped_) throw LinkError("stopped");
  socket_.set_option(asio::ip::tcp::no_delay(true));
  Log(LogLevel::kNotice, "MASTER <-> REPLICA sync started");
  state_ = State::kHandshake;
  co_await Handshake();
}

asio::awaitable<void> MasterLink::Handshake() {
  std::string reply = co_await Call(Words("PING"));
  // A master that wants a password answers PING with -NOAUTH: AUTH follows anyway.
  if (reply.starts_with("-") && !reply.starts_with("-NOAUTH") && !reply.starts_with("-NOPERM")) {
    throw LinkError("Error reply to PING from master: '" + reply + "'");
  }
  std::string user, pass;
  {
    const ReplicationConfig& rc = server_.config().replication;
    std::lock_guard l(rc.mu);
    user = rc.masteruser;
    pass = rc.masterauth;
  }
  if (!pass.empty()) {
    // Named, not a temporary: GCC 12 destroys temporaries of a conditional inside
    // co_await twice.
    std::vector<std::string> auth = user.empty() ? Words("AUTH", pass) : Words("AUTH", user, pass);
    reply = co_await Call(std::move(auth));
    if (!reply.starts_with("+")) throw LinkError("Unable to AUTH to MASTER: " + reply);
  }
  reply = co_await Call(Words("REPLCONF", "listening-port", std::to_string(server_.listening_port())));
  if (reply.starts_with("-")) Log(LogLevel::kNotice, "(Non critical) Master does not understand REPLCONF listening-port: {}", reply);
  // "minired": this replica loads a minired master's own payload; a redis-server master
  // ignores it and sends RDB, which this replica loads too.
  reply = co_await Call(Words("REPLCONF", "capa", "eof", "capa", "psync2", "capa", "minired"));
  if (reply.starts_with("-")) Log(LogLevel::kNotice, "(Non critical) Master does not understand REPLCONF capa: {}", reply);

  ReplicationSource::Position pos = replication_.source().position();
  bool known = replication_.position_known();
  std::vector<std::string> psync =
      known ? Words("PSYNC", pos.replid, std::to_string(pos.offset + 1)) : Words("PSYNC", "?", "-1");
  reply = co_await Call(std::move(psync));
  // A redis-server master waiting to start a diskless sync sends newlines meanwhile.
  while (reply.empty()) reply = co_await ReadLine();
  if (reply.starts_with("+FULLRESYNC ")) {
    std::vector<std::string> words;
    SplitInlineArgs(reply.substr(1), &words);
    auto off = words.size() == 3 ? ParseInt64(words[2]) : std::nullopt;
    if (!off || *off < 0 || words[1].size() != 40) throw LinkError("Bad reply to PSYNC from master: " + reply);
    Log(LogLevel::kNotice, "Full resync from master: {}:{}", words[1], *off);
    co_await FullSync(words[1], static_cast<uint64_t>(*off));
  } else if (reply.starts_with("+CONTINUE")) {
    std::string id = reply.size() > 10 ? reply.substr(10) : pos.replid;
    if (id.size() != 40) throw LinkError("Bad reply to PSYNC from master: " + reply);
    if (id != pos.replid) {
      // The master took a new id (promotion): so do we, and our replicas resync to learn it.
      replication_.source().ShiftReplid(id);
      replication_.source().DropAll("the master's replication id changed");
    }
    offset_ = pos.offset;
    replication_.set_position_known();
    Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization, continuing at offset {}",
        pos.offset + 1);
  } else {
    throw LinkError("Unexpected reply to PSYNC from master: " + reply);
  }
  co_await Stream();
}

asio::awaitable<void> MasterLink::FullSync(std::string replid, uint64_t offset) {
  state_ = State::kTransfer;
  // Keep-alive newlines may come before the payload's $<length> line.
  std::string header;
  do {
    header = co_await ReadLine();
  } while (header.empty());
  if (!header.starts_with("$")) throw LinkError("Bad protocol from MASTER, the first byte is not '$': " + header);
  std::string payload;
  if (header.starts_with("$EOF:")) {
    // Diskless (a redis-server master with repl-diskless-sync): the payload runs until
    // the 40-byte mark the header announced.
    const std::string mark = header.substr(5);
    if (mark.size() != 40) throw LinkError("Bad EOF mark from MASTER: " + header);
    transfer_total_ = 0;
    transfer_read_ = 0;
    payload.swap(inbuf_);
    // Whatever follows the mark (a master may start the stream at once) is the stream's.
    size_t searched = 0, at;
    while ((at = payload.find(mark, searched)) == std::string::npos) {
      searched = payload.size() >= mark.size() ? payload.size() - mark.size() + 1 : 0;
      const size_t old = payload.size();
      payload.resize(old + (size_t{1} << 20));
      size_t n = co_await socket_.async_read_some(asio::buffer(payload.data() + old, size_t{1} << 20), use_awaitable);
      payload.resize(old + n);
      transfer_read_ = payload.size();
      last_io_ms_ = server_.clock().NowMs();
    }
    inbuf_.assign(payload, at + mark.size());
    payload.resize(at);
  } else {
    auto len = ParseInt64(std::string_view(header).substr(1));
    if (!len || *len < 0) throw LinkError("Bad protocol from MASTER, the first byte is not '$': " + header);
    payload.reserve(static_cast<size_t>(*len));
    transfer_total_ = static_cast<uint64_t>(*len);
    transfer_read_ = 0;
    size_t take = std::min(inbuf_.size(), static_cast<size_t>(*len));
    payload.append(inbuf_, 0, take);
    inbuf_.erase(0, take);
    while (payload.size() < static_cast<size_t>(*len)) {
      size_t old = payload.size();
      size_t want = std::min(static_cast<size_t>(*len) - old, size_t{1} << 20);
      payload.resize(old + want);
      size_t n = co_await socket_.async_read_some(asio::buffer(payload.data() + old, want), use_awaitable);
      payload.resize(old + n);
      transfer_read_ = payload.size();
      last_io_ms_ = server_.clock().NowMs();
    }
  }
  transfer_read_ = payload.size();
  Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: received {} bytes of payload; loading it while serving the old data",
      payload.size());

  // Load into a keyspace of our own on a loader thread, then swap it in at once: clients
  // keep reading the old data meanwhile (as replica-serve-stale-data yes).
  state_ = State::kLoading;
  loaded_keys_ = 0;
  std::atomic<bool> finished{false};
  Status status;
  bool swapped = false;
  int stream_db = -1;
  std::thread loader([&] {
    ShardSet fresh(server_.shards().size(), server_.shards().databases());
    // The master's function libraries replace ours with its data set.
    std::vector<FunctionRegistry::LibraryPtr> libraries;
    if (rdb::LooksLikeRdb(payload)) {
      status = LoadRdbPayload(payload, fresh, &stream_db, &libraries);
    } else {
      status = LoadPayload(payload, fresh, &loaded_keys_, &stream_db, [&](std::string_view name, std::string_view aux) {
        std::string error;
        if (name != "functions") return Status::Ok();
        if (!BuildLibrariesFromPayload(aux, &libraries, &error)) return Status::Corruption("function libraries: " + error);
        return Status::Ok();
      });
    }
    std::string().swap(payload);
    if (status.ok()) {
      std::lock_guard l(swap_mu_);
      if (!stopped_) {
        server_.shards().SwapContents(fresh);
        server_.functions().Reset(libraries);
        replication_.source().ResetTo(replid, offset);
        replication_.source().DropAll("this replica loaded a new data set");
        offset_ = offset;
        swapped = true;
      }
    }
    // `fresh` now holds the old data, freed here rather than on an I/O thread.
    finished = true;
  });
  while (!finished.load()) {
    timer_.expires_after(std::chrono::milliseconds(5));
    try {
      co_await timer_.async_wait(use_awaitable);
    } catch (const std::exception&) {
    }
  }
  loader.join();
  if (!status.ok()) throw LinkError("Failed to load the payload from the master: " + status.message());
  if (!swapped) throw LinkError("stopped");
  session_.db = std::max(stream_db, 0);  // where the master's stream continues
  Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: Finished with success ({} keys)", loaded_keys_.load());
  replication_.set_position_known();
  replication_.OnFullSyncLoaded();
}

// A redis-server master's payload: an RDB file. Expired keys stay (the master's DEL
// removes them); the stream continues in the database its repl-stream-db field names.
Status MasterLink::LoadRdbPayload(std::string_view payload, ShardSet& fresh, int* stream_db,
                                  std::vector<FunctionRegistry::LibraryPtr>* libraries) {
  RdbKeyspaceLoader loader(fresh, /*now_ms=*/0, &loaded_keys_);
  rdb::RdbLoadStats stats;
  Status s = rdb::LoadRdb(payload, server_.config().encoding, loader, &stats);
  if (!s.ok()) return s;
  for (const auto& [k, v] : loader.aux()) {
    if (k == "repl-stream-db") {
      if (auto db = ParseInt64(v); db && *db >= 0 && *db < fresh.databases()) *stream_db = static_cast<int>(*db);
    }
  }
  std::string error;
  if (!BuildLibraries(loader.functions(), libraries, &error)) {
    return Status::Corruption("a function library of the master: " + error);
  }
  Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: the master sent an RDB file (version {}): {} keys, {} function libraries",
      stats.version, loader.loaded(), loader.functions().size());
  return Status::Ok();
}

asio::awaitable<void> MasterLink::Stream() {
  state_ = State::kConnected;
  last_io_ms_ = server_.clock().NowMs();
  uint64_t generation = ++generation_;
  SendAck();
  asio::co_spawn(thread_.context(), AckLoop(generation), asio::detached);
  // Bytes that came with the sync's last reply are the stream's first.
  if (ApplyBuffered()) SendAck();
  std::string chunk(kReadChunk, '\0');
  while (!stopped_) {
    size_t n = co_await socket_.async_read_some(asio::buffer(chunk), use_awaitable);
    last_io_ms_ = server_.clock().NowMs();
    inbuf_.append(chunk, 0, n);
    if (ApplyBuffered()) SendAck();
  }
  throw LinkError("stopped");
}

bool MasterLink::ApplyBuffered() {
  ReplyWriter writer(&scratch_, 2);
  std::string_view in = inbuf_;
  size_t pos = 0;
  bool ack = false;
  while (pos < in.size() && !stopped_) {
    size_t consumed = 0;
    RequestParser::Result r = parser_.Parse(in.substr(pos), &consumed);
    if (r == RequestParser::Result::kNeedMore) break;
    if (r == RequestParser::Result::kError) throw LinkError("Protocol error in the master's stream: " + parser_.error());
    const auto& args = parser_.args();
    if (!args.empty()) {
      if (EqualsIgnoreCase(args[0], "REPLCONF")) {
        ack = ack || (args.size() >= 2 && EqualsIgnoreCase(args[1], "GETACK"));
      } else {
        scratch_.clear();
        server_.Execute(session_, args, writer, thread_.index());
        // A command this replica does not have (a redis-server master's stream may carry
        // one): applying the rest would diverge silently, so the link stops here.
        if (scratch_.starts_with("-ERR unknown command") || scratch_.starts_with("-ERR unknown subcommand")) {
          std::string shown(args[0]);
          if (args.size() > 1) shown += " " + std::string(args[1]);
          Halt("the master sent '" + shown + "', which this replica cannot apply (" +
               scratch_.substr(1, scratch_.find('\r') - 1) + ") at offset " + std::to_string(offset_.load() + pos));
          throw LinkError("halted");
        }
      }
    }
    pos += consumed;
  }
  if (pos > 0) {
    // Passed on exactly as applied: a replica of this replica shares the master's offsets.
    replication_.source().FeedRaw(in.substr(0, pos), session_.db);
    offset_ += pos;
    inbuf_.erase(0, pos);
  }
  return ack;
}

asio::awaitable<void> MasterLink::AckLoop(uint64_t generation) {
  auto self = shared_from_this();
  asio::steady_timer timer(thread_.context());
  while (!stopped_ && generation == generation_ && state_.load() == State::kConnected) {
    timer.expires_after(std::chrono::seconds(1));
    co_await timer.async_wait(use_awaitable);
    if (stopped_ || generation != generation_ || state_.load() != State::kConnected) break;
    SendAck();
  }
}

void MasterLink::SendAck() {
  Send(EncodeCommand({"REPLCONF", "ACK", std::to_string(offset_.load())}));
}

void MasterLink::Send(const std::string& bytes) {
  // A few dozen bytes at a time: the socket's buffer takes them without blocking.
  std::error_code ec;
  asio::write(socket_, asio::buffer(bytes), ec);
}

asio::awaitable<std::string> MasterLink::Call(std::vector<std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string bytes;
  EncodeCommand(std::span<const std::string_view>(views), &bytes);
  Send(bytes);
  co_return co_await ReadLine();
}

// One reply line without its CRLF; "" for a bare newline (a master's keep-alive).
asio::awaitable<std::string> MasterLink::ReadLine() {
  while (true) {
    size_t nl = inbuf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = inbuf_.substr(0, nl);
      inbuf_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      co_return line;
    }
    if (inbuf_.size() > 64 * 1024) throw LinkError("The master sent a line longer than 64 KB");
    std::string chunk(4096, '\0');
    size_t n = co_await socket_.async_read_some(asio::buffer(chunk), use_awaitable);
    last_io_ms_ = server_.clock().NowMs();
    inbuf_.append(chunk, 0, n);
  }
}

}  // namespace minired
