// Long scripts end to end, with real processes: past busy-reply-threshold other
// clients get -BUSY (before it they wait), SCRIPT KILL and FUNCTION KILL stop a script
// that has not written, one that wrote is UNKILLABLE until SHUTDOWN NOSAVE, and the
// server serves everyone again afterwards.
//
// A running script occupies its own I/O thread, which serves its other clients from the
// script's hook (server/net/serve_while_busy.cc): every connection, on either thread,
// connected before the script or after it, gets -BUSY and may kill it. The server runs
// two I/O threads, and the tests send from several connections (some land on the
// script's thread), and from one with a single thread.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

using namespace std::chrono_literals;

const char kBusyError[] = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
const char kBusyFunctionError[] =
    "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n";

class BusyScripts : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestProcess>(TestProcess::StartMinired(
        {"--threads", "2", "--appendonly", "no", "--save", "", "--busy-reply-threshold", "300"}));
    ASSERT_TRUE(server_->ok()) << server_->error();
    ASSERT_TRUE(runner_.Connect(server_->port()));
    for (int i = 0; i < 6; ++i) {
      others_.push_back(std::make_unique<RespClient>());
      ASSERT_TRUE(others_.back()->Connect(server_->port()));
    }
  }

  // Sends PING on every other connection and checks each answers -BUSY `busy_error`,
  // on whichever thread it is; returns one of them.
  RespClient* EveryClientBusy(const std::string& busy_error) {
    for (size_t i = 0; i < others_.size(); ++i) {
      others_[i]->Send({"PING"});
      Reply r;
      EXPECT_TRUE(others_[i]->Read(&r, 2s)) << "connection " << i;
      EXPECT_EQ(r.raw, busy_error) << "connection " << i;
    }
    return others_.back().get();
  }
  // A connection opened now, while the script runs.
  RespClient* Connected() {
    late_.push_back(std::make_unique<RespClient>());
    EXPECT_TRUE(late_.back()->Connect(server_->port()));
    return late_.back().get();
  }

  std::unique_ptr<TestProcess> server_;
  RespClient runner_;
  std::vector<std::unique_ptr<RespClient>> others_;
  std::vector<std::unique_ptr<RespClient>> late_;
};

TEST_F(BusyScripts, ScriptKillStopsAScriptThatDidNotWrite) {
  runner_.Send({"EVAL", "local i = 0 while true do i = i + 1 end", "0"});
  std::this_thread::sleep_for(500ms);
  RespClient* other = EveryClientBusy(kBusyError);
  EXPECT_EQ(other->Call({"FUNCTION", "KILL"}).raw, kBusyError);
  EXPECT_EQ(other->Call({"FUNCTION", "STATS"}).raw, kBusyError);
  EXPECT_EQ(other->Call({"SHUTDOWN"}).raw, kBusyError);
  EXPECT_EQ(other->Call({"GET", "k"}).raw, kBusyError);
  EXPECT_EQ(other->Call({"MULTI"}).raw, "+OK\r\n");  // allowed while busy, as in Redis
  EXPECT_EQ(other->Call({"SCRIPT", "KILL"}).raw, "+QUEUED\r\n");
  EXPECT_EQ(other->Call({"DISCARD"}).raw, "+OK\r\n");
  EXPECT_EQ(other->Call({"SCRIPT", "KILL"}).raw, "+OK\r\n");
  Reply killed;
  ASSERT_TRUE(runner_.Read(&killed, 5s));
  EXPECT_EQ(killed.raw,
            "-ERR Script killed by user with SCRIPT KILL... script: 3fcf51a9b854b8f66cb8685600b0d7df968f4398, on "
            "@user_script:1.\r\n");
  EXPECT_EQ(other->Call({"SCRIPT", "KILL"}).raw, "-NOTBUSY No scripts in execution right now.\r\n");
  EXPECT_EQ(runner_.Call({"SET", "k", "v"}).raw, "+OK\r\n");
  // pcall cannot swallow the kill.
  runner_.Send({"EVAL", "while true do pcall(function() while true do end end) end", "0"});
  std::this_thread::sleep_for(500ms);
  // Clients that connect while it runs are served too, whichever thread they land on
  // (the script's thread starts its own from the hook).
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Connected()->Call({"PING"}).raw, kBusyError);
  EXPECT_EQ(Connected()->Call({"SCRIPT", "KILL"}).raw, "+OK\r\n");
  ASSERT_TRUE(runner_.Read(&killed, 5s));
  EXPECT_NE(killed.raw.find("Script killed by user with SCRIPT KILL..."), std::string::npos) << killed.raw;
  for (auto& c : late_) EXPECT_EQ(c->Call({"PING"}).raw, "+PONG\r\n");
}

