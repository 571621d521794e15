// ACL users (issue #9): the same users and commands against redis-server and minired,
// replies compared byte for byte; an ACL file loaded at start-up, saved and reloaded.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/differential.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

using minired::Script;

class AclDifferential : public minired::ServerPair {
 protected:
  static void SetUpTestSuite() { StartServers({}, {"--appendonly", "no", "--save", ""}); }
  static void TearDownTestSuite() { StopServers(); }
  void SetUp() override {
    ExpectServersUp();
    ASSERT_TRUE(r_admin_.Connect(redis_->port()));
    ASSERT_TRUE(m_admin_.Connect(minired_->port()));
    for (RespClient* c : {&r_admin_, &m_admin_}) ASSERT_EQ(c->Call({"FLUSHALL"}).raw, "+OK\r\n");
  }
  void TearDown() override {
    for (RespClient* c : {&r_admin_, &m_admin_}) {
      c->Call({"ACL", "DELUSER", "alice", "bob", "carol", "eve"});
      c->Call({"ACL", "SETUSER", "default", "on", "nopass", "~*", "&*", "+@all"});
    }
  }
  // Both admins run `cmd`; their replies must agree.
  void Admin(const std::vector<std::string>& cmd) {
    Reply want = r_admin_.Call(cmd);
    Reply got = m_admin_.Call(cmd);
    EXPECT_EQ(got.raw, want.raw) << cmd[0] << " " << (cmd.size() > 1 ? cmd[1] : "");
  }
  // New clients on both servers, logged in as `user`.
  void Login(const std::string& user, const std::string& password) {
    for (auto [c, port] : {std::pair{&r_, redis_->port()}, std::pair{&m_, minired_->port()}}) {
      c->Close();
      ASSERT_TRUE(c->Connect(port));
      ASSERT_EQ(c->Call({"AUTH", user, password}).raw, "+OK\r\n") << user;
    }
  }
  void Compare(const minired::Script& script) { minired::CompareOn(r_, m_, script); }

  RespClient r_admin_, m_admin_, r_, m_;
};

// A category reaches a container's subcommands by their own categories: CLIENT ID is
// @connection, CLIENT KILL also @admin, CONFIG GET only @admin.
TEST_F(AclDifferential, CategoriesReachSubcommandsByTheirOwnCategories) {
  Admin({"ACL", "SETUSER", "alice", "on", ">pw", "~*", "-@all", "+@connection"});
  Admin({"ACL", "SETUSER", "bob", "on", ">pw", "~*", "+@all", "-@admin"});
  Login("alice", "pw");
  Compare({{"CLIENT", "GETNAME"}, {"CLIENT", "SETNAME", "x"}, {"CLIENT", "NO-EVICT", "on"}, {"CONFIG", "GET", "port"},
           {"COMMAND", "INFO", "nosuch"}, {"PING"}, {"GET", "k"}, {"OBJECT", "ENCODING", "k"}});
  Login("bob", "pw");
  Compare({{"CLIENT", "GETNAME"}, {"CLIENT", "KILL", "ID", "0"}, {"CONFIG", "GET", "port"}, {"SLOWLOG", "LEN"},
           {"OBJECT", "ENCODING", "k"}, {"MEMORY", "USAGE", "k"}, {"ACL", "WHOAMI"}, {"ACL", "LIST"}});
  Admin({"ACL", "SETUSER", "carol", "on", ">pw", "~*", "-@all", "+client|setname", "+@admin", "-config|get"});
  Login("carol", "pw");
  Compare({{"CLIENT", "SETNAME", "c"}, {"CLIENT", "GETNAME"}, {"CONFIG", "GET", "port"}, {"CONFIG", "RESETSTAT"},
           {"CLIENT", "LIST", "TYPE", "pubsub"}});
}

