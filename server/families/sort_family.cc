// SORT and SORT_RO: the elements of a list, set or sorted set, ordered numerically or
// (ALPHA) as strings, by themselves or by the values of other keys named by a pattern
// (BY weight_* or BY h_*->field), a window of them (LIMIT), and for each the values of
// more patterns (GET); SORT ... STORE writes the result as a list.
//
// Atomicity: a pattern names keys anywhere in the keyspace, which no key list tells in
// advance, so a SORT with a real BY or GET pattern holds every shard while it runs
// (ShardSet::AllHeld, as EXEC): it reads one consistent state of every key. Without
// patterns it holds the shards of its key and destination only.
//
// Replication: SORT ... STORE records the list it stored (DEL + RPUSH), not itself:
// a set's order and the pattern keys' contents need not be the same on a replica.
#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "server/acl.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/list_family.h"
#include "server/families/records.h"
#include "server/families/spec.h"
#include "server/keyspace_events.h"
#include "storage/encodings/hash_value.h"
#include "storage/encodings/list_value.h"
#include "storage/encodings/set_value.h"
#include "storage/encodings/zset_value.h"
#include "storage/partial_quicksort.h"

namespace minired {
namespace {

struct SortRequest {
  bool desc = false;
  bool alpha = false;
  bool dont_sort = false;     // BY a pattern without '*' (BY nosort)
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  std::optional<std::string_view> by;     // a real pattern (with '*')
  std::optional<std::string_view> store;  // SORT ... STORE destination
  std::vector<std::string_view> gets;
};

// Redis's user_has_full_key_access: the user may read a key named "*" literally, so
// patterns that can name any key are allowed.
bool MayReadAnyKey(const Session& s) { return s.user == nullptr || AclKeyAllowed(*s.user, "*", false); }

bool ParseSort(CommandContext& ctx, bool read_only, SortRequest* r) {
  const bool any_key = MayReadAnyKey(ctx.session());
  for (size_t j = 2; j < ctx.argc(); ++j) {
    const size_t left = ctx.argc() - j - 1;
    std::string_view a = ctx.arg(j);
    if (EqualsIgnoreCase(a, "ASC")) {
      r->desc = false;
    } else if (EqualsIgnoreCase(a, "DESC")) {
      r->desc = true;
    } else if (EqualsIgnoreCase(a, "ALPHA")) {
      r->alpha = true;
    } else if (EqualsIgnoreCase(a, "LIMIT") && left >= 2) {
      auto start = IntArg(ctx, ctx.arg(j + 1));
      if (!start) return false;
      auto count = IntArg(ctx, ctx.arg(j + 2));
      if (!count) return false;
      r->limit_start = *start;
      r->limit_count = *count;
      j += 2;
    } else if (!read_only && EqualsIgnoreCase(a, "STORE") && left >= 1) {
      r->store = ctx.arg(++j);
    } else if (EqualsIgnoreCase(a, "BY") && left >= 1) {
      // As Redis: the last BY is the pattern, and any BY without '*' leaves the
      // elements unsorted (a pattern then is never read).
      std::string_view pattern = ctx.arg(++j);
      r->by = pattern;
      if (pattern.find('*') == std::string_view::npos) {
        r->dont_sort = true;
      } else if (!any_key) {
        ctx.reply().Error("ERR BY option of SORT denied due to insufficient ACL permissions.");
        return false;
      }
    } else if (EqualsIgnoreCase(a, "GET") && left >= 1) {
      if (!any_key) {
        ctx.reply().Error("ERR GET option of SORT denied due to insufficient ACL permissions.");
        return false;
      }
      r->gets.push_back(ctx.arg(++j));
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  if (r->dont_sort) r->by.reset();
  return true;
}

// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is
// replaced by the element and the key read as a string, or with "->field" after the
// '*' as a hash field. Nothing when the pattern has no '*', the key is missing or of
// another type.
std::optional<std::string> LookupByPattern(MultiKeyAccess& m, std::string_view pattern, std::string_view element) {
  if (pattern == "#") return std::string(element);
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  size_t arrow = pattern.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < pattern.size()) {
    field = pattern.substr(arrow + 2);
  } else {
    arrow = pattern.size();
  }
  std::string key;
  key.reserve(arrow + element.size());
  key.append(pattern.substr(0, star)).append(element).append(pattern.substr(star + 1, arrow - star - 1));
  Db::Slot s = m.FindRead(key);
  if (!s) return std::nullopt;
  if (!field.empty()) {
    if (s.entry->type() != ValueType::kHash) return std::nullopt;
    auto v = HashRead(s.entry).Get(field);
    if (!v) return std::nullopt;
    return std::string(*v);
  }
  if (s.entry->type() != ValueType::kString) return std::nullopt;
  char scratch[kMaxInt64Chars];
  return std::string(s.entry->StringView(scratch));
}

struct SortItem {
  explicit SortItem(std::string e) : element(std::move(e)) {}
  std::string element;
  double score = 0;
  std::optional<std::string> by;  // ALPHA BY: the value compared
};

int CompareBytes(std::string_view a, std::string_view b) { return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1); }

// Redis's sortCompare (strings compared as bytes: the C locale's strcoll).
int CompareItems(const SortItem& a, const SortItem& b, const SortRequest& r) {
  int cmp;
  if (!r.alpha) {
    cmp = a.score > b.score ? 1 : (a.score < b.score ? -1 : CompareBytes(a.element, b.element));
  } else if (r.by) {
    if (!a.by || !b.by) {
      cmp = a.by.has_value() == b.by.has_value() ? 0 : (a.by ? 1 : -1);
    } else {
      cmp = CompareBytes(*a.by, *b.by);
    }
  } else {
    cmp = CompareBytes(a.element, b.element);
  }
  return r.desc ? -cmp : cmp;
}

// strtod over the whole value, as Redis parses a sort weight (hex, "inf" and leading
// spaces included; NaN refused).
bool ParseWeight(const std::string& s, double* out) {
  // The common case (a plain decimal) through from_chars, which rounds as strtod does;
  // anything else (spaces, hex, "inf", out of range) through strtod itself.
  auto [end_fc, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec == std::errc() && end_fc == s.data() + s.size() && std::isfinite(*out)) return true;
  errno = 0;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*out);
}

// The elements to sort, in the key's own order; for a list or sorted set left unsorted,
// only the window [start, end] (descending from the tail with DESC), as Redis loads it.
bool LoadElements(CommandContext& ctx, const Entry* e, const SortRequest& r, int64_t* start, int64_t* end,
                  std::vector<SortItem>* out) {
  int64_t len = 0;
  const ValueType type = e ? e->type() : ValueType::kList;
  if (e == nullptr) {
    len = 0;
  } else if (type == ValueType::kList) {
    len = static_cast<int64_t>(ListRead(e).size());
  } else if (type == ValueType::kSet) {
    len = static_cast<int64_t>(SetRead(e).size());
  } else if (type == ValueType::kZSet) {
    len = static_cast<int64_t>(ZSetValue(e).size());
  } else {
    ctx.reply().Error(errors::kWrongType);
    return false;
  }
  *start = std::min(std::max<int64_t>(r.limit_start, 0), len);
  const int64_t count = std::min(std::max<int64_t>(r.limit_count, -1), len);
  *end = count < 0 ? len - 1 : *start + count - 1;
  if (*start >= len) {
    *start = len - 1;
    *end = len - 2;
  }
  if (*end >= len) *end = len - 1;
  if (e == nullptr) return true;
  const bool window = r.dont_sort && type != ValueType::kSet;
  if (window) {
    if (*end >= *start) {
      const auto first = static_cast<size_t>(*start), n = static_cast<size_t>(*end - *start + 1);
      if (type == ValueType::kList) {
        // One walk over the window (an index each would walk the list's nodes each time).
        ListRead l(e);
        const size_t from = r.desc ? l.size() - first - n : first;
        l.ForRange(from, from + n - 1, [&](std::string_view v) { out->emplace_back(std::string(v)); });
        if (r.desc) std::reverse(out->end() - static_cast<ptrdiff_t>(n), out->end());
      } else {
        ZSetValue z(e);
        z.Walk(r.desc ? z.size() - 1 - first : first, n, r.desc,
               [&](ZItem it) { out->emplace_back(std::string(it.member)); });
      }
      *end -= *start;
      *start = 0;
    }
    return true;
  }
  if (type == ValueType::kList) {
    ListRead l(e);
    if (l.size() > 0) l.ForRange(0, l.size() - 1, [&](std::string_view v) { out->emplace_back(std::string(v)); });
  } else if (type == ValueType::kSet) {
    SetRead(e).ForEach([&](std::string_view v) { out->emplace_back(std::string(v)); });
  } else {
    ZSetValue z(e);
    z.Walk(0, z.size(), false, [&](ZItem it) { out->emplace_back(std::string(it.member)); });
  }
  return true;
}

// Writes the result to the destination: a new list (no TTL), or no key when empty.
void StoreResult(CommandContext& ctx, MultiKeyAccess& m, std::string_view dst, std::vector<std::string> values) {
  const uint64_t hd = HashKey(dst);
  Db& db = m.DbOf(hd);
  Db::Slot d = db.Find(dst, hd, ctx.now_ms());
  const bool record = (d || !values.empty()) && RecordsItself();
  if (values.empty()) {
    if (d) {
      db.Erase(d);
      ctx.Notify(kEventGeneric, "del", dst);
      Journal::CountChanges(1);
      if (record) Substitute({"DEL", std::string(dst)});
    }
    return ctx.reply().Integer(0);
  }
  if (d) db.EraseToOverwrite(d);
  const auto n = static_cast<int64_t>(values.size());
  if (record) {
    std::vector<std::string> push = {"RPUSH", std::string(dst)};
    push.insert(push.end(), values.begin(), values.end());
    Substitute({"DEL", std::string(dst)});
    AddSubstitute(std::move(push));
  }
  ListEdit l(db, Db::Slot{}, dst, hd, Limits(ctx));
  for (const auto& v : values) l.list().PushBack(v);
  l.Commit(ctx.now_ms());
  db.EndOverwrite();
  ctx.Notify(kEventList, "sortstore", dst);
  Journal::CountChanges(static_cast<uint64_t>(n));
  NotifyKeyReady(ctx, dst);
  ctx.reply().Integer(n);
}

void SortGeneric(CommandContext& ctx, bool read_only) {
  SortRequest r;
  if (!ParseSort(ctx, read_only, &r)) return;
  bool patterns = r.by.has_value();  // only a pattern with '*' names other keys
  for (std::string_view g : r.gets) patterns |= g.find('*') != std::string_view::npos;
  std::optional<ShardSet::AllHeld> all;
  if (patterns) all.emplace(ctx.shards());
  std::vector<std::string_view> keys = {ctx.arg(1)};
  if (r.store) keys.push_back(*r.store);
  MultiKeyAccess m(ctx, keys);
  Db::Slot s = m.FindRead(ctx.arg(1));
  // A set left unsorted comes out in its table's order, which a replica or a script's
  // rerun need not share: with STORE or in a script it is sorted as strings instead.
  if (r.dont_sort && s && s.entry->type() == ValueType::kSet &&
      (r.store || ctx.session().origin == Origin::kScript)) {
    r.dont_sort = false;
    r.alpha = true;
    r.by.reset();
  }
  std::vector<SortItem> items;
  int64_t start = 0, end = -1;
  if (!LoadElements(ctx, s ? s.entry : nullptr, r, &start, &end, &items)) return;
  if (!r.dont_sort) {
    bool bad_weight = false;
    for (SortItem& it : items) {
      std::optional<std::string> by_value;
      if (r.by) {
        by_value = LookupByPattern(m, *r.by, it.element);
        if (!by_value) continue;
      }
      if (r.alpha) {
        if (r.by) it.by = std::move(by_value);
      } else if (!ParseWeight(r.by ? *by_value : it.element, &it.score)) {
        bad_weight = true;
      }
    }
    if (bad_weight) return ctx.reply().Error("ERR One or more scores can't be converted into double");
  }
  const size_t first = static_cast<size_t>(std::max<int64_t>(start, 0));
  const size_t n = end >= start ? static_cast<size_t>(end - start + 1) : 0;
  // The order is sorted as indices (no item moves), as Redis sorts: with BY and a
  // window short of the whole (LIMIT), its partial quicksort, whose order of equal BY
  // values PartialQuicksort reproduces; otherwise glibc's qsort, a merge sort, so stable
  // (ALPHA BY values that compare equal keep the key's order). Without BY only equal
  // elements compare equal, so any sort gives Redis's order.
  std::vector<uint32_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  if (!r.dont_sort && n > 0) {
    auto cmp = [&](uint32_t a, uint32_t b) { return CompareItems(items[a], items[b], r); };
    if (r.by && (first != 0 || first + n != order.size())) {
      PartialQuicksort(order, cmp, first, first + n - 1);
    } else {
      std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return cmp(a, b) < 0; });
    }
  }
  if (r.store) {
    std::vector<std::string> values;
    values.reserve(n * std::max<size_t>(1, r.gets.size()));
    for (size_t i = first; i < first + n; ++i) {
      const std::string& element = items[order[i]].element;
      if (r.gets.empty()) values.push_back(element);
      for (std::string_view g : r.gets) values.push_back(LookupByPattern(m, g, element).value_or(""));
    }
    return StoreResult(ctx, m, *r.store, std::move(values));
  }
  ReplyWriter& w = ctx.reply();
  w.ArrayHeader(r.gets.empty() ? n : n * r.gets.size());
  for (size_t i = first; i < first + n; ++i) {
    const std::string& element = items[order[i]].element;
    if (r.gets.empty()) w.Bulk(element);
    for (std::string_view g : r.gets) {
      auto v = LookupByPattern(m, g, element);
      if (v) {
        w.Bulk(*v);
      } else {
        w.Null();
      }
    }
  }
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
//   [ASC | DESC] [ALPHA] [STORE destination]
void CmdSort(CommandContext& ctx) { SortGeneric(ctx, false); }
// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA]
void CmdSortRo(CommandContext& ctx) { SortGeneric(ctx, true); }

