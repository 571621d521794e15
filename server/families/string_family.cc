// Strings: GET SET SETNX SETEX PSETEX MGET MSET MSETNX GETSET GETDEL GETEX APPEND STRLEN
// GETRANGE SUBSTR SETRANGE. Counters (INCR...) are in counter_family.cc.
#include <climits>
#include <cstring>
#include <vector>

#include "server/command_table.h"
#include "server/config.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/spec.h"
#include "server/families/string_family.h"
#include "server/keyspace_events.h"

namespace minired {

std::optional<int64_t> AbsoluteExpireMs(CommandContext& ctx, ExpireUnit unit,
                                        std::string_view arg, std::string_view cmd) {
  auto v = ParseInt64(arg);
  if (!v) {
    ctx.reply().Error(errors::kNotInteger);
    return std::nullopt;
  }
  int64_t ms = *v;
  if (ms <= 0) {
    ctx.reply().Error(errors::InvalidExpire(cmd));
    return std::nullopt;
  }
  if (unit == ExpireUnit::kEx || unit == ExpireUnit::kExAt) {
    if (ms > LLONG_MAX / 1000) {
      ctx.reply().Error(errors::InvalidExpire(cmd));
      return std::nullopt;
    }
    ms *= 1000;
  }
  if (unit == ExpireUnit::kEx || unit == ExpireUnit::kPx) {
    if (ms > LLONG_MAX - ctx.now_ms()) {
      ctx.reply().Error(errors::InvalidExpire(cmd));
      return std::nullopt;
    }
    ms += ctx.now_ms();
  }
  return ms;
}

void StoreString(Db& db, Db::Slot existing, std::string_view key, uint64_t hash, int64_t now_ms,
                 std::string_view value, int64_t expire_ms, Entry::StringForm form) {
  Entry* e = Entry::NewString(key, value, expire_ms, form);
  InheritAccess(e, existing.entry, now_ms, db.access());
  if (existing) {
    db.Replace(existing, e);
  } else {
    db.Insert(e, hash);
  }
}

bool CheckStringLength(CommandContext& ctx, uint64_t len) {
  if (len > static_cast<uint64_t>(ctx.config().proto_max_bulk_len.load())) {
    ctx.reply().Error(errors::kStringTooLong);
    return false;
  }
  return true;
}

namespace {

// Replies a string entry's value; REQUIRES entry->type() == kString.
void ReplyString(CommandContext& ctx, const Entry* e) {
  if (e->is_int()) {
    ctx.reply().BulkInt(e->int_value());
  } else {
    ctx.reply().Bulk(e->str_value());
  }
}

// GET key
void CmdGet(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (!s) return ctx.reply().Null();
  if (s.entry->type() != ValueType::kString) return ctx.reply().Error(errors::kWrongType);
  ReplyString(ctx, s.entry);
}

struct SetOptions {
  bool nx = false, xx = false, get = false, keepttl = false;
  ExpireUnit unit = ExpireUnit::kNone;
  std::string_view expire_arg;
};

// Parses SET's options from argument `first`; replies a syntax error and returns false.
bool ParseSetOptions(CommandContext& ctx, size_t first, SetOptions* o) {
  for (size_t i = first; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    bool has_next = i + 1 < ctx.argc();
    auto expire = [&](ExpireUnit u) {
      if (o->keepttl || o->unit != ExpireUnit::kNone || !has_next) return false;
      o->unit = u;
      o->expire_arg = ctx.arg(++i);
      return true;
    };
    bool ok;
    if (EqualsIgnoreCase(a, "NX")) {
      ok = !o->xx;
      o->nx = true;
    } else if (EqualsIgnoreCase(a, "XX")) {
      ok = !o->nx;
      o->xx = true;
    } else if (EqualsIgnoreCase(a, "GET")) {
      ok = true;
      o->get = true;
    } else if (EqualsIgnoreCase(a, "KEEPTTL")) {
      ok = o->unit == ExpireUnit::kNone;
      o->keepttl = true;
    } else if (EqualsIgnoreCase(a, "EX")) {
      ok = expire(ExpireUnit::kEx);
    } else if (EqualsIgnoreCase(a, "PX")) {
      ok = expire(ExpireUnit::kPx);
    } else if (EqualsIgnoreCase(a, "EXAT")) {
      ok = expire(ExpireUnit::kExAt);
    } else if (EqualsIgnoreCase(a, "PXAT")) {
      ok = expire(ExpireUnit::kPxAt);
    } else {
      ok = false;
    }
    if (!ok) {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// Shared by SET, SETNX, SETEX, PSETEX, GETSET. Replies as SET would with `o`.
void SetGeneric(CommandContext& ctx, std::string_view key, std::string_view value,
                const SetOptions& o, std::string_view cmd, bool reply_int = false) {
  int64_t expire_ms = 0;
  if (o.unit != ExpireUnit::kNone) {
    auto ms = AbsoluteExpireMs(ctx, o.unit, o.expire_arg, cmd);
    if (!ms) return;
    expire_ms = *ms;
  }
  KeyAccess k(ctx, key);
  Db::Slot s = o.get ? k.FindRead() : k.FindWrite();
  if (o.get) {
    if (s && s.entry->type() != ValueType::kString) return ctx.reply().Error(errors::kWrongType);
    if (s) {
      ReplyString(ctx, s.entry);
    } else {
      ctx.reply().Null();
    }
  }
  if ((o.nx && s) || (o.xx && !s)) {
    if (reply_int) return ctx.reply().Integer(0);
    if (!o.get) ctx.reply().Null();
    return;
  }
  const bool keeps_ttl = o.keepttl && s && s.entry->has_expire();
  if (keeps_ttl) expire_ms = s.entry->expire_ms();
  // An expiry already in the past (EXAT/PXAT) is set as given, as Redis 7.0 does: the
  // key expires the next time it is looked at, with its "expired" event.
  StoreString(k, s, value, expire_ms);
  ctx.Notify(kEventString, "set", key);
  if (expire_ms != 0 && !keeps_ttl) ctx.Notify(kEventGeneric, "expire", key);
  if (reply_int) return ctx.reply().Integer(1);
  if (!o.get) ctx.reply().Ok();
}

// SET key value [NX | XX] [GET] [EX s | PX ms | EXAT ts | PXAT ts-ms | KEEPTTL]
void CmdSet(CommandContext& ctx) {
  SetOptions o;
  if (!ParseSetOptions(ctx, 3, &o)) return;
  SetGeneric(ctx, ctx.arg(1), ctx.arg(2), o, "set");
}

// SETNX key value
void CmdSetNx(CommandContext& ctx) {
  SetOptions o;
  o.nx = true;
  SetGeneric(ctx, ctx.arg(1), ctx.arg(2), o, "setnx", /*reply_int=*/true);
}

// SETEX key seconds value / PSETEX key milliseconds value
void SetExGeneric(CommandContext& ctx, ExpireUnit unit, std::string_view cmd) {
  SetOptions o;
  o.unit = unit;
  o.expire_arg = ctx.arg(2);
  SetGeneric(ctx, ctx.arg(1), ctx.arg(3), o, cmd);
}
void CmdSetEx(CommandContext& ctx) { SetExGeneric(ctx, ExpireUnit::kEx, "setex"); }
void CmdPSetEx(CommandContext& ctx) { SetExGeneric(ctx, ExpireUnit::kPx, "psetex"); }

// GETSET key value
void CmdGetSet(CommandContext& ctx) {
  SetOptions o;
  o.get = true;
  SetGeneric(ctx, ctx.arg(1), ctx.arg(2), o, "getset");
}

// MGET key [key ...]
void CmdMGet(CommandContext& ctx) {
  auto keys = ctx.args().subspan(1);
  MultiKeyAccess m(ctx, keys);
  ctx.reply().ArrayHeader(keys.size());
  for (std::string_view key : keys) {
    Db::Slot s = m.FindRead(key);
    if (!s || s.entry->type() != ValueType::kString) {
      ctx.reply().Null();
    } else {
      ReplyString(ctx, s.entry);
    }
  }
}

// MSET key value [key value ...] / MSETNX key value [key value ...]
void MSetGeneric(CommandContext& ctx, bool nx) {
  if (ctx.argc() % 2 == 0) return ctx.reply().Error(errors::WrongArity(nx ? "msetnx" : "mset"));
  std::vector<std::string_view> keys;
  for (size_t i = 1; i < ctx.argc(); i += 2) keys.push_back(ctx.arg(i));
  MultiKeyAccess m(ctx, keys);
  if (nx) {
    for (std::string_view key : keys) {
      if (m.FindWrite(key)) return ctx.reply().Integer(0);
    }
  }
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    std::string_view key = ctx.arg(i);
    uint64_t h = HashKey(key);
    Db& db = m.DbOf(h);
    Entry* e = Entry::NewString(key, ctx.arg(i + 1), 0);
    Db::Slot old = db.Find(key, h, ctx.now_ms());
    InheritAccess(e, old.entry, ctx.now_ms(), db.access());
    if (old) {
      db.Replace(old, e);
    } else {
      db.Insert(e, h);
    }
    ctx.Notify(kEventString, "set", key);
  }
  Journal::CountChanges(keys.size());
  if (nx) return ctx.reply().Integer(1);
  ctx.reply().Ok();
}
void CmdMSet(CommandContext& ctx) { MSetGeneric(ctx, false); }
void CmdMSetNx(CommandContext& ctx) { MSetGeneric(ctx, true); }

// GETDEL key
void CmdGetDel(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (!s) return ctx.reply().Null();
  if (s.entry->type() != ValueType::kString) return ctx.reply().Error(errors::kWrongType);
  ReplyString(ctx, s.entry);
  k.db().Erase(s);
  ctx.Notify(kEventGeneric, "del", k.key());
}

// GETEX key [EX s | PX ms | EXAT ts | PXAT ts-ms | PERSIST]
void CmdGetEx(CommandContext& ctx) {
  ExpireUnit unit = ExpireUnit::kNone;
  bool persist = false;
  std::string_view expire_arg;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    bool has_next = i + 1 < ctx.argc();
    ExpireUnit u = ExpireUnit::kNone;
    if (EqualsIgnoreCase(a, "EX")) u = ExpireUnit::kEx;
    else if (EqualsIgnoreCase(a, "PX")) u = ExpireUnit::kPx;
    else if (EqualsIgnoreCase(a, "EXAT")) u = ExpireUnit::kExAt;
    else if (EqualsIgnoreCase(a, "PXAT")) u = ExpireUnit::kPxAt;
    if (u != ExpireUnit::kNone && unit == ExpireUnit::kNone && !persist && has_next) {
      unit = u;
      expire_arg = ctx.arg(++i);
    } else if (EqualsIgnoreCase(a, "PERSIST") && unit == ExpireUnit::kNone && !persist) {
      persist = true;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  // Redis looks the key up and checks its type before it validates the expiry.
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (!s) return ctx.reply().Null();
  if (s.entry->type() != ValueType::kString) return ctx.reply().Error(errors::kWrongType);
  int64_t expire_ms = 0;
  if (unit != ExpireUnit::kNone) {
    auto ms = AbsoluteExpireMs(ctx, unit, expire_arg, "getex");
    if (!ms) return;
    expire_ms = *ms;
  }
  ReplyString(ctx, s.entry);
  if (expire_ms != 0 && expire_ms <= ctx.now_ms()) {
    k.db().Erase(s);
    ctx.Notify(kEventGeneric, "del", k.key());
  } else if (expire_ms != 0) {
    k.db().SetExpire(&s, expire_ms);
    ctx.Notify(kEventGeneric, "expire", k.key());
  } else if (persist && s.entry->has_expire()) {
    k.db().SetExpire(&s, 0);
    ctx.Notify(kEventGeneric, "persist", k.key());
  }
}

// APPEND key value
void CmdAppend(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  std::string_view add = ctx.arg(2);
  if (!s) {
    // A new key holds the argument as SET would store it (Redis adds the argument's
    // object, int or embstr by its text); only an append to a value makes it raw.
    StoreString(k, s, add, 0, Entry::StringForm::kAuto);
    ctx.Notify(kEventString, "append", k.key());
    return ctx.reply().Integer(static_cast<int64_t>(add.size()));
  }
  if (s.entry->type() != ValueType::kString) return ctx.reply().Error(errors::kWrongType);
  char scratch[kMaxInt64Chars];
  std::string_view cur = s.entry->StringView(scratch);
  if (!CheckStringLength(ctx, cur.size() + add.size())) return;
  std::string joined;
  joined.reserve(cur.size() + add.size());
  joined.append(cur).append(add);
  StoreString(k, s, joined, s.entry->expire_ms(), Entry::StringForm::kRaw);
  ctx.Notify(kEventString, "append", k.key());
  ctx.reply().Integer(static_cast<int64_t>(joined.size()));
}

// STRLEN key
void CmdStrLen(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (!s) return ctx.reply().Integer(0);
  if (s.entry->type() != ValueType::kString) return ctx.reply().Error(errors::kWrongType);
  ctx.reply().Integer(static_cast<int64_t>(s.entry->StringLength()));
}

// GETRANGE key start end (SUBSTR is its old name)
void CmdGetRange(CommandContext& ctx) {
  auto start = IntArg(ctx, ctx.arg(2));
  if (!start) return;
  auto end = IntArg(ctx, ctx.arg(3));
  if (!end) return;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (!s) return ctx.reply().Bulk("");
  if (s.entry->type() != ValueType::kString) return ctx.reply().Error(errors::kWrongType);
  char scratch[kMaxInt64Chars];
  std::string_view v = s.entry->StringView(scratch);
  int64_t len = static_cast<int64_t>(v.size());
  int64_t a = *start, b = *end;
  if (a < 0 && b < 0 && a > b) return ctx.reply().Bulk("");
  if (a < 0) a += len;
  if (b < 0) b += len;
  if (a < 0) a = 0;
  if (b < 0) b = 0;
  if (b >= len) b = len - 1;
  if (len == 0 || a > b) return ctx.reply().Bulk("");
  ctx.reply().Bulk(v.substr(static_cast<size_t>(a), static_cast<size_t>(b - a + 1)));
}

// SETRANGE key offset value
void CmdSetRange(CommandContext& ctx) {
  auto offset = IntArg(ctx, ctx.arg(2));
  if (!offset) return;
  if (*offset < 0) return ctx.reply().Error(errors::kOffsetOutOfRange);
  std::string_view patch = ctx.arg(3);
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (s && s.entry->type() != ValueType::kString) return ctx.reply().Error(errors::kWrongType);
  char scratch[kMaxInt64Chars];
  std::string_view cur = s ? s.entry->StringView(scratch) : std::string_view();
  if (patch.empty()) return ctx.reply().Integer(static_cast<int64_t>(cur.size()));
  uint64_t need = static_cast<uint64_t>(*offset) + patch.size();
  if (!CheckStringLength(ctx, need)) return;
  size_t off = static_cast<size_t>(*offset);
  if (s && !s.entry->is_int() && need <= cur.size() && s.entry->encoding() == Encoding::kRaw) {
    memcpy(s.entry->mutable_str_data() + off, patch.data(), patch.size());  // in place
    k.db().NoteWrite(k.key());
    ctx.Notify(kEventString, "setrange", k.key());
    return ctx.reply().Integer(static_cast<int64_t>(cur.size()));
  }
  std::string value(cur);
  if (value.size() < need) value.resize(need, '\0');
  value.replace(off, patch.size(), patch);
  StoreString(k, s, value, s ? s.entry->expire_ms() : 0, Entry::StringForm::kRaw);
  ctx.Notify(kEventString, "setrange", k.key());
  ctx.reply().Integer(static_cast<int64_t>(value.size()));
}

}  // namespace

constexpr TypeFamily kStringFamily{"string", "@string"};

void RegisterStringFamily(CommandTable* t) {
  const uint32_t r = kCmdReadOnly | kCmdFast, w = kCmdWrite | kCmdDenyOom;
  t->Register(kStringFamily.Spec("get", 2, r, 1, 1, 1, "Returns the string value of a key.", "1.0.0", CmdGet, {"@read", "@fast"}));
  t->Register(kStringFamily.Spec("set", -3, w, 1, 1, 1, "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", "1.0.0", CmdSet, {"@write", "@slow"}));
  t->Register(kStringFamily.Spec("setnx", 3, w | kCmdFast, 1, 1, 1, "Set the string value of a key only when the key doesn't exist.", "1.0.0", CmdSetNx, {"@write", "@fast"}));
  t->Register(kStringFamily.Spec("setex", 4, w, 1, 1, 1, "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", "2.0.0", CmdSetEx, {"@write", "@slow"}));
  t->Register(kStringFamily.Spec("psetex", 4, w, 1, 1, 1, "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", "2.6.0", CmdPSetEx, {"@write", "@slow"}));
  t->Register(kStringFamily.Spec("getset", 3, w | kCmdFast, 1, 1, 1, "Returns the previous string value of a key after setting it to a new value.", "1.0.0", CmdGetSet, {"@write", "@fast"}));
  t->Register(kStringFamily.Spec("mget", -2, r, 1, -1, 1, "Atomically returns the string values of one or more keys.", "1.0.0", CmdMGet, {"@read", "@fast"}));
  t->Register(kStringFamily.Spec("mset", -3, w, 1, -1, 2, "Atomically creates or modifies the string values of one or more keys.", "1.0.1", CmdMSet, {"@write", "@slow"}));
  t->Register(kStringFamily.Spec("msetnx", -3, w, 1, -1, 2, "Atomically modifies the string values of one or more keys only when all keys don't exist.", "1.0.1", CmdMSetNx, {"@write", "@slow"}));
  t->Register(kStringFamily.Spec("getdel", 2, kCmdWrite | kCmdFast, 1, 1, 1, "Returns the string value of a key after deleting the key.", "6.2.0", CmdGetDel, {"@write", "@fast"}));
  t->Register(kStringFamily.Spec("getex", -2, kCmdWrite | kCmdFast, 1, 1, 1, "Returns the string value of a key after setting its expiration time.", "6.2.0", CmdGetEx, {"@write", "@fast"}));
  t->Register(kStringFamily.Spec("append", 3, w | kCmdFast, 1, 1, 1, "Appends a string to the value of a key. Creates the key if it doesn't exist.", "2.0.0", CmdAppend, {"@write", "@fast"}));
  t->Register(kStringFamily.Spec("strlen", 2, r, 1, 1, 1, "Returns the length of a string value.", "2.2.0", CmdStrLen, {"@read", "@fast"}));
  t->Register(kStringFamily.Spec("getrange", 4, kCmdReadOnly, 1, 1, 1, "Returns a substring of the string stored at a key.", "2.4.0", CmdGetRange, {"@read", "@slow"}));
  t->Register(kStringFamily.Spec("substr", 4, kCmdReadOnly, 1, 1, 1, "Returns a substring from a string value.", "1.0.0", CmdGetRange, {"@read", "@slow"}));
  t->Register(kStringFamily.Spec("setrange", 4, w, 1, 1, 1, "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", "2.2.0", CmdSetRange, {"@write", "@slow"}));
}

}  // namespace minired