TEST_F(AclDifferential, CommandsKeysAndChannelsAsRedis) {
  Admin({"ACL", "SETUSER", "alice", "on", ">pw", "~cached:*", "%R~shared:*", "&news", "+@read", "+@write",
         "-@dangerous", "+publish", "+subscribe", "-del"});
  Admin({"SET", "shared:1", "s"});
  Login("alice", "pw");
  Compare({{"SET", "cached:1", "v"},
           {"GET", "cached:1"},
           {"GET", "other"},
           {"GET", "shared:1"},
           {"SET", "shared:1", "x"},
           {"MGET", "cached:1", "other"},
           {"MSET", "cached:2", "a", "cached:3", "b"},
           {"MSET", "cached:2", "a", "other", "b"},
           {"DEL", "cached:1"},
           {"KEYS", "*"},
           {"FLUSHALL"},
           {"CONFIG", "GET", "maxmemory"},
           {"PUBLISH", "news", "hello"},
           {"PUBLISH", "sport", "hello"},
           {"ACL", "WHOAMI"},
           {"MULTI"},
           {"GET", "other"},
           {"GET", "cached:2"},
           {"EXEC"},
           {"PING"},
           {"AUTH", "alice", "wrong"},
           {"AUTH", "nobody", "pw"},
           {"GET", "cached:2"}});
}

// Commands whose keys follow a numkeys argument: every one of those keys is checked for
// read access, the destination for write access.
TEST_F(AclDifferential, KeysCountedByNumkeysAreChecked) {
  Admin({"ACL", "SETUSER", "carol", "on", ">pw", "~cached:*", "%R~shared:*", "+@all"});
  Admin({"ZADD", "shared:z", "1", "a"});
  Admin({"ZADD", "other", "2", "b"});
  Login("carol", "pw");
  Compare({{"ZADD", "cached:z", "3", "c"},
           {"ZUNIONSTORE", "cached:d", "2", "cached:z", "shared:z"},
           {"ZUNIONSTORE", "cached:d", "2", "cached:z", "other"},
           {"ZINTERSTORE", "cached:d", "1", "other"},
           {"ZDIFFSTORE", "cached:d", "1", "other"},
           {"ZUNIONSTORE", "shared:d", "1", "cached:z"},
           {"ZUNION", "2", "cached:z", "shared:z", "WITHSCORES"},
           {"ZUNION", "2", "cached:z", "other"},
           {"ZINTER", "1", "other"},
           {"ZDIFF", "1", "other"},
           {"ZINTERCARD", "1", "other"},
           {"SINTERCARD", "1", "other"},
           {"SINTERCARD", "1", "cached:none"},
           {"LMPOP", "1", "shared:l", "LEFT"},
           {"LMPOP", "2", "cached:l", "other", "LEFT"},
           {"ZMPOP", "1", "shared:z", "MIN"},
           {"ZMPOP", "1", "cached:z", "MIN"},
           {"ZUNION", "x", "other"}});
}

TEST_F(AclDifferential, SubcommandsAndUserChangesApplyAtOnce) {
  Admin({"ACL", "SETUSER", "bob", "on", "nopass", "~*", "&*", "-@all", "+config|get", "+client", "-client|kill",
         "+get", "+acl|whoami"});
  Login("bob", "anything");
  Compare({{"CONFIG", "GET", "maxmemory"},
           {"CONFIG", "SET", "maxmemory", "0"},
           {"CLIENT", "GETNAME"},
           {"CLIENT", "KILL", "127.0.0.1:1"},
           {"ACL", "WHOAMI"},
           {"ACL", "LIST"},
           {"GET", "k"},
           {"SET", "k", "v"}});
  Admin({"ACL", "SETUSER", "bob", "-get", "+set"});
  Compare({{"GET", "k"}, {"SET", "k", "v"}});
  Admin({"ACL", "SETUSER", "bob", "off"});
  Compare({{"SET", "k", "w"}});  // already logged in: stays, as in Redis
  // Deleting the user disconnects its clients.
  Admin({"ACL", "DELUSER", "bob"});
  EXPECT_TRUE(r_.WaitClosed());
  EXPECT_TRUE(m_.WaitClosed());
}

