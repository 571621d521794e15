// The command table's lookup: names packed into words and compared a word at a time.
#include "server/command_table.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/numbers.h"
#include "server/families/families.h"

namespace minired {
namespace {

std::string Upper(std::string s) {
  ToUpperInPlace(s);
  return s;
}

TEST(CommandTable, FindsEveryCommandInAnyCase) {
  const CommandTable& table = BuiltinCommands();
  ASSERT_GT(table.all().size(), 200u);
  for (const auto& spec : table.all()) {
    EXPECT_EQ(table.Find(spec->name), spec.get()) << spec->name;
    EXPECT_EQ(table.Find(Upper(spec->name)), spec.get()) << spec->name;
    std::string mixed = spec->name;
    for (size_t i = 0; i < mixed.size(); i += 2) mixed[i] = AsciiUpper(mixed[i]);
    EXPECT_EQ(table.Find(mixed), spec.get()) << mixed;
  }
}

TEST(CommandTable, FindsNoNameThatOnlyResemblesOne) {
  const CommandTable& table = BuiltinCommands();
  EXPECT_EQ(table.Find(""), nullptr);
  EXPECT_EQ(table.Find("ge"), nullptr);
  EXPECT_EQ(table.Find("gett"), nullptr);
  EXPECT_EQ(table.Find(std::string("get\0", 4)), nullptr);  // zero padding is not the name
  EXPECT_EQ(table.Find(std::string("\0get", 4)), nullptr);
  EXPECT_EQ(table.Find("g\xc5t"), nullptr);  // 'E' | 0x80 is no letter
  EXPECT_EQ(table.Find("georadiusbymember_ro"), table.Find("GEORADIUSBYMEMBER_RO"));
  EXPECT_NE(table.Find("georadiusbymember_ro"), nullptr);
  EXPECT_EQ(table.Find("georadiusbymember_roo"), nullptr);
  EXPECT_EQ(table.Find(std::string(23, 'a')), nullptr);
  EXPECT_EQ(table.Find(std::string(24, 'a')), nullptr);  // longer than any packed name
  EXPECT_EQ(table.Find("get" + std::string(200, ' ')), nullptr);
}

TEST(CommandTable, FindsSubcommandsByTheirFullName) {
  const CommandTable& table = BuiltinCommands();
  const CommandSpec* kill = table.FindFull("CLIENT|KILL");
  ASSERT_NE(kill, nullptr);
  EXPECT_EQ(kill->name, "client|kill");
  EXPECT_EQ(table.FindFull("client|nosuch"), nullptr);
  EXPECT_EQ(table.FindFull("get"), table.Find("get"));
}

TEST(CommandTableDeathTest, RefusesANameTooLongToPack) {
  CommandTable table;
  CommandSpec spec;
  spec.name = std::string(24, 'x');
  EXPECT_DEATH(table.Register(spec), "longer than 23");
}

}  // namespace
}  // namespace minired
