#include "server/command_docs.h"

#include <cctype>

namespace minired {
namespace {

struct GrammarEntry {
  const char* name;
  const char* grammar;
  const char* summary;  // for subcommands; top-level summaries live in the CommandSpec
};

// Grammar lines in Redis's documentation notation. Subcommands are "container|sub".
const GrammarEntry kGrammar[] = {
    {"get", "key", ""},
    {"set", "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]", ""},
    {"setnx", "key value", ""},
    {"setex", "key seconds value", ""},
    {"psetex", "key milliseconds value", ""},
    {"getset", "key value", ""},
    {"mget", "key ...", ""},
    {"mset", "[key value] ...", ""},
    {"msetnx", "[key value] ...", ""},
    {"getdel", "key", ""},
    {"getex", "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]", ""},
    {"append", "key value", ""},
    {"strlen", "key", ""},
    {"getrange", "key start end", ""},
    {"substr", "key start end", ""},
    {"setrange", "key offset value", ""},
    {"incr", "key", ""},
    {"decr", "key", ""},
    {"incrby", "key increment", ""},
    {"decrby", "key decrement", ""},
    {"incrbyfloat", "key increment", ""},
    {"del", "key ...", ""},
    {"unlink", "key ...", ""},
    {"exists", "key ...", ""},
    {"touch", "key ...", ""},
    {"type", "key", ""},
    {"rename", "key newkey", ""},
    {"renamenx", "key newkey", ""},
    {"copy", "source destination [DB destination-db] [REPLACE]", ""},
    {"move", "key db", ""},
    {"dump", "key", ""},
    {"migrate", "host port key | \"\" destination-db timeout [COPY] [REPLACE] [AUTH password | AUTH2 username password] [KEYS key ...]", ""},
    {"restore", "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]", ""},
    {"restore-asking", "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]", ""},
    {"getbit", "key offset", ""},
    {"setbit", "key offset value", ""},
    {"bitcount", "key [start end [BYTE | BIT]]", ""},
    {"bitpos", "key bit [start [end [BYTE | BIT]]]", ""},
    {"bitop", "AND | OR | XOR | NOT destkey key ...", ""},
    {"bitfield", "key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> ...]", ""},
    {"bitfield_ro", "key [GET encoding offset ...]", ""},
    {"lcs", "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]", ""},
    {"sort", "key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA] [STORE destination]", ""},
    {"sort_ro", "key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA]", ""},
    {"geoadd", "key [NX | XX] [CH] longitude latitude member ...", ""},
    {"geodist", "key member1 member2 [M | KM | FT | MI]", ""},
    {"geohash", "key [member ...]", ""},
    {"geopos", "key [member ...]", ""},
    {"georadius", "key longitude latitude radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]", ""},
    {"georadiusbymember", "key member radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]", ""},
    {"georadius_ro", "key longitude latitude radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]", ""},
    {"georadiusbymember_ro", "key member radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]", ""},
    {"geosearch", "key <FROMMEMBER member | FROMLONLAT longitude latitude> <BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>> [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]", ""},
    {"geosearchstore", "destination source <FROMMEMBER member | FROMLONLAT longitude latitude> <BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>> [ASC | DESC] [COUNT count [ANY]] [STOREDIST]", ""},
    {"pfadd", "key [element ...]", ""},
    {"pfcount", "key ...", ""},
    {"pfmerge", "destkey [sourcekey ...]", ""},
    {"pfdebug", "subcommand key", ""},
    {"pfselftest", "", ""},
    {"randomkey", "", ""},
    {"keys", "pattern", ""},
    {"scan", "cursor [MATCH pattern] [COUNT count] [TYPE type]", ""},
    {"expire", "key seconds [NX | XX | GT | LT]", ""},
    {"pexpire", "key milliseconds [NX | XX | GT | LT]", ""},
    {"expireat", "key unix-time-seconds [NX | XX | GT | LT]", ""},
    {"pexpireat", "key unix-time-milliseconds [NX | XX | GT | LT]", ""},
    {"ttl", "key", ""},
    {"pttl", "key", ""},
    {"expiretime", "key", ""},
    {"pexpiretime", "key", ""},
    {"persist", "key", ""},
    {"select", "index", ""},
    {"swapdb", "index1 index2", ""},
    {"dbsize", "", ""},
    {"flushdb", "[ASYNC | SYNC]", ""},
    {"flushall", "[ASYNC | SYNC]", ""},
    {"ping", "[message]", ""},
    {"echo", "message", ""},
    {"quit", "", ""},
    {"auth", "[username] password", ""},
    {"hello", "[protover [AUTH username password] [SETNAME clientname]]", ""},
    {"reset", "", ""},
    {"info", "[section ...]", ""},
    {"time", "", ""},
    {"shutdown", "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]", ""},
    {"save", "", ""},
    {"bgsave", "[SCHEDULE]", ""},
    {"bgrewriteaof", "", ""},
    {"lastsave", "", ""},
    {"object|encoding", "key", "Returns the internal encoding of a Redis object."},
    {"object|freq", "key", "Returns the logarithmic access frequency counter of a Redis object."},
    {"object|idletime", "key", "Returns the time since the last access to a Redis object."},
    {"object|refcount", "key", "Returns the reference count of a value of a key."},
    {"object|help", "", "Returns helpful text about the different subcommands."},
    {"client|id", "", "Returns the unique client ID of the connection."},
    {"client|setname", "connection-name", "Sets the connection name."},
    {"client|getname", "", "Returns the name of the connection."},
    {"client|setinfo", "LIB-NAME libname | LIB-VER libver", "Sets information specific to the client or connection."},
    {"client|list", "[TYPE NORMAL | MASTER | REPLICA | PUBSUB] [ID client-id ...]", "Lists open connections."},
    {"client|info", "", "Returns information about the connection."},
    {"client|kill", "ip:port | [ID client-id] [TYPE NORMAL | MASTER | SLAVE | REPLICA | PUBSUB] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME yes-no] [MAXAGE maxage]", "Terminates open connections."},
    {"client|no-evict", "ON | OFF", "Sets the client eviction mode of the connection."},
    {"client|reply", "ON | OFF | SKIP", "Instructs the server whether to reply to commands."},
    {"client|pause", "timeout [WRITE | ALL]", "Suspends commands processing."},
    {"client|unpause", "", "Resumes processing commands from paused clients."},
    {"client|unblock", "client-id [TIMEOUT | ERROR]", "Unblocks a client blocked by a blocking command from a different connection."},
    {"client|help", "", "Returns helpful text about the different subcommands."},
    {"config|get", "parameter ...", "Returns the effective values of configuration parameters."},
    {"config|set", "[parameter value] ...", "Sets configuration parameters in-flight."},
    {"config|resetstat", "", "Resets the server's statistics."},
    {"config|rewrite", "", "Persists the effective configuration to file."},
    {"config|help", "", "Returns helpful text about the different subcommands."},
    {"command|count", "", "Returns a count of commands."},
    {"command|info", "[command-name ...]", "Returns information about one, multiple or all commands."},
    {"command|docs", "[command-name ...]", "Returns documentary information about one, multiple or all commands."},
    {"command|list", "[FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]", "Returns a list of command names."},
    {"command|getkeys", "command [arg ...]", "Extracts the key names from an arbitrary command."},
    {"command|getkeysandflags", "command [arg ...]", "Extracts the key names and access flags for an arbitrary command."},
    {"command|help", "", "Returns helpful text about the different subcommands."},
    {"slowlog|get", "[count]", "Returns the slow log's entries."},
    {"slowlog|len", "", "Returns the number of entries in the slow log."},
    {"slowlog|reset", "", "Clears all entries from the slow log."},
    {"slowlog|help", "", "Show helpful text about the different subcommands"},
    {"latency|latest", "", "Returns the latest latency samples for all events."},
    {"latency|history", "event", "Returns timestamp-latency samples for an event."},
    {"latency|reset", "[event ...]", "Resets the latency data for one or more events."},
    {"latency|graph", "event", "Returns a latency graph for an event."},
    {"latency|doctor", "", "Returns a human-readable latency analysis report."},
    {"latency|histogram", "[command ...]", "Returns the cumulative distribution of latencies of a subset or all commands."},
    {"latency|help", "", "Returns helpful text about the different subcommands."},
    {"monitor", "", ""},
    {"acl|setuser", "username [rule [rule ...]]", "Creates and modifies an ACL user and its rules."},
    {"acl|deluser", "username [username ...]", "Deletes ACL users, and terminates their connections."},
    {"acl|getuser", "username", "Lists the ACL rules of a user."},
    {"acl|list", "", "Dumps the effective rules in ACL file format."},
    {"acl|users", "", "Lists all ACL users."},
    {"acl|whoami", "", "Returns the authenticated username of the current connection."},
    {"acl|cat", "[category]", "Lists the ACL categories, or the commands inside a category."},
    {"acl|genpass", "[bits]", "Generates a pseudorandom, secure password that can be used to identify ACL users."},
    {"acl|load", "", "Reloads the rules from the configured ACL file."},
    {"acl|save", "", "Saves the effective ACL rules in the configured ACL file."},
    {"acl|help", "", "Returns helpful text about the different subcommands."},
    {"debug|sleep", "seconds", "Stops the server for the given number of seconds."},
    {"debug|set-active-expire", "flag", "Turns the background expiry cycle off (0) or on (1)."},
    {"debug|help", "", "Returns helpful text about the different subcommands."},
    {"hset", "key [field value] ...", ""},
    {"hsetnx", "key field value", ""},
    {"hmset", "key [field value] ...", ""},
    {"hget", "key field", ""},
    {"hmget", "key field ...", ""},
    {"hgetall", "key", ""},
    {"hkeys", "key", ""},
    {"hvals", "key", ""},
    {"hdel", "key field ...", ""},
    {"hexists", "key field", ""},
    {"hlen", "key", ""},
    {"hstrlen", "key field", ""},
    {"hincrby", "key field increment", ""},
    {"hincrbyfloat", "key field increment", ""},
    {"hrandfield", "key [count [WITHVALUES]]", ""},
    {"hscan", "key cursor [MATCH pattern] [COUNT count]", ""},
    {"sadd", "key member ...", ""},
    {"srem", "key member ...", ""},
    {"smembers", "key", ""},
    {"sismember", "key member", ""},
    {"smismember", "key member ...", ""},
    {"scard", "key", ""},
    {"spop", "key [count]", ""},
    {"srandmember", "key [count]", ""},
    {"smove", "source destination member", ""},
    {"sinter", "key ...", ""},
    {"sunion", "key ...", ""},
    {"sdiff", "key ...", ""},
    {"sinterstore", "destination key ...", ""},
    {"sunionstore", "destination key ...", ""},
    {"sdiffstore", "destination key ...", ""},
    {"sintercard", "numkeys key ... [LIMIT limit]", ""},
    {"sscan", "key cursor [MATCH pattern] [COUNT count]", ""},
    {"zadd", "key [NX | XX] [GT | LT] [CH] [INCR] [score member] ...", ""},
    {"zincrby", "key increment member", ""},
    {"zrem", "key member ...", ""},
    {"zscore", "key member", ""},
    {"zmscore", "key member ...", ""},
    {"zrank", "key member", ""},
    {"zrevrank", "key member", ""},
    {"zcard", "key", ""},
    {"zcount", "key min max", ""},
    {"zlexcount", "key min max", ""},
    {"zrange", "key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]", ""},
    {"zrangestore", "dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]", ""},
    {"zrevrange", "key start stop [WITHSCORES]", ""},
    {"zrangebyscore", "key min max [WITHSCORES] [LIMIT offset count]", ""},
    {"zrevrangebyscore", "key max min [WITHSCORES] [LIMIT offset count]", ""},
    {"zrangebylex", "key min max [LIMIT offset count]", ""},
    {"zrevrangebylex", "key max min [LIMIT offset count]", ""},
    {"zremrangebyrank", "key start stop", ""},
    {"zremrangebyscore", "key min max", ""},
    {"zremrangebylex", "key min max", ""},
    {"zpopmin", "key [count]", ""},
    {"zpopmax", "key [count]", ""},
    {"zunionstore", "destination numkeys key ... [WEIGHTS weight ...] [AGGREGATE SUM | MIN | MAX]", ""},
    {"zinterstore", "destination numkeys key ... [WEIGHTS weight ...] [AGGREGATE SUM | MIN | MAX]", ""},
    {"zdiffstore", "destination numkeys key ...", ""},
    {"zunion", "numkeys key ... [WEIGHTS weight ...] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]", ""},
    {"zinter", "numkeys key ... [WEIGHTS weight ...] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]", ""},
    {"zdiff", "numkeys key ... [WITHSCORES]", ""},
    {"zintercard", "numkeys key ... [LIMIT limit]", ""},
    {"zrandmember", "key [count [WITHSCORES]]", ""},
    {"zmpop", "numkeys key ... MIN | MAX [COUNT count]", ""},
    {"lmpop", "numkeys key ... LEFT | RIGHT [COUNT count]", ""},
    {"eval", "script numkeys [key ...] [arg ...]", ""},
    {"evalsha", "sha1 numkeys [key ...] [arg ...]", ""},
    {"eval_ro", "script numkeys [key ...] [arg ...]", ""},
    {"evalsha_ro", "sha1 numkeys [key ...] [arg ...]", ""},
    {"script|exists", "sha1 ...", "Check existence of scripts in the script cache."},
    {"script|help", "", "Show helpful text about the different subcommands"},
    {"script|load", "script", "Load the specified Lua script into the script cache."},
    {"script|flush", "[ASYNC | SYNC]", "Remove all the scripts from the script cache."},
    {"script|kill", "", "Kill the script currently in execution."},
    {"fcall", "function numkeys [key ...] [arg ...]", ""},
    {"fcall_ro", "function numkeys [key ...] [arg ...]", ""},
    {"function|load", "[REPLACE] function-code", "Create a function with the given arguments (name, code, description)"},
    {"function|help", "", "Show helpful text about the different subcommands"},
    {"function|flush", "[ASYNC | SYNC]", "Deleting all functions"},
    {"function|stats", "", "Return information about the function currently running (name, description, duration)"},
    {"function|delete", "library-name", "Delete a function by name"},
    {"function|list", "[LIBRARYNAME library-name-pattern] [WITHCODE]", "List information about all the functions"},
    {"function|dump", "", "Dump all functions into a serialized binary payload"},
    {"function|kill", "", "Kill the function currently in execution."},
    {"function|restore", "serialized-value [FLUSH | APPEND | REPLACE]", "Restore all the functions on the given payload"},
    {"zscan", "key cursor [MATCH pattern] [COUNT count]", ""},
    {"lpush", "key element ...", ""},
    {"rpush", "key element ...", ""},
    {"lpushx", "key element ...", ""},
    {"rpushx", "key element ...", ""},
    {"lpop", "key [count]", ""},
    {"rpop", "key [count]", ""},
    {"llen", "key", ""},
    {"lrange", "key start stop", ""},
    {"lindex", "key index", ""},
    {"lset", "key index element", ""},
    {"linsert", "key BEFORE | AFTER pivot element", ""},
    {"lrem", "key count element", ""},
    {"ltrim", "key start stop", ""},
    {"lpos", "key element [RANK rank] [COUNT num-matches] [MAXLEN len]", ""},
    {"lmove", "source destination LEFT | RIGHT LEFT | RIGHT", ""},
    {"rpoplpush", "source destination", ""},
    {"blpop", "key ... timeout", ""},
    {"brpop", "key ... timeout", ""},
    {"blmove", "source destination LEFT | RIGHT LEFT | RIGHT timeout", ""},
    {"blmpop", "timeout numkeys key ... LEFT | RIGHT [COUNT count]", ""},
    {"bzpopmin", "key ... timeout", ""},
    {"bzpopmax", "key ... timeout", ""},
    {"bzmpop", "timeout numkeys key ... MIN | MAX [COUNT count]", ""},
    {"brpoplpush", "source destination timeout", ""},
    {"xadd", "key [NOMKSTREAM] [MAXLEN | MINID [= | ~] threshold [LIMIT count]] * | id field value [field value ...]", ""},
    {"xtrim", "key MAXLEN | MINID [= | ~] threshold [LIMIT count]", ""},
    {"xdel", "key id ...", ""},
    {"xrange", "key start end [COUNT count]", ""},
    {"xrevrange", "key end start [COUNT count]", ""},
    {"xlen", "key", ""},
    {"xread", "[COUNT count] [BLOCK milliseconds] STREAMS key ... id ...", ""},
    {"xreadgroup", "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key ... id ...", ""},
    {"xack", "key group id ...", ""},
    {"xpending", "key group [[IDLE min-idle-time] start end count [consumer]]", ""},
    {"xclaim", "key group consumer min-idle-time id ... [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]", ""},
    {"xautoclaim", "key group consumer min-idle-time start [COUNT count] [JUSTID]", ""},
    {"xsetid", "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]", ""},
    {"xgroup|create", "key groupname id | $ [MKSTREAM] [ENTRIESREAD entries-read]", "Create a consumer group."},
    {"xgroup|setid", "key groupname id | $ [ENTRIESREAD entries-read]", "Set a consumer group to an arbitrary last delivered ID value."},
    {"xgroup|destroy", "key groupname", "Destroy a consumer group."},
    {"xgroup|createconsumer", "key groupname consumername", "Create a consumer in a consumer group."},
    {"xgroup|delconsumer", "key groupname consumername", "Delete a consumer from a consumer group."},
    {"xgroup|help", "", "Show helpful text about the different subcommands"},
    {"xinfo|stream", "key [FULL [COUNT count]]", "Get information about a stream"},
    {"xinfo|groups", "key", "List the consumer groups of a stream"},
    {"xinfo|consumers", "key groupname", "List the consumers in a consumer group"},
    {"xinfo|help", "", "Show helpful text about the different subcommands"},
    {"multi", "", ""},
    {"exec", "", ""},
    {"discard", "", ""},
    {"watch", "key ...", ""},
    {"unwatch", "", ""},
    {"subscribe", "channel ...", ""},
    {"unsubscribe", "[channel ...]", ""},
    {"psubscribe", "pattern ...", ""},
    {"punsubscribe", "[pattern ...]", ""},
    {"publish", "channel message", ""},
    {"pubsub|channels", "[pattern]", "Returns the active channels."},
    {"pubsub|numsub", "[channel ...]", "Returns a count of subscribers to channels."},
    {"pubsub|numpat", "", "Returns a count of unique pattern subscriptions."},
    {"pubsub|help", "", "Returns helpful text about the different subcommands."},
};

std::string TypeFor(const std::string& name) {
  if (name == "key" || name == "newkey" || name == "source" || name == "destination") return "key";
  if (name == "pattern") return "pattern";
  if (name.rfind("unix-time", 0) == 0) return "unix-time";
  static const char* kIntegers[] = {"seconds", "milliseconds", "count", "offset", "start", "end",
                                    "increment", "decrement", "index", "index1", "index2", "cursor",
                                    "destination-db", "protover", "client-id", "maxage"};
  for (const char* i : kIntegers) {
    if (name == i) return "integer";
  }
  return "string";
}

bool IsUpper(const std::string& w) {
  bool letter = false;
  for (char c : w) {
    if (islower(static_cast<unsigned char>(c))) return false;
    letter |= isalpha(static_cast<unsigned char>(c)) != 0;
  }
  return letter;
}

// One part stays itself; several become a `type` ("oneof" or "block") holding them,
// named after what it groups (Redis picks a name by hand; joining the parts is close).
ArgDoc Wrap(const char* type, std::vector<ArgDoc> parts) {
  if (parts.size() == 1) return std::move(parts[0]);
  ArgDoc group;
  group.type = type;
  for (const auto& p : parts) group.name += (group.name.empty() ? "" : "-") + p.name;
  group.children = std::move(parts);
  return group;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

class GrammarParser {
 public:
  explicit GrammarParser(std::string_view g) {
    std::string cur;
    auto flush = [&] {
      if (!cur.empty()) tokens_.push_back(cur);
      cur.clear();
    };
    for (char c : g) {
      if (c == '[' || c == ']' || c == '<' || c == '>' || c == '|') {
        flush();
        tokens_.emplace_back(1, c);
      } else if (c == ' ') {
        flush();
      } else {
        cur.push_back(c);
      }
    }
    flush();
  }

  bool Parse(std::vector<ArgDoc>* out) {
    ArgDoc root = Group();
    if (!ok_ || pos_ != tokens_.size()) return false;
    if (root.type == "block" && !root.optional && !root.multiple) {  // the top-level sequence
      *out = std::move(root.children);
    } else if (!root.name.empty() || !root.type.empty()) {
      out->push_back(std::move(root));
    }
    return true;
  }

 private:
  bool At(const char* t) const { return pos_ < tokens_.size() && tokens_[pos_] == t; }
  bool AtWord() const {
    return pos_ < tokens_.size() && tokens_[pos_] != "[" && tokens_[pos_] != "]" && tokens_[pos_] != "<" &&
           tokens_[pos_] != ">" && tokens_[pos_] != "|" && tokens_[pos_] != "...";
  }

  // alternatives separated by '|'
  ArgDoc Group() {
    std::vector<ArgDoc> alts;
    alts.push_back(Sequence());
    while (At("|")) {
      ++pos_;
      alts.push_back(Sequence());
    }
    return Wrap("oneof", std::move(alts));
  }

  ArgDoc Sequence() {
    std::vector<ArgDoc> items;
    while (pos_ < tokens_.size() && !At("]") && !At(">") && !At("|")) {
      if (At("...")) {
        ok_ = false;
        ++pos_;
        continue;
      }
      items.push_back(Item());
      if (At("...")) {
        items.back().multiple = true;
        ++pos_;
      }
    }
    return Wrap("block", std::move(items));
  }

  ArgDoc Item() {
    if (At("<")) {  // a required group: <FROMMEMBER member | FROMLONLAT longitude latitude>
      ++pos_;
      ArgDoc inner = Group();
      if (!At(">")) ok_ = false;
      ++pos_;
      return inner;
    }
    if (At("[")) {
      ++pos_;
      ArgDoc inner = Group();
      if (!At("]")) ok_ = false;
      ++pos_;
      inner.optional = true;
      return inner;
    }
    std::string word = tokens_[pos_++];
    ArgDoc a;
    if (IsUpper(word)) {
      a.token = word;
      if (AtWord() && !IsUpper(tokens_[pos_])) {
        a.name = tokens_[pos_++];
        a.type = TypeFor(a.name);
      } else {
        a.name = Lower(word);
        a.type = "pure-token";
      }
    } else {
      a.name = word;
      a.type = TypeFor(word);
    }
    return a;
  }

  std::vector<std::string> tokens_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::vector<ArgDoc> ParseArgumentGrammar(std::string_view grammar) {
  std::vector<ArgDoc> out;
  if (!GrammarParser(grammar).Parse(&out)) out.clear();
  return out;
}

std::string_view ArgumentGrammar(std::string_view name) {
  for (const auto& e : kGrammar) {
    if (name == e.name) return e.grammar;
  }
  return "";
}

std::vector<std::string_view> DocumentedSubcommands(std::string_view container) {
  std::vector<std::string_view> subs;
  for (const auto& e : kGrammar) {
    std::string_view n = e.name;
    if (n.size() > container.size() && n.substr(0, container.size()) == container &&
        n[container.size()] == '|') {
      subs.push_back(n.substr(container.size() + 1));
    }
  }
  return subs;
}

std::string_view SubcommandSummary(std::string_view name) {
  for (const auto& e : kGrammar) {
    if (name == e.name) return e.summary;
  }
  return "";
}

void WriteArgDocs(ReplyWriter& w, const std::vector<ArgDoc>& args) {
  w.ArrayHeader(args.size());
  for (const ArgDoc& a : args) {
    size_t fields = 2 + (a.token.empty() ? 0 : 1) + ((a.optional || a.multiple) ? 1 : 0) +
                    (a.children.empty() ? 0 : 1);
    w.MapHeader(fields);
    w.Bulk("name");
    w.Bulk(a.name);
    w.Bulk("type");
    w.Bulk(a.type);
    if (!a.token.empty()) {
      w.Bulk("token");
      w.Bulk(a.token);
    }
    if (a.optional || a.multiple) {
      w.Bulk("flags");
      w.SetHeader((a.optional ? 1 : 0) + (a.multiple ? 1 : 0));
      if (a.optional) w.SimpleString("optional");
      if (a.multiple) w.SimpleString("multiple");
    }
    if (!a.children.empty()) {
      w.Bulk("arguments");
      WriteArgDocs(w, a.children);
    }
  }
}

}  // namespace minired