TEST_F(AclDifferential, ManagementRepliesAndErrorsAsRedis) {
  for (const auto& cmd : Script{
           {"ACL", "SETUSER", "x", "+nosuch"},
           {"ACL", "SETUSER", "x", "#abc"},
           {"ACL", "SETUSER", "x", "<nopw"},
           {"ACL", "SETUSER", "x", "bogus"},
           {"ACL", "SETUSER", "x", "+config|nosuch"},
           // One command rule: redis-server 7.0 orders several single-command rules differently
           // from run to run, minired keeps them as given.
           {"ACL", "SETUSER", "eve", "on", "nopass", "~k1", "%R~r*", "&news", "&a*", "-@all", "+get"},
           {"ACL", "GETUSER", "eve"},
           {"ACL", "GETUSER", "nosuch"},
           {"ACL", "SETUSER", "carol", "on", ">pw", "#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
            "allkeys", "allchannels", "+@all", "-flushall"},
           {"ACL", "DELUSER", "default"},
           {"ACL", "DELUSER", "nobody", "carol"},
           {"ACL", "USERS"},
           {"ACL", "LIST"},
           {"ACL", "WHOAMI"},
           {"ACL", "CAT", "nosuch"},
           {"ACL", "GENPASS", "0"},
           {"ACL", "GENPASS", "5000"},
           {"ACL", "LOAD"},
           {"ACL", "SAVE"},
           {"ACL", "NOSUCH"},
           {"ACL", "GETUSER"},
           {"ACL"},
       }) {
    Admin(cmd);
  }
  EXPECT_EQ(m_admin_.Call({"ACL", "GENPASS"}).value.str.size(), 64u);
  EXPECT_EQ(m_admin_.Call({"ACL", "GENPASS", "10"}).value.str.size(), 3u);
  EXPECT_EQ(m_admin_.Call({"ACL", "CAT"}).value.elems.size(), r_admin_.Call({"ACL", "CAT"}).value.elems.size());
}

TEST_F(AclDifferential, TheDefaultUsersPasswordIsRequirepass) {
  Admin({"ACL", "SETUSER", "default", ">topsecret"});
  for (auto [c, port] : {std::pair{&r_, redis_->port()}, std::pair{&m_, minired_->port()}}) ASSERT_TRUE(c->Connect(port));
  Compare({{"GET", "k"}, {"AUTH", "wrong"}, {"AUTH", "topsecret"}, {"GET", "k"}, {"ACL", "WHOAMI"}});
  Admin({"ACL", "SETUSER", "default", "nopass"});
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AclFile, LoadedAtStartSavedAndReloaded) {
  std::string dir = std::filesystem::temp_directory_path() / ("minired-acl-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string path = dir + "/users.acl";
  std::ofstream(path) << "# users\nuser default on nopass ~* &* +@all\nuser alice on >pw ~* &* +@all\n";
  {
    TestProcess server = TestProcess::StartMinired({"--appendonly", "no", "--save", "", "--aclfile", path});
    ASSERT_TRUE(server.ok()) << server.error();
    RespClient admin, alice;
    ASSERT_TRUE(admin.Connect(server.port()));
    ASSERT_TRUE(alice.Connect(server.port()));
    ASSERT_EQ(alice.Call({"AUTH", "alice", "pw"}).raw, "+OK\r\n");
    ASSERT_EQ(admin.Call({"ACL", "SETUSER", "bob", "on", ">b", "~b:*", "+get"}).raw, "+OK\r\n");
    ASSERT_EQ(admin.Call({"ACL", "SAVE"}).raw, "+OK\r\n");
    EXPECT_NE(ReadFile(path).find("user bob on #"), std::string::npos) << ReadFile(path);

    // A broken file changes nothing and names its line.
    std::ofstream(path) << "user default on nopass ~* &* +@all\nuser bob on +nosuch\n";
    Reply bad = admin.Call({"ACL", "LOAD"});
    EXPECT_EQ(bad.value.str, "ERR " + path + ":2: Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL");
    EXPECT_EQ(admin.Call({"ACL", "USERS"}).value.elems.size(), 3u);

    // Reloading without alice disconnects her client.
    std::ofstream(path) << "user default on nopass ~* &* +@all\nuser bob on >b ~b:* +get\n";
    ASSERT_EQ(admin.Call({"ACL", "LOAD"}).raw, "+OK\r\n");
    EXPECT_TRUE(alice.WaitClosed());
    EXPECT_EQ(admin.Call({"ACL", "USERS"}).value.elems.size(), 2u);
  }
  // A broken file stops start-up with the reason.
  std::ofstream(path) << "user alice on +nosuch\n";
  TestProcess broken = TestProcess::StartMinired({"--appendonly", "no", "--save", "", "--aclfile", path});
  EXPECT_FALSE(broken.ok());
  EXPECT_NE(broken.error().find("Unknown command or category name in ACL"), std::string::npos) << broken.error();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace minired::testing
