#include "protocol/command_encoder.h"

#include "protocol/reply_writer.h"

namespace minired {

namespace {

size_t DecimalDigits(size_t v) {
  size_t n = 1;
  for (; v >= 10; v /= 10) ++n;
  return n;
}

}  // namespace

void EncodeCommand(std::span<const std::string_view> args, std::string* out) {
  // Sized once: every write the journal records is encoded here, and growing the
  // string bulk by bulk reallocated it two or three times a command.
  size_t size = out->size() + 1 + DecimalDigits(args.size()) + 2;
  for (std::string_view a : args) size += 1 + DecimalDigits(a.size()) + 2 + a.size() + 2;
  out->reserve(size);
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
