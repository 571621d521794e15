#include "tests/testing/keyspace_dump.h"

#include <algorithm>
#include <vector>

namespace minired::testing {
namespace {

// Sends every command, then reads every reply: one round trip per batch.
std::vector<RespValue> Pipeline(RespClient& c, const std::vector<std::vector<std::string>>& cmds) {
  std::vector<RespValue> out;
  constexpr size_t kBatch = 1000;
  for (size_t i = 0; i < cmds.size(); i += kBatch) {
    size_t end = std::min(cmds.size(), i + kBatch);
    for (size_t j = i; j < end; ++j) c.Send(cmds[j]);
    for (size_t j = i; j < end; ++j) {
      Reply r;
      if (!c.Read(&r)) return out;
      out.push_back(std::move(r.value));
    }
  }
  return out;
}

std::vector<std::string> ValueCommand(const std::string& type, const std::string& key) {
  if (type == "hash") return {"HGETALL", key};
  if (type == "set") return {"SMEMBERS", key};
  if (type == "zset") return {"ZRANGE", key, "0", "-1", "WITHSCORES"};
  if (type == "list") return {"LRANGE", key, "0", "-1"};
  if (type == "stream") return {"XINFO", "STREAM", key, "FULL", "COUNT", "0"};
  return {"GET", key};
}

// A consumer's seen-time is when it last read on this server: a replica or a restart
// sets its own (redis-server's too), so it is left out of the comparison.
void MaskSeenTimes(RespValue* v) {
  for (size_t i = 0; i < v->elems.size(); ++i) {
    if (v->elems[i].str == "seen-time" && i + 1 < v->elems.size()) v->elems[i + 1].integer = 0;
    MaskSeenTimes(&v->elems[i]);
  }
}

// The radix tree's key and node counts say how a stream is split into nodes.
void MaskRadixTree(RespValue* v) {
  for (size_t i = 0; i + 1 < v->elems.size(); ++i) {
    if (v->elems[i].str == "radix-tree-keys" || v->elems[i].str == "radix-tree-nodes") v->elems[i + 1].integer = 0;
  }
}

std::map<std::string, std::string> Dump(RespClient& c, int db, bool layout) {
  std::map<std::string, std::string> out;
  c.Call({"SELECT", std::to_string(db)});
  std::vector<std::string> keys;
  for (const RespValue& k : c.Call({"KEYS", "*"}).value.elems) keys.push_back(k.str);
  std::vector<std::vector<std::string>> cmds;
  for (const auto& k : keys) cmds.push_back({"TYPE", k});
  std::vector<RespValue> types = Pipeline(c, cmds);
  cmds.clear();
  for (size_t i = 0; i < keys.size(); ++i) {
    cmds.push_back(ValueCommand(types[i].str, keys[i]));
    cmds.push_back({"PEXPIRETIME", keys[i]});
    cmds.push_back({"OBJECT", "ENCODING", keys[i]});
  }
  std::vector<RespValue> replies = Pipeline(c, cmds);
  for (size_t i = 0; i < keys.size() && 3 * i + 2 < replies.size(); ++i) {
    const std::string& type = types[i].str;
    RespValue v = replies[3 * i];
    std::vector<std::string> parts;
    if (type == "stream") {
      // Its entries, ID counters, groups, consumers and pending entries, in their order.
      MaskSeenTimes(&v);
      if (!layout) MaskRadixTree(&v);
      parts.push_back(v.DebugString());
    } else if (v.is_array()) {
      if (type == "hash") {
        for (size_t j = 0; j + 1 < v.elems.size(); j += 2) parts.push_back(v.elems[j].str + "=" + v.elems[j + 1].str);
        std::sort(parts.begin(), parts.end());
      } else {
        for (const auto& e : v.elems) parts.push_back(e.str);
        if (type == "set") std::sort(parts.begin(), parts.end());
      }
    } else {
      parts.push_back(v.str);
    }
    std::string desc = type + " exp=" + std::to_string(replies[3 * i + 1].integer) + " [";
    for (const auto& p : parts) desc += p + ",";
    out[keys[i]] = desc + "]" + (layout ? " enc=" + replies[3 * i + 2].str : "");
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> DumpKeyspace(RespClient& c, int db) { return Dump(c, db, true); }
std::map<std::string, std::string> DumpKeyspaceContents(RespClient& c, int db) { return Dump(c, db, false); }

}  // namespace minired::testing
