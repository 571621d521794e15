// ACL rules, checks and the ACL file format (server/acl.h), without a server.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "server/acl.h"
#include "server/command_table.h"
#include "server/families/families.h"

namespace minired {
namespace {

AclDenial Check(const AclUser& u, std::vector<std::string_view> args, std::string* what = nullptr) {
  std::string ignored;
  const CommandSpec* spec = BuiltinCommands().Find(args[0]);
  EXPECT_NE(spec, nullptr) << args[0];
  return CheckAcl(u, *spec, args, what ? what : &ignored);
}

AclUser Make(std::vector<std::string> rules) {
  AclUser u;
  u.name = "u";
  for (const auto& r : rules) EXPECT_TRUE(ApplyAclRule(&u, r).ok()) << r;
  FinalizeAclUser(&u);
  return u;
}

TEST(Acl, Sha256MatchesTheKnownDigest) {
  EXPECT_EQ(Sha256Hex("password"), "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
}

TEST(Acl, CategoriesAndSingleCommands) {
  AclUser u = Make({"on", "~*", "+@read", "-@dangerous", "+set"});
  EXPECT_EQ(Check(u, {"get", "k"}), AclDenial::kNone);
  EXPECT_EQ(Check(u, {"set", "k", "v"}), AclDenial::kNone);
  std::string what;
  EXPECT_EQ(Check(u, {"del", "k"}, &what), AclDenial::kCommand);
  EXPECT_EQ(what, "del");
  EXPECT_EQ(Check(u, {"keys", "*"}), AclDenial::kCommand);  // @read but @dangerous
  EXPECT_FALSE(u.unrestricted);
  EXPECT_EQ(DescribeAclCommands(u), "-@all +@read -@dangerous +set");
}

TEST(Acl, SubcommandsBothWays) {
  AclUser u = Make({"-@all", "+config|get", "+client", "-client|kill"});
  std::string what;
  EXPECT_EQ(Check(u, {"config", "get", "x"}), AclDenial::kNone);
  EXPECT_EQ(Check(u, {"config", "set", "x", "y"}, &what), AclDenial::kCommand);
  EXPECT_EQ(what, "config|set");
  EXPECT_EQ(Check(u, {"client", "id"}), AclDenial::kNone);
  EXPECT_EQ(Check(u, {"client", "kill", "1.2.3.4:5"}, &what), AclDenial::kCommand);
  EXPECT_EQ(what, "client|kill");
}

TEST(Acl, KeyPatternsWithReadAndWriteRights) {
  AclUser u = Make({"+@all", "~cached:*", "%R~shared:*"});
  EXPECT_EQ(Check(u, {"get", "cached:1"}), AclDenial::kNone);
  EXPECT_EQ(Check(u, {"get", "other"}), AclDenial::kKey);
  EXPECT_EQ(Check(u, {"mget", "cached:1", "other"}), AclDenial::kKey);
  EXPECT_EQ(Check(u, {"get", "shared:1"}), AclDenial::kNone);
  EXPECT_EQ(Check(u, {"set", "shared:1", "v"}), AclDenial::kKey);  // read-only pattern
  EXPECT_EQ(Check(u, {"mset", "cached:1", "v", "cached:2", "w"}), AclDenial::kNone);
  EXPECT_EQ(Check(u, {"mset", "cached:1", "v", "other", "w"}), AclDenial::kKey);
  EXPECT_EQ(DescribeAclKeys(u), "~cached:* %R~shared:*");
}

TEST(Acl, Channels) {
  AclUser u = Make({"+@all", "~*", "resetchannels", "&news.*"});
  EXPECT_EQ(Check(u, {"publish", "news.eu", "x"}), AclDenial::kNone);
  EXPECT_EQ(Check(u, {"publish", "sport", "x"}), AclDenial::kChannel);
  EXPECT_EQ(Check(u, {"subscribe", "news.a", "sport"}), AclDenial::kChannel);
  EXPECT_EQ(Check(u, {"psubscribe", "news.*"}), AclDenial::kNone);
  EXPECT_EQ(Check(u, {"psubscribe", "news.e*"}), AclDenial::kChannel);  // only the literal pattern
}

TEST(Acl, PasswordsAndErrorsAsRedis) {
  AclUser u = Make({">pw", "#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"});
  EXPECT_EQ(u.password_hashes.size(), 2u);
  EXPECT_EQ(ApplyAclRule(&u, "<nope").message(),
            "Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist");
  EXPECT_EQ(ApplyAclRule(&u, "#abc").message(),
            "Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only "
            "lowercase hexadecimal characters");
  EXPECT_EQ(ApplyAclRule(&u, "+nosuch").message(),
            "Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL");
  EXPECT_EQ(ApplyAclRule(&u, "bogus").message(), "Error in ACL SETUSER modifier 'bogus': Syntax error");
  ASSERT_TRUE(ApplyAclRule(&u, "<pw").ok());
  ASSERT_TRUE(ApplyAclRule(&u, "nopass").ok());
  EXPECT_TRUE(u.password_hashes.empty());
}

TEST(AclRegistry, AuthenticatesAndPublishesChanges) {
  AclRegistry r;
  EXPECT_FALSE(r.DefaultNeedsAuth());
  EXPECT_TRUE(r.Authenticate("default", "anything"));
  uint64_t v = r.version();
  ASSERT_TRUE(r.SetUser("alice", {"on", ">secret", "~*", "+get"}).ok());
  EXPECT_GT(r.version(), v);
  EXPECT_TRUE(r.Authenticate("alice", "secret"));
  EXPECT_FALSE(r.Authenticate("alice", "wrong"));
  ASSERT_TRUE(r.SetUser("alice", {"off"}).ok());
  EXPECT_FALSE(r.Authenticate("alice", "secret"));  // disabled
  EXPECT_FALSE(r.SetUser("alice", {"on", "+nosuch"}).ok());
  EXPECT_FALSE(r.Get("alice")->enabled);  // a failed SETUSER changes nothing
  r.SetDefaultPassword("pw");
  EXPECT_TRUE(r.DefaultNeedsAuth());
  EXPECT_FALSE(r.Authenticate("default", "x"));
  EXPECT_TRUE(r.Authenticate("default", "pw"));
  EXPECT_EQ(r.DeleteUsers({"alice", "nobody", "default"}), 1u);
  EXPECT_EQ(r.Users().size(), 1u);
}

TEST(AclFile, RoundTripsAndNamesTheBadLine) {
  AclRegistry r;
  ASSERT_TRUE(r.SetUser("alice", {"on", ">pw", "~cached:*", "&news", "+@read", "-keys"}).ok());
  std::string text = FormatAclFile(r.Users());
  std::vector<AclUser> users;
  ASSERT_TRUE(ParseAclFile(text, "users.acl", &users).ok()) << text;
  ASSERT_EQ(users.size(), 2u);
  AclRegistry copy;
  copy.ReplaceAll(users);
  EXPECT_EQ(FormatAclFile(copy.Users()), text);
  EXPECT_EQ(DescribeAclUser(*copy.Get("alice")),
            "user alice on #" + Sha256Hex("pw") + " ~cached:* resetchannels &news -@all +@read -keys");
  users.clear();
  Status s = ParseAclFile("user a on\n# comment\nuser b +nosuch\n", "users.acl", &users);
  EXPECT_EQ(s.message(), "users.acl:3: Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL");
  EXPECT_EQ(ParseAclFile("user a\nuser a\n", "f", &users).message(), "f:2: Duplicate user 'a' found");
  EXPECT_EQ(ParseAclFile("bogus line\n", "f", &users).message(), "f:1: should start with user keyword");
}

}  // namespace
}  // namespace minired
