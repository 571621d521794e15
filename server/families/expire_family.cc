// Expiry commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT) TTL PTTL EXPIRETIME
// PEXPIRETIME PERSIST. Expiry times are stored absolute, in ms since the epoch.
#include <climits>

#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/spec.h"
#include "server/keyspace_events.h"

namespace minired {
namespace {

enum ExpireFlag { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

// EXPIRE key seconds [NX | XX | GT | LT] and its PEXPIRE/EXPIREAT/PEXPIREAT siblings.
void ExpireGeneric(CommandContext& ctx, bool seconds, bool absolute, const char* cmd) {
  int flags = 0;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view o = ctx.arg(i);
    if (EqualsIgnoreCase(o, "NX")) flags |= kNx;
    else if (EqualsIgnoreCase(o, "XX")) flags |= kXx;
    else if (EqualsIgnoreCase(o, "GT")) flags |= kGt;
    else if (EqualsIgnoreCase(o, "LT")) flags |= kLt;
    else return ctx.reply().Error("ERR Unsupported option " + std::string(o));
  }
  if ((flags & kNx) && (flags & (kXx | kGt | kLt))) {
    return ctx.reply().Error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if ((flags & kGt) && (flags & kLt)) {
    return ctx.reply().Error("ERR GT and LT options at the same time are not compatible");
  }
  auto when = IntArg(ctx, ctx.arg(2));
  if (!when) return;
  int64_t ms = *when;
  if (seconds) {
    if (ms > LLONG_MAX / 1000 || ms < LLONG_MIN / 1000) return ctx.reply().Error(errors::InvalidExpire(cmd));
    ms *= 1000;
  }
  int64_t base = absolute ? 0 : ctx.now_ms();
  if (ms > LLONG_MAX - base) return ctx.reply().Error(errors::InvalidExpire(cmd));
  ms += base;

  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (!s) return ctx.reply().Integer(0);
  if (flags) {
    int64_t cur = s.entry->has_expire() ? s.entry->expire_ms() : -1;
    if ((flags & kNx) && cur != -1) return ctx.reply().Integer(0);
    if ((flags & kXx) && cur == -1) return ctx.reply().Integer(0);
    if ((flags & kGt) && (cur == -1 || ms <= cur)) return ctx.reply().Integer(0);
    if ((flags & kLt) && cur != -1 && ms >= cur) return ctx.reply().Integer(0);
  }
  if (ms <= ctx.now_ms()) {
    k.db().Erase(s);  // an expiry in the past deletes the key now
    ctx.Notify(kEventGeneric, "del", k.key());
  } else {
    k.db().SetExpire(&s, ms);
    ctx.Notify(kEventGeneric, "expire", k.key());
  }
  ctx.reply().Integer(1);
}

void CmdExpire(CommandContext& ctx) { ExpireGeneric(ctx, true, false, "expire"); }
void CmdPExpire(CommandContext& ctx) { ExpireGeneric(ctx, false, false, "pexpire"); }
void CmdExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, true, true, "expireat"); }
void CmdPExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, false, true, "pexpireat"); }

enum class TtlForm { kTtl, kPTtl, kExpireTime, kPExpireTime };

// TTL key / PTTL key / EXPIRETIME key / PEXPIRETIME key: -2 missing, -1 no expiry.
void TtlGeneric(CommandContext& ctx, TtlForm form) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = LookupReadNoTouch(k.db(), k.key(), k.hash(), ctx.now_ms());
  if (!s) return ctx.reply().Integer(-2);
  if (!s.entry->has_expire()) return ctx.reply().Integer(-1);
  int64_t at = s.entry->expire_ms();
  int64_t left = std::max<int64_t>(at - ctx.now_ms(), 0);
  switch (form) {
    case TtlForm::kTtl: return ctx.reply().Integer((left + 500) / 1000);
    case TtlForm::kPTtl: return ctx.reply().Integer(left);
    case TtlForm::kExpireTime: return ctx.reply().Integer((at + 500) / 1000);
    case TtlForm::kPExpireTime: return ctx.reply().Integer(at);
  }
}

void CmdTtl(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kTtl); }
void CmdPTtl(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kPTtl); }
void CmdExpireTime(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kExpireTime); }
void CmdPExpireTime(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kPExpireTime); }

// PERSIST key
void CmdPersist(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (!s || !s.entry->has_expire()) return ctx.reply().Integer(0);
  k.db().SetExpire(&s, 0);
  ctx.Notify(kEventGeneric, "persist", k.key());
  ctx.reply().Integer(1);
}

}  // namespace

void RegisterExpireFamily(CommandTable* t) {
  const char* g = "generic";
  const uint32_t w = kCmdWrite | kCmdFast, r = kCmdReadOnly | kCmdFast;
  const std::vector<std::string> wa = {"@keyspace", "@write", "@fast"};
  const std::vector<std::string> ra = {"@keyspace", "@read", "@fast"};
  t->Register(MakeSpec(g, "expire", -3, w, 1, 1, 1, "Sets the expiration time of a key in seconds.", "1.0.0", CmdExpire, wa));
  t->Register(MakeSpec(g, "pexpire", -3, w, 1, 1, 1, "Sets the expiration time of a key in milliseconds.", "2.6.0", CmdPExpire, wa));
  t->Register(MakeSpec(g, "expireat", -3, w, 1, 1, 1, "Sets the expiration time of a key to a Unix timestamp.", "1.2.0", CmdExpireAt, wa));
  t->Register(MakeSpec(g, "pexpireat", -3, w, 1, 1, 1, "Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0", CmdPExpireAt, wa));
  t->Register(MakeSpec(g, "ttl", 2, r, 1, 1, 1, "Returns the expiration time in seconds of a key.", "1.0.0", CmdTtl, ra));
  t->Register(MakeSpec(g, "pttl", 2, r, 1, 1, 1, "Returns the expiration time in milliseconds of a key.", "2.6.0", CmdPTtl, ra));
  t->Register(MakeSpec(g, "expiretime", 2, r, 1, 1, 1, "Returns the expiration time of a key as a Unix timestamp.", "7.0.0", CmdExpireTime, ra));
  t->Register(MakeSpec(g, "pexpiretime", 2, r, 1, 1, 1, "Returns the expiration time of a key as a Unix milliseconds timestamp.", "7.0.0", CmdPExpireTime, ra));
  t->Register(MakeSpec(g, "persist", 2, w, 1, 1, 1, "Removes the expiration time of a key.", "2.2.0", CmdPersist, wa));
}

}  // namespace minired
