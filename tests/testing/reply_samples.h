// One reply of every RESP2/RESP3 type, back to back, for the reply parser's tests and
// the client's split-at-every-byte test: 12 replies.
#pragma once

#include <string>

#include "protocol/reply_writer.h"

namespace minired::testing {

inline std::string EveryReplyTypeWire() {
  std::string wire;
  ReplyWriter w(&wire, 3);
  w.SimpleString("OK");
  w.Error("ERR bad");
  w.Integer(-42);
  w.Bulk("a\r\nb");
  w.Null();
  w.ArrayHeader(2);
  w.Bulk("x");
  w.ArrayHeader(0);
  w.MapHeader(1);
  w.Bulk("k");
  w.Double(1.5);
  w.SetHeader(1);
  w.Bool(true);
  w.Verbatim("text");
  return wire + "*-1\r\n$-1\r\n(12345678901234567890\r\n";
}

}  // namespace minired::testing