// SORT's STORE destination, the only key besides the first (Redis's sortGetKeys).
// False when a BY or GET pattern may read keys no argument names.
bool SortWrittenKeys(std::span<const std::string_view> args, std::vector<size_t>* out) {
  // Skips each option's arguments so a value that reads "store" is not taken for one.
  bool patterns = false;
  std::optional<size_t> store;
  for (size_t j = 2; j < args.size(); ++j) {
    std::string_view a = args[j];
    if (EqualsIgnoreCase(a, "LIMIT")) {
      j += 2;
    } else if (EqualsIgnoreCase(a, "GET") || EqualsIgnoreCase(a, "BY")) {
      if (j + 1 < args.size()) patterns |= args[j + 1].find('*') != std::string_view::npos;
      ++j;
    } else if (EqualsIgnoreCase(a, "STORE") && j + 1 < args.size()) {
      store = ++j;  // the last STORE wins, as in the handler
    }
  }
  if (store) out->push_back(*store);
  return !patterns;
}

}  // namespace

void RegisterSortFamily(CommandTable* t) {
  CommandSpec sort = MakeSpec("generic", "sort", -2, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, 1, 1, 1,
                              "Sort the elements in a list, set or sorted set", "1.0.0", CmdSort,
                              {"@write", "@set", "@sortedset", "@list", "@slow", "@dangerous"});
  sort.written_keys = SortWrittenKeys;
  t->Register(std::move(sort));
  t->Register(MakeSpec("generic", "sort_ro", -2, kCmdReadOnly | kCmdMovableKeys, 1, 1, 1,
                       "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", "7.0.0", CmdSortRo,
                       {"@read", "@set", "@sortedset", "@list", "@slow", "@dangerous"}));
}

}  // namespace minired
