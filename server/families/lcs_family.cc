// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common
// subsequence of two strings, as Redis 7.0's lcsCommand computes it (the classic
// dynamic-programming table, walked back from its corner). The same walk gives the
// same string and the same match ranges as Redis, so clients comparing replies see
// no difference; the table's size is held to proto-max-bulk-len, as Redis's guard.
#include <cstdint>
#include <string>
#include <vector>

#include "server/command_table.h"
#include "server/config.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/spec.h"

namespace minired {
namespace {

struct LcsOptions {
  bool len = false;
  bool idx = false;
  bool with_match_len = false;
  int64_t min_match_len = 0;
};

// One match range, in both strings, both ends inclusive.
struct LcsMatch {
  uint32_t a_start, a_end, b_start, b_end;
};

bool ParseLcsOptions(CommandContext& ctx, LcsOptions* o) {
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    const bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "IDX")) {
      o->idx = true;
    } else if (EqualsIgnoreCase(opt, "LEN")) {
      o->len = true;
    } else if (EqualsIgnoreCase(opt, "WITHMATCHLEN")) {
      o->with_match_len = true;
    } else if (EqualsIgnoreCase(opt, "MINMATCHLEN") && more) {
      auto v = IntArg(ctx, ctx.arg(++j));
      if (!v) return false;
      o->min_match_len = *v < 0 ? 0 : *v;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  if (o->idx && o->len) {
    ctx.reply().Error("ERR If you want both the length and indexes, please just use IDX.");
    return false;
  }
  return true;
}

void ReplyMatches(ReplyWriter& w, const std::vector<LcsMatch>& matches, bool with_len, uint32_t total) {
  w.MapHeader(2);
  w.Bulk("matches");
  w.ArrayHeader(matches.size());
  for (const LcsMatch& m : matches) {
    w.ArrayHeader(with_len ? 3 : 2);
    w.ArrayHeader(2);
    w.Integer(m.a_start);
    w.Integer(m.a_end);
    w.ArrayHeader(2);
    w.Integer(m.b_start);
    w.Integer(m.b_end);
    if (with_len) w.Integer(m.a_end - m.a_start + 1);
  }
  w.Bulk("len");
  w.Integer(total);
}

void CmdLcs(CommandContext& ctx) {
  std::string a, b;
  {
    std::string_view keys[] = {ctx.arg(1), ctx.arg(2)};
    MultiKeyAccess m(ctx, keys);
    Db::Slot sa = m.FindRead(ctx.arg(1));
    Db::Slot sb = m.FindRead(ctx.arg(2));
    if ((sa && sa.entry->type() != ValueType::kString) || (sb && sb.entry->type() != ValueType::kString)) {
      return ctx.reply().Error("ERR The specified keys must contain string values");
    }
    char scratch[kMaxInt64Chars];
    if (sa) a = sa.entry->StringView(scratch);
    if (sb) b = sb.entry->StringView(scratch);
  }  // the table is built without holding the shards
  LcsOptions o;
  if (!ParseLcsOptions(ctx, &o)) return;
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) return ctx.reply().Error("ERR String too long for LCS");
  const uint64_t alen = a.size(), blen = b.size();
  const uint64_t cells = (alen + 1) * (blen + 1);
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(ctx.config().proto_max_bulk_len.load())) {
    return ctx.reply().Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  std::vector<uint32_t> table(cells, 0);
  auto at = [&](uint64_t i, uint64_t j) -> uint32_t& { return table[j + i * (blen + 1)]; };
  for (uint64_t i = 1; i <= alen; ++i) {
    for (uint64_t j = 1; j <= blen; ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  const uint32_t total = at(alen, blen);
  if (o.len) return ctx.reply().Integer(total);

  // Walk back from the corner, building the string from its end and closing a range
  // when the match run breaks or reaches the start of either string (Redis's order).
  std::string result(total, '\0');
  std::vector<LcsMatch> matches;
  uint32_t idx = total;
  const auto unset = static_cast<uint32_t>(alen);
  LcsMatch cur{unset, 0, 0, 0};
  uint64_t i = alen, j = blen;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (cur.a_start == unset) {
        cur = {static_cast<uint32_t>(i - 1), static_cast<uint32_t>(i - 1), static_cast<uint32_t>(j - 1),
               static_cast<uint32_t>(j - 1)};
      } else if (cur.a_start == i && cur.b_start == j) {
        --cur.a_start;
        --cur.b_start;
      } else {
        emit = true;
      }
      if (cur.a_start == 0 || cur.b_start == 0) emit = true;
      --idx;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (cur.a_start != unset) emit = true;
    }
    if (emit) {
      const uint64_t match_len = cur.a_end - cur.a_start + 1;
      if (o.idx && (o.min_match_len == 0 || match_len >= static_cast<uint64_t>(o.min_match_len))) {
        matches.push_back(cur);
      }
      cur.a_start = unset;
    }
  }
  if (o.idx) return ReplyMatches(ctx.reply(), matches, o.with_match_len, total);
  ctx.reply().Bulk(result);
}

}  // namespace

void RegisterLcsFamily(CommandTable* t) {
  constexpr TypeFamily kString{"string", "@string"};
  t->Register(kString.Spec("lcs", -3, kCmdReadOnly, 1, 2, "Find longest common substring", "7.0.0", CmdLcs,
                           {"@read", "@slow"}));
}

}  // namespace minired
