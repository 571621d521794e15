// In-process command tests: a Server that never opens a socket, a session, and a
// Run({"SET","k","v"}) helper returning the parsed reply. Time is a ManualClock, so
// TTL tests advance it instead of sleeping.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "protocol/reply_parser.h"
#include "server/server.h"
#include "storage/clock.h"

namespace minired::testing {

class ServerFixture : public ::testing::Test {
 protected:
  ServerFixture() {
    config_.threads = 1;
    config_.shards = 16;
    server_ = std::make_unique<Server>(config_, &clock_);
    session_.info = &info_;
  }

  // Runs one command; returns its reply.
  RespValue Run(const std::vector<std::string>& args) {
    std::string raw = RunRaw(args);
    ReplyParser p;
    p.Feed(raw);
    RespValue v;
    EXPECT_EQ(p.Next(&v), ReplyParser::Result::kOk) << "unparsable reply: " << raw;
    EXPECT_EQ(p.buffered(), 0u) << "more than one reply: " << raw;
    return v;
  }
  std::string RunRaw(const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    ReplyWriter w(&out, session_.resp);
    server_->Execute(session_, views, w);
    return out;
  }
  // Shorthands for the common reply shapes.
  std::string Str(const std::vector<std::string>& args) {
    RespValue v = Run(args);
    if (v.is_null()) return "(nil)";
    if (v.type == RespValue::Type::kInteger) return std::to_string(v.integer);
    return v.str;
  }
  int64_t Int(const std::vector<std::string>& args) {
    RespValue v = Run(args);
    EXPECT_EQ(v.type, RespValue::Type::kInteger) << v.DebugString();
    return v.integer;
  }
  std::string Err(const std::vector<std::string>& args) {
    RespValue v = Run(args);
    EXPECT_TRUE(v.is_error()) << v.DebugString();
    return v.str;
  }
  void AdvanceMs(int64_t ms) { clock_.AdvanceMs(ms); }
  int64_t NowMs() const { return clock_.NowMs(); }

  ServerConfig config_;
  ManualClock clock_;
  std::unique_ptr<Server> server_;
  ClientInfo info_;
  Session session_;
};

}  // namespace minired::testing
