// Encodes a command as a RESP multibulk ("*N\r\n$len\r\narg\r\n..."). The one encoder
// for commands: the client sends with it, and the append-only log and the replication
// stream will record writes with it, so all three share one canonical form.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace minired {

void EncodeCommand(std::span<const std::string_view> args, std::string* out);
void EncodeCommand(std::initializer_list<std::string_view> args, std::string* out);
std::string EncodeCommand(std::initializer_list<std::string_view> args);

}  // namespace minired
