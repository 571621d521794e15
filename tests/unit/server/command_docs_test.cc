#include "server/command_docs.h"

#include <gtest/gtest.h>

#include "server/command_table.h"
#include "server/families/families.h"

namespace minired {
namespace {

TEST(CommandDocs, SetGrammarBecomesRedisArgumentTree) {
  auto args = ParseArgumentGrammar(
      "key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]");
  ASSERT_EQ(args.size(), 5u);
  EXPECT_EQ(args[0].name, "key");
  EXPECT_EQ(args[0].type, "key");
  EXPECT_EQ(args[1].type, "string");
  EXPECT_EQ(args[2].type, "oneof");
  EXPECT_TRUE(args[2].optional);
  ASSERT_EQ(args[2].children.size(), 2u);
  EXPECT_EQ(args[2].children[0].type, "pure-token");
  EXPECT_EQ(args[2].children[0].token, "NX");
  EXPECT_EQ(args[3].token, "GET");
  EXPECT_TRUE(args[3].optional);
  ASSERT_EQ(args[4].children.size(), 3u);
  EXPECT_EQ(args[4].children[0].token, "EX");
  EXPECT_EQ(args[4].children[0].name, "seconds");
  EXPECT_EQ(args[4].children[0].type, "integer");
  EXPECT_EQ(args[4].children[2].type, "pure-token");
}

TEST(CommandDocs, RepeatsAndBlocks) {
  auto args = ParseArgumentGrammar("[key value] ...");
  ASSERT_EQ(args.size(), 1u);
  EXPECT_EQ(args[0].type, "block");
  EXPECT_TRUE(args[0].optional);
  EXPECT_TRUE(args[0].multiple);
  EXPECT_EQ(args[0].children.size(), 2u);
  args = ParseArgumentGrammar("key ...");
  ASSERT_EQ(args.size(), 1u);
  EXPECT_TRUE(args[0].multiple);
  EXPECT_TRUE(ParseArgumentGrammar("").empty());
  EXPECT_TRUE(ParseArgumentGrammar("[unclosed").empty());
}

// <a | b> is a required choice (GEOSEARCH's FROMMEMBER | FROMLONLAT), nestable.
TEST(CommandDocs, AngleBracketsAreRequiredGroups) {
  auto args = ParseArgumentGrammar("key <FROMMEMBER member | FROMLONLAT longitude latitude> <BYRADIUS radius <M | KM>>");
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[1].type, "oneof");
  EXPECT_FALSE(args[1].optional);
  ASSERT_EQ(args[1].children.size(), 2u);
  EXPECT_EQ(args[1].children[0].token, "FROMMEMBER");
  EXPECT_EQ(args[1].children[1].type, "block");
  EXPECT_EQ(args[2].type, "block");
  ASSERT_EQ(args[2].children.size(), 2u);  // BYRADIUS radius (a token with its value), the unit
  EXPECT_EQ(args[2].children[0].token, "BYRADIUS");
  EXPECT_EQ(args[2].children[1].type, "oneof");
  EXPECT_TRUE(ParseArgumentGrammar("key <unclosed").empty());
}

TEST(CommandDocs, EveryGrammarLineParsesAndNamesARealCommand) {
  CommandTable table;
  RegisterAllFamilies(&table);
  for (const auto& spec : table.all()) {
    std::string_view g = ArgumentGrammar(spec->name);
    if (!g.empty()) {
      EXPECT_FALSE(ParseArgumentGrammar(g).empty()) << spec->name << ": " << g;
    }
    for (std::string_view sub : DocumentedSubcommands(spec->name)) {
      std::string full = spec->name + "|" + std::string(sub);
      EXPECT_FALSE(SubcommandSummary(full).empty()) << full;
    }
  }
  // Commands that take arguments all have a grammar line (redis-cli hints need it).
  for (const char* name : {"get", "set", "scan", "expire", "copy", "incrbyfloat"}) {
    EXPECT_FALSE(ArgumentGrammar(name).empty()) << name;
  }
}

}  // namespace
}  // namespace minired
