// Argument documentation for COMMAND DOCS, which redis-cli turns into its typing hints.
//
// Each command's arguments are written once as a grammar line in Redis's documentation
// notation ("key value [NX | XX] [EX seconds | PX milliseconds]") and translated into
// the nested argument maps Redis reports: UPPER-case words are tokens (alone: a
// pure-token; before a lower-case word: that argument's token), [ ] marks optional, |
// separates alternatives (a "oneof"), a group of several items is a "block", and "..."
// makes the previous item repeatable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"

namespace minired {

struct ArgDoc {
  std::string name;
  std::string type;   // key string integer double pattern unix-time pure-token oneof block
  std::string token;  // empty when none
  bool optional = false;
  bool multiple = false;
  std::vector<ArgDoc> children;  // oneof and block
};

// Parses a grammar line; returns an empty list for "" or on a malformed line.
std::vector<ArgDoc> ParseArgumentGrammar(std::string_view grammar);

// The grammar of `name` ("get", or "client|setname" for a subcommand); "" if unknown.
std::string_view ArgumentGrammar(std::string_view name);
// Subcommand names documented for a container command ("client" -> "setname", ...).
std::vector<std::string_view> DocumentedSubcommands(std::string_view container);
// Summary of a subcommand ("client|setname"); "" if unknown.
std::string_view SubcommandSummary(std::string_view name);

// Writes an "arguments" array as COMMAND DOCS does.
void WriteArgDocs(ReplyWriter& w, const std::vector<ArgDoc>& args);

}  // namespace minired
