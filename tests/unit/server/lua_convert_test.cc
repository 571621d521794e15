// A command's reply as a script reads it (PushReplyAsLua), and back (WriteLuaAsResp):
// every RESP2 and RESP3 type, attributes, and bytes that are not one whole reply.
#include "server/scripting/lua_convert.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include <gtest/gtest.h>

#include <string>

namespace minired {
namespace {

class LuaConvert : public ::testing::Test {
 protected:
  void SetUp() override {
    L_ = luaL_newstate();
    luaL_openlibs(L_);
  }
  void TearDown() override { lua_close(L_); }

  // Converts `reply` and writes the Lua value back in protocol `resp`; "<unread>" when
  // the conversion failed, "<left N>" when bytes were left after one reply.
  std::string RoundTrip(std::string_view reply, int resp = 3) {
    std::string_view in = reply;
    if (!PushReplyAsLua(L_, &in, resp)) {
      lua_settop(L_, 0);
      return "<unread>";
    }
    if (!in.empty()) return "<left " + std::to_string(in.size()) + ">";
    std::string out;
    ReplyWriter w(&out, resp);
    WriteLuaAsResp(L_, w, resp);
    EXPECT_EQ(lua_gettop(L_), 0);
    return out;
  }

  // Runs `expr` with the converted reply as `r` and returns its result as a string.
  std::string Inspect(std::string_view reply, const char* expr, int resp = 3) {
    std::string_view in = reply;
    EXPECT_TRUE(PushReplyAsLua(L_, &in, resp));
    lua_setglobal(L_, "r");
    std::string code = std::string("return tostring(") + expr + ")";
    EXPECT_EQ(luaL_dostring(L_, code.c_str()), 0) << lua_tostring(L_, -1);
    std::string result = lua_tostring(L_, -1);
    lua_settop(L_, 0);
    return result;
  }

