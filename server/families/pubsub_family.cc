// Pub/sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB.
// Confirmations are push messages in RESP3 and arrays in RESP2, as Redis sends them.
#include <vector>

#include "server/command_table.h"
#include "server/config.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/spec.h"
#include "server/pubsub.h"

namespace minired {
namespace {

void ReplyConfirmation(CommandContext& ctx, std::string_view kind, const std::string* name) {
  Session& s = ctx.session();
  ctx.reply().PushHeader(3);
  ctx.reply().Bulk(kind);
  name ? ctx.reply().Bulk(*name) : ctx.reply().Null();
  ctx.reply().Integer(static_cast<int64_t>(s.subs.count()));
}

void UpdateCounts(Session& s) {
  if (!s.info) return;
  s.info->sub.store(static_cast<int>(s.subs.channels.size()), std::memory_order_relaxed);
  s.info->psub.store(static_cast<int>(s.subs.patterns.size()), std::memory_order_relaxed);
}

std::shared_ptr<Subscriber> SubscriberOf(CommandContext& ctx) {
  if (ctx.session().hooks) return ctx.session().hooks->subscriber();
  static auto detached = std::make_shared<Subscriber>();  // in-process: nowhere to deliver
  return detached;
}

// SUBSCRIBE channel [channel ...] / PSUBSCRIBE pattern [pattern ...]
void SubscribeGeneric(CommandContext& ctx, bool pattern) {
  Session& s = ctx.session();
  auto sub = SubscriberOf(ctx);
  auto& set = pattern ? s.subs.patterns : s.subs.channels;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string name(ctx.arg(i));
    if (set.insert(name).second) {
      pattern ? ctx.pubsub().PSubscribe(sub, name) : ctx.pubsub().Subscribe(sub, name);
    }
    UpdateCounts(s);
    ReplyConfirmation(ctx, pattern ? "psubscribe" : "subscribe", &name);
  }
}
void CmdSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, false); }
void CmdPSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, true); }

// UNSUBSCRIBE [channel ...] / PUNSUBSCRIBE [pattern ...]: no names means all of them.
void UnsubscribeGeneric(CommandContext& ctx, bool pattern) {
  Session& s = ctx.session();
  auto& set = pattern ? s.subs.patterns : s.subs.channels;
  const char* kind = pattern ? "punsubscribe" : "unsubscribe";
  std::vector<std::string> names;
  if (ctx.argc() == 1) {
    names.assign(set.begin(), set.end());
    if (names.empty()) return ReplyConfirmation(ctx, kind, nullptr);
  } else {
    for (size_t i = 1; i < ctx.argc(); ++i) names.emplace_back(ctx.arg(i));
  }
  Subscriber* sub = s.hooks ? s.hooks->subscriber().get() : nullptr;
  for (const auto& name : names) {
    if (set.erase(name) && sub) {
      pattern ? ctx.pubsub().PUnsubscribe(sub, name) : ctx.pubsub().Unsubscribe(sub, name);
    }
    UpdateCounts(s);
    ReplyConfirmation(ctx, kind, &name);
  }
}
void CmdUnsubscribe(CommandContext& ctx) { UnsubscribeGeneric(ctx, false); }
void CmdPUnsubscribe(CommandContext& ctx) { UnsubscribeGeneric(ctx, true); }

// PUBLISH channel message
void CmdPublish(CommandContext& ctx) {
  ctx.reply().Integer(static_cast<int64_t>(ctx.pubsub().Publish(ctx.arg(1), ctx.arg(2))));
}

// PUBSUB CHANNELS [pattern] | NUMSUB [channel ...] | NUMPAT | HELP
void CmdPubSub(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  PubSub& ps = ctx.pubsub();
  if (EqualsIgnoreCase(sub, "HELP") && ctx.argc() == 2) {
    static const char* kHelp[] = {
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    };
    return ReplyHelp(ctx, kHelp);
  }
  if (EqualsIgnoreCase(sub, "CHANNELS")) {
    if (!CheckSubcommandArity(ctx, "pubsub", sub, ctx.argc() <= 3)) return;
    auto channels = ps.Channels(ctx.argc() == 3 ? ctx.arg(2) : "*", ctx.argc() == 2);
    ctx.reply().ArrayHeader(channels.size());
    for (const auto& c : channels) ctx.reply().Bulk(c);
  } else if (EqualsIgnoreCase(sub, "NUMSUB")) {
    ctx.reply().MapHeader(ctx.argc() - 2);
    for (size_t i = 2; i < ctx.argc(); ++i) {
      ctx.reply().Bulk(ctx.arg(i));
      ctx.reply().Integer(static_cast<int64_t>(ps.NumSub(ctx.arg(i))));
    }
  } else if (EqualsIgnoreCase(sub, "NUMPAT")) {
    ctx.reply().Integer(static_cast<int64_t>(ps.NumPat()));
  } else {
    ctx.reply().Error(errors::UnknownSubcommand(sub, "PUBSUB"));
  }
}

}  // namespace

void UnsubscribeAll(PubSub& pubsub, Session& s) {
  Subscriber* sub = s.hooks && s.subs.count() > 0 ? s.hooks->subscriber().get() : nullptr;
  if (sub) {
    for (const auto& c : s.subs.channels) pubsub.Unsubscribe(sub, c);
    for (const auto& p : s.subs.patterns) pubsub.PUnsubscribe(sub, p);
  }
  s.subs.channels.clear();
  s.subs.patterns.clear();
  UpdateCounts(s);
}

void RegisterPubSubFamily(CommandTable* t) {
  const char* g = "pubsub";
  const uint32_t f = kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale;
  t->Register(MakeSpec(g, "subscribe", -2, f, 0, 0, 0, "Listens for messages published to channels.", "2.0.0", CmdSubscribe, {"@pubsub", "@slow"}));
  t->Register(MakeSpec(g, "unsubscribe", -1, f, 0, 0, 0, "Stops listening to messages posted to channels.", "2.0.0", CmdUnsubscribe, {"@pubsub", "@slow"}));
  t->Register(MakeSpec(g, "psubscribe", -2, f, 0, 0, 0, "Listens for messages published to channels that match one or more patterns.", "2.0.0", CmdPSubscribe, {"@pubsub", "@slow"}));
  t->Register(MakeSpec(g, "punsubscribe", -1, f, 0, 0, 0, "Stops listening to messages published to channels that match one or more patterns.", "2.0.0", CmdPUnsubscribe, {"@pubsub", "@slow"}));
  t->Register(MakeSpec(g, "publish", 3, kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, "Posts a message to a channel.", "2.0.0", CmdPublish, {"@pubsub", "@fast"}));
  t->Register(MakeContainer(g, "pubsub", "A container for Pub/Sub commands.", "2.8.0", CmdPubSub, {
      MakeSub("channels", -2, kCmdLoading | kCmdPubSub | kCmdStale, 0, 0, 0, {"@pubsub", "@slow"}),
      MakeSub("numsub", -2, kCmdLoading | kCmdPubSub | kCmdStale, 0, 0, 0, {"@pubsub", "@slow"}),
      MakeSub("numpat", 2, kCmdLoading | kCmdPubSub | kCmdStale, 0, 0, 0, {"@pubsub", "@slow"}),
      MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@slow"}),
  }));
}

}  // namespace minired
