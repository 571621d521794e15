// Counters: INCR DECR INCRBY DECRBY INCRBYFLOAT. Integer-encoded values are updated in
// place (no allocation), which is what makes counters cheap.
#include <climits>
#include <cmath>

#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/spec.h"
#include "server/keyspace_events.h"

namespace minired {
namespace {

void IncrBy(CommandContext& ctx, int64_t by) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (s && s.entry->type() != ValueType::kString) return ctx.reply().Error(errors::kWrongType);
  int64_t cur = 0;
  if (s) {
    if (s.entry->is_int()) {
      cur = s.entry->int_value();
    } else {
      auto parsed = ParseInt64(s.entry->str_value());
      if (!parsed) return ctx.reply().Error(errors::kNotInteger);
      cur = *parsed;
    }
  }
  if ((by < 0 && cur < 0 && by < LLONG_MIN - cur) || (by > 0 && cur > 0 && by > LLONG_MAX - cur)) {
    return ctx.reply().Error(errors::kOverflow);
  }
  int64_t next = cur + by;
  if (s && s.entry->is_int()) {
    s.entry->set_int_value(next);
    k.db().NoteWrite(k.key());
  } else {
    Entry* e = Entry::NewInt(k.key(), next, s ? s.entry->expire_ms() : 0);
    InheritAccess(e, s.entry, ctx.now_ms(), k.db().access());
    if (s) {
      k.db().Replace(s, e);
    } else {
      k.db().Insert(e, k.hash());
    }
  }
  ctx.Notify(kEventString, "incrby", k.key());
  ctx.reply().Integer(next);
}

// INCR key / DECR key
void CmdIncr(CommandContext& ctx) { IncrBy(ctx, 1); }
void CmdDecr(CommandContext& ctx) { IncrBy(ctx, -1); }

// INCRBY key increment
void CmdIncrBy(CommandContext& ctx) {
  if (auto by = IntArg(ctx, ctx.arg(2))) IncrBy(ctx, *by);
}

// DECRBY key decrement
void CmdDecrBy(CommandContext& ctx) {
  auto by = IntArg(ctx, ctx.arg(2));
  if (!by) return;
  if (*by == LLONG_MIN) return ctx.reply().Error("ERR decrement would overflow");
  IncrBy(ctx, -*by);
}

// INCRBYFLOAT key increment
void CmdIncrByFloat(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (s && s.entry->type() != ValueType::kString) return ctx.reply().Error(errors::kWrongType);
  long double cur = 0;
  if (s) {
    char scratch[kMaxInt64Chars];
    auto parsed = ParseLongDouble(s.entry->StringView(scratch));
    if (!parsed) return ctx.reply().Error(errors::kNotFloat);
    cur = *parsed;
  }
  auto by = ParseLongDouble(ctx.arg(2));
  if (!by) return ctx.reply().Error(errors::kNotFloat);
  long double next = cur + *by;
  if (std::isnan(next) || std::isinf(next)) return ctx.reply().Error(errors::kNanOrInfinity);
  std::string text = FormatLongDoubleHuman(next);
  Entry* e = Entry::NewString(k.key(), text, s ? s.entry->expire_ms() : 0, Entry::StringForm::kText);
  InheritAccess(e, s.entry, ctx.now_ms(), k.db().access());
  if (s) {
    k.db().Replace(s, e);
  } else {
    k.db().Insert(e, k.hash());
  }
  ctx.Notify(kEventString, "incrbyfloat", k.key());
  ctx.reply().Bulk(text);
}

}  // namespace

void RegisterCounterFamily(CommandTable* t) {
  const uint32_t w = kCmdWrite | kCmdDenyOom | kCmdFast;
  const std::vector<std::string> acl = {"@write", "@string", "@fast"};
  t->Register(MakeSpec("string", "incr", 2, w, 1, 1, 1, "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "1.0.0", CmdIncr, acl));
  t->Register(MakeSpec("string", "decr", 2, w, 1, 1, 1, "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "1.0.0", CmdDecr, acl));
  t->Register(MakeSpec("string", "incrby", 3, w, 1, 1, 1, "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "1.0.0", CmdIncrBy, acl));
  t->Register(MakeSpec("string", "decrby", 3, w, 1, 1, 1, "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", "1.0.0", CmdDecrBy, acl));
  t->Register(MakeSpec("string", "incrbyfloat", 3, w, 1, 1, 1, "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "2.6.0", CmdIncrByFloat, acl));
}

}  // namespace minired