  lua_State* L_ = nullptr;
};

TEST_F(LuaConvert, ScalarsBecomeLuaValuesAsRedisMakesThem) {
  EXPECT_EQ(Inspect(":-42\r\n", "r"), "-42");
  EXPECT_EQ(Inspect("$3\r\nabc\r\n", "r"), "abc");
  EXPECT_EQ(Inspect("$0\r\n\r\n", "#r"), "0");
  EXPECT_EQ(Inspect("$-1\r\n", "r", 2), "false");
  EXPECT_EQ(Inspect("$-1\r\n", "r", 3), "nil");
  EXPECT_EQ(Inspect("*-1\r\n", "r", 2), "false");
  EXPECT_EQ(Inspect("_\r\n", "r", 3), "nil");
  EXPECT_EQ(Inspect("+OK\r\n", "r.ok"), "OK");
  EXPECT_EQ(Inspect("-WRONGTYPE bad kind\r\n", "r.err"), "WRONGTYPE bad kind");
  EXPECT_EQ(Inspect("-WRONGTYPE bad kind\r\n", "r.ignore_error_stats_update"), "true");
  EXPECT_EQ(Inspect("!9\r\nCODE text\r\n", "r.err"), "CODE text");
  EXPECT_EQ(Inspect(",1.5\r\n", "r.double"), "1.5");
  EXPECT_EQ(Inspect(",-inf\r\n", "r.double"), "-inf");
  EXPECT_EQ(Inspect(",nan\r\n", "r.double ~= r.double"), "true");
  EXPECT_EQ(Inspect("#t\r\n", "r"), "true");
  EXPECT_EQ(Inspect("#f\r\n", "r"), "false");
  EXPECT_EQ(Inspect("(12345678901234567890\r\n", "r.big_number"), "12345678901234567890");
  EXPECT_EQ(Inspect("=8\r\nmkd:# hi\r\n", "r.verbatim_string.string"), "# hi");
  EXPECT_EQ(Inspect("=8\r\nmkd:# hi\r\n", "r.verbatim_string.format"), "mkd");
}

TEST_F(LuaConvert, AggregatesNestAndAttributesAreSkipped) {
  EXPECT_EQ(Inspect("*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+x\r\n", "r[2][1] .. tostring(r[2][2]) .. r[3].ok", 2),
            "afalse" "x");
  EXPECT_EQ(Inspect(">2\r\n$7\r\nmessage\r\n:3\r\n", "r[1] .. r[2]"), "message3");
  EXPECT_EQ(Inspect("%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n,2.5\r\n", "r.map.a + r.map.b.double"), "3.5");
  EXPECT_EQ(Inspect("~2\r\n$1\r\nx\r\n$1\r\ny\r\n", "r.set.x and r.set.y"), "true");
  // A null key would make lua_settable raise; it is left out.
  EXPECT_EQ(Inspect("%2\r\n_\r\n:1\r\n$1\r\nk\r\n:2\r\n", "r.map.k"), "2");
  // Redis hands the script the reply after an attribute, not the attribute.
  EXPECT_EQ(Inspect("|1\r\n$3\r\nttl\r\n:9\r\n$5\r\nvalue\r\n", "r"), "value");
}

TEST_F(LuaConvert, RepliesComeBackAsTheyWent) {
  for (const char* reply : {":7\r\n", "$2\r\nhi\r\n", "+QUEUED\r\n", "-ERR no\r\n", ",2.5\r\n", "#t\r\n",
                            "(123\r\n", "=6\r\ntxt:hi\r\n", "=7\r\nmkd:# x\r\n", "*2\r\n:1\r\n*1\r\n$1\r\na\r\n",
                            "%1\r\n$1\r\nk\r\n$1\r\nv\r\n", "~1\r\n$1\r\nm\r\n", "_\r\n"}) {
    EXPECT_EQ(RoundTrip(reply), reply);
  }
  // RESP2: a big number and a verbatim string go out as bulk strings.
  EXPECT_EQ(RoundTrip("(123\r\n", 2), "$3\r\n123\r\n");
  EXPECT_EQ(RoundTrip("=6\r\ntxt:hi\r\n", 2), "$2\r\nhi\r\n");
}

TEST_F(LuaConvert, BytesThatAreNotOneWholeReplyAreRefused) {
  for (const char* bad : {"", "$3\r\nab", "$3\r\nabc", ":12x\r\n", "?\r\n", "*2\r\n:1\r\n", "#x\r\n", ",1.5.5\r\n",
                          "=3\r\ntxt\r\n", "=5\r\ntxtx1\r\n", "$-2\r\n", "*-2\r\n", ":1", "|1\r\n:1\r\n:2\r\n"}) {
    EXPECT_EQ(RoundTrip(bad), "<unread>") << bad;
  }
  EXPECT_EQ(RoundTrip(":1\r\n:2\r\n"), "<left 4>");
}

TEST_F(LuaConvert, ScriptRepliesWriteFormatsAsRedis) {
  // A verbatim format is cut or padded to three bytes, newlines in a big number become
  // spaces, and a verbatim_string table missing a field is an (empty) array.
  ASSERT_EQ(luaL_dostring(L_, "return {verbatim_string={format='markdown', string='x'}}"), 0);
  std::string out;
  ReplyWriter w(&out, 3);
  WriteLuaAsResp(L_, w, 3);
  ASSERT_EQ(luaL_dostring(L_, "return {verbatim_string={format='t', string='x'}}"), 0);
  WriteLuaAsResp(L_, w, 3);
  ASSERT_EQ(luaL_dostring(L_, "return {big_number='1\\r\\n2'}"), 0);
  WriteLuaAsResp(L_, w, 3);
  ASSERT_EQ(luaL_dostring(L_, "return {verbatim_string={format='txt'}}"), 0);
  WriteLuaAsResp(L_, w, 3);
  EXPECT_EQ(out, "=5\r\nmar:x\r\n=5\r\nt  :x\r\n(1  2\r\n*0\r\n");
}

}  // namespace
}  // namespace minired
