#include "protocol/command_encoder.h"

#include "protocol/reply_writer.h"

namespace minired {

void EncodeCommand(std::span<const std::string_view> args, std::string* out) {
  ReplyWriter w(out);
  w.ArrayHeader(args.size());
  for (std::string_view a : args) w.Bulk(a);
}

void EncodeCommand(std::initializer_list<std::string_view> args, std::string* out) {
  EncodeCommand(std::span<const std::string_view>(args.begin(), args.size()), out);
}

std::string EncodeCommand(std::initializer_list<std::string_view> args) {
  std::string out;
  EncodeCommand(args, &out);
  return out;
}

}  // namespace minired
