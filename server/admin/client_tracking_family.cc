// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO, with Redis 7.0's checks in its
// order and its error texts (the table itself: server/client_tracking.h).
#include "server/admin/client_tracking_family.h"

#include <vector>

#include "protocol/numbers.h"
#include "server/client_tracking.h"
#include "server/errors.h"
#include "server/families/arg_parsing.h"
#include "server/server.h"

namespace minired {
namespace {

// CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP]
void ClientTrackingCmd(CommandContext& ctx) {
  ClientInfo& me = *ctx.session().info;
  int64_t redirect = 0;
  uint32_t options = 0;
  std::vector<std::string> prefixes;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    const bool more = j + 1 < ctx.argc();
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "REDIRECT") && more) {
      ++j;
      if (redirect != 0) return ctx.reply().Error("ERR A client can only redirect to a single other client");
      std::optional<int64_t> id = ParseInt64(ctx.arg(j));
      if (!id) return ctx.reply().Error(errors::kNotInteger);
      // The target must exist now (it may still go away later: the redirect breaks).
      if (*id <= 0 || ctx.server().clients().Find(static_cast<uint64_t>(*id)) == nullptr) {
        return ctx.reply().Error("ERR The client ID you want redirect to does not exist");
      }
      redirect = *id;
    } else if (EqualsIgnoreCase(opt, "BCAST")) {
      options |= kTrackingBcast;
    } else if (EqualsIgnoreCase(opt, "OPTIN")) {
      options |= kTrackingOptin;
    } else if (EqualsIgnoreCase(opt, "OPTOUT")) {
      options |= kTrackingOptout;
    } else if (EqualsIgnoreCase(opt, "NOLOOP")) {
      options |= kTrackingNoloop;
    } else if (EqualsIgnoreCase(opt, "PREFIX") && more) {
      prefixes.emplace_back(ctx.arg(++j));
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  if (EqualsIgnoreCase(ctx.arg(2), "OFF")) {
    ctx.server().tracking().Disable(me);
    return ctx.reply().Ok();
  }
  if (!EqualsIgnoreCase(ctx.arg(2), "ON")) return ctx.reply().Error(errors::kSyntax);
  const uint32_t now = me.tracking.load();
  if (!(options & kTrackingBcast) && !prefixes.empty()) {
    return ctx.reply().Error("ERR PREFIX option requires BCAST mode to be enabled");
  }
  if ((now & kTrackingOn) && !!(now & kTrackingBcast) != !!(options & kTrackingBcast)) {
    return ctx.reply().Error(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it "
        "with a different mode.");
  }
  if ((options & kTrackingBcast) && (options & (kTrackingOptin | kTrackingOptout))) {
    return ctx.reply().Error("ERR OPTIN and OPTOUT are not compatible with BCAST");
  }
  if ((options & kTrackingOptin) && (options & kTrackingOptout)) {
    return ctx.reply().Error("ERR You can't specify both OPTIN mode and OPTOUT mode");
  }
  if (((options & kTrackingOptin) && (now & kTrackingOptout)) || ((options & kTrackingOptout) && (now & kTrackingOptin))) {
    return ctx.reply().Error(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it "
        "with a different mode.");
  }
  std::string error = ctx.server().tracking().Enable(me, static_cast<uint64_t>(redirect), options, prefixes);
  if (!error.empty()) return ctx.reply().Error(error);
  ctx.reply().Ok();
}

// CLIENT CACHING YES|NO: whether the next command's reads are tracked (OPTIN / OPTOUT).
void ClientCaching(CommandContext& ctx) {
  ClientInfo& me = *ctx.session().info;
  const uint32_t now = me.tracking.load();
  if (!(now & kTrackingOn)) {
    return ctx.reply().Error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
  }
  std::string_view opt = ctx.arg(2);
  if (EqualsIgnoreCase(opt, "YES")) {
    if (!(now & kTrackingOptin)) {
      return ctx.reply().Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
    }
  } else if (EqualsIgnoreCase(opt, "NO")) {
    if (!(now & kTrackingOptout)) {
      return ctx.reply().Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
    }
  } else {
    return ctx.reply().Error(errors::kSyntax);
  }
  me.tracking_caching.store(true);
  ctx.reply().Ok();
}

void ClientTrackingInfo(CommandContext& ctx) {
  const ClientInfo& me = *ctx.session().info;
  const uint32_t f = me.tracking.load();
  const bool caching = me.tracking_caching.load();
  std::vector<const char*> flags;
  if (!(f & kTrackingOn)) {
    flags.push_back("off");
  } else {
    flags.push_back("on");
    if (f & kTrackingBcast) flags.push_back("bcast");
    if (f & kTrackingOptin) {
      flags.push_back("optin");
      if (caching) flags.push_back("caching-yes");
    }
    if (f & kTrackingOptout) {
      flags.push_back("optout");
      if (caching) flags.push_back("caching-no");
    }
    if (f & kTrackingNoloop) flags.push_back("noloop");
    if (f & kTrackingBrokenRedirect) flags.push_back("broken_redirect");
  }
  ReplyWriter& r = ctx.reply();
  r.MapHeader(3);
  r.Bulk("flags");
  r.SetHeader(flags.size());
  for (const char* flag : flags) r.Bulk(flag);
  r.Bulk("redirect");
  r.Integer((f & kTrackingOn) ? static_cast<int64_t>(me.tracking_redirect.load()) : -1);
  r.Bulk("prefixes");
  std::vector<std::string> prefixes = ctx.server().tracking().Prefixes(me.id);
  r.ArrayHeader(prefixes.size());
  for (const auto& p : prefixes) r.Bulk(p);
}

}  // namespace

bool RunClientTrackingSubcommand(CommandContext& ctx, std::string_view sub) {
  const bool ours = EqualsIgnoreCase(sub, "TRACKING") || EqualsIgnoreCase(sub, "CACHING") ||
                    EqualsIgnoreCase(sub, "GETREDIR") || EqualsIgnoreCase(sub, "TRACKINGINFO");
  if (!ours) return false;
  if (ctx.session().info == nullptr) {
    ctx.reply().Error("ERR client tracking needs a client connection");
    return true;
  }
  if (EqualsIgnoreCase(sub, "TRACKING")) {
    ClientTrackingCmd(ctx);
  } else if (EqualsIgnoreCase(sub, "CACHING")) {
    ClientCaching(ctx);
  } else if (EqualsIgnoreCase(sub, "GETREDIR")) {
    const ClientInfo& me = *ctx.session().info;
    ctx.reply().Integer((me.tracking.load() & kTrackingOn) ? static_cast<int64_t>(me.tracking_redirect.load()) : -1);
  } else if (EqualsIgnoreCase(sub, "TRACKINGINFO")) {
    ClientTrackingInfo(ctx);
  } else {
    return false;
  }
  return true;
}

}  // namespace minired
