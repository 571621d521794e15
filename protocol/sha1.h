// SHA-1 as Redis names scripts by it (EVALSHA, SCRIPT LOAD): 40 lower-case hex digits.
// Here, without OpenSSL, so the client library can name a script as the server will.
#pragma once

#include <string>
#include <string_view>

namespace minired {

std::string Sha1Hex(std::string_view data);

}  // namespace minired