TEST_F(BusyScripts, FunctionKillStopsAFunctionAndStatsShowIt) {
  ASSERT_EQ(runner_.Call({"FUNCTION", "LOAD",
                          "#!lua name=busy\nredis.register_function('spin', function() while true do end end)"})
                .value.str,
            "busy");
  runner_.Send({"FCALL", "spin", "0", "arg"});
  std::this_thread::sleep_for(500ms);
  RespClient* other = EveryClientBusy(kBusyFunctionError);
  EXPECT_EQ(other->Call({"SCRIPT", "KILL"}).raw, kBusyFunctionError);
  Reply stats = other->Call({"FUNCTION", "STATS"});
  ASSERT_EQ(stats.value.elems.size(), 4u) << stats.raw;
  const RespValue& running = stats.value.elems[1];
  ASSERT_EQ(running.elems.size(), 6u) << stats.raw;
  EXPECT_EQ(running.elems[1].str, "spin");
  ASSERT_EQ(running.elems[3].elems.size(), 4u);
  EXPECT_EQ(running.elems[3].elems[3].str, "arg");
  EXPECT_GE(running.elems[5].integer, 300);
  EXPECT_EQ(other->Call({"FUNCTION", "KILL"}).raw, "+OK\r\n");
  Reply killed;
  ASSERT_TRUE(runner_.Read(&killed, 5s));
  EXPECT_EQ(killed.raw, "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n");
}

// A script that wrote cannot be stopped halfway: only SHUTDOWN NOSAVE ends it, and
// none of its writes survive (its effects are journaled when it ends).
TEST_F(BusyScripts, AScriptThatWroteIsUnkillable) {
  runner_.Send({"EVAL", "redis.call('set', 'half', 'done') while true do end", "0"});
  std::this_thread::sleep_for(500ms);
  RespClient* other = EveryClientBusy(kBusyError);
  EXPECT_EQ(other->Call({"SCRIPT", "KILL"}).raw,
            "-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait "
            "the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n");
  other->Send({"SHUTDOWN", "NOSAVE"});
  EXPECT_TRUE(other->WaitClosed(5s));
  EXPECT_TRUE(runner_.WaitClosed(5s));
}

// Before the threshold, clients wait for the script rather than get -BUSY, and a
// script under the threshold is never reported.
TEST_F(BusyScripts, ShortScriptsAreWaitedFor) {
  runner_.Send({"EVAL", "local t = redis.call('time') local start = t[1] * 1000000 + t[2] "
                        "local i = 0 while i < 20000000 do i = i + 1 end return 1", "0"});
  std::this_thread::sleep_for(20ms);
  for (auto& c : others_) c->Send({"SET", "after", "1"});
  Reply r;
  ASSERT_TRUE(runner_.Read(&r, 10s));
  ASSERT_EQ(r.raw, ":1\r\n");
  for (auto& c : others_) {
    ASSERT_TRUE(c->Read(&r, 10s));
    EXPECT_TRUE(r.raw == "+OK\r\n" || r.raw == kBusyError) << r.raw;
  }
}

// With one I/O thread the script's thread is the only one: it accepts, reads and answers
// everyone from the script's hook, pipelines and half-sent commands included, exactly as
// redis-server does (replies checked against its own), and a client that hangs up
// meanwhile is closed once the script is over.
TEST(BusyScriptOneThread, TheScriptsThreadServesEveryone) {
  TestProcess server = TestProcess::StartMinired(
      {"--threads", "1", "--appendonly", "no", "--save", "", "--busy-reply-threshold", "100"});
  ASSERT_TRUE(server.ok()) << server.error();
  RespClient before, leaves, runner;
  ASSERT_TRUE(before.Connect(server.port()));
  ASSERT_TRUE(leaves.Connect(server.port()));
  ASSERT_TRUE(runner.Connect(server.port()));
  runner.Send({"EVAL", "local i = 0 while true do i = i + 1 end", "0"});
  std::this_thread::sleep_for(400ms);
  leaves.Close();
  // A pipeline, an inline command and half of another, answered as redis-server 7.0.15
  // answers them while busy (MULTI is let through).
  before.SendRaw("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$5\r\nMULTI\r\n"
                 "*2\r\n$4\r\nINCR\r\n$1\r\nx\r\nPING\r\n*2\r\n$4\r\nPI");
  for (int i = 0; i < 5; ++i) {
    Reply r;
    ASSERT_TRUE(before.Read(&r, 2s)) << i;
    EXPECT_EQ(r.raw, i == 2 ? std::string("+OK\r\n") : std::string(kBusyError)) << i;
  }
  before.SendRaw("NG\r\n$1\r\nx\r\n");  // the rest of the half-sent command
  Reply r;
  ASSERT_TRUE(before.Read(&r, 2s));
  EXPECT_EQ(r.raw, kBusyError);
  RespClient late;
  ASSERT_TRUE(late.Connect(server.port()));
  EXPECT_EQ(late.Call({"HELLO", "3"}).value.type, RespValue::Type::kMap);
  EXPECT_EQ(late.Call({"SCRIPT", "KILL"}).raw, "+OK\r\n");
  ASSERT_TRUE(runner.Read(&r, 5s));
  EXPECT_NE(r.raw.find("Script killed by user with SCRIPT KILL..."), std::string::npos) << r.raw;
  EXPECT_EQ(before.Call({"DISCARD"}).raw, "+OK\r\n");
  EXPECT_NE(runner.Call({"INFO", "clients"}).value.str.find("connected_clients:3\r\n"), std::string::npos)
      << "the client that left is gone";
  EXPECT_EQ(late.Call({"PING"}).raw, "+PONG\r\n");
}

}  // namespace
}  // namespace minired::testing
