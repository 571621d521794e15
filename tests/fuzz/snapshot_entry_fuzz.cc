// libFuzzer target for the snapshot's entry decoder (storage/entry_codec.h): entries of
// every type one after another, streams with their groups and pending entries among
// them, as a snapshot file holds them.
//
// Whatever the bytes, nothing may crash, leak or read out of bounds; an entry that
// decodes encodes back to bytes that decode and encode to the same bytes again (a hash
// table's elements may come out in another order: the same length then), and a decoded
// stream can be walked both ways.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "storage/encodings/stream_value.h"
#include "storage/entry.h"
#include "storage/entry_codec.h"

namespace {
[[noreturn]] void Fail(const char* what, const minired::Entry* e) {
  std::fprintf(stderr, "snapshot_entry_fuzz: %s (type %d, encoding %d)\n", what, static_cast<int>(e->type()),
               static_cast<int>(e->encoding()));
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace minired;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    Entry* e = nullptr;
    if (!DecodeEntry(&in, &e).ok()) break;
    std::string once;
    EncodeEntry(e, &once);
    std::string_view again_in = once;
    Entry* again = nullptr;
    if (!DecodeEntry(&again_in, &again).ok() || !again_in.empty()) Fail("its encoding does not decode", e);
    std::string twice;
    EncodeEntry(again, &twice);
    const bool unordered = e->encoding() == Encoding::kHashtable;
    if (unordered ? twice.size() != once.size() : twice != once) Fail("encodes differently once decoded", e);
    if (e->type() == ValueType::kStream) {
      const Stream& s = e->object<StreamValue>()->stream;
      size_t forward = 0, backward = 0;
      for (Stream::Cursor c(s, StreamId::Min(), StreamId::Max(), false); c.Next();) ++forward;
      for (Stream::Cursor c(s, StreamId::Max(), StreamId::Min(), true); c.Next();) ++backward;
      if (forward != s.length() || backward != s.length()) Fail("walks disagree with its length", e);
    }
    Entry::Free(again);
    Entry::Free(e);
  }
  return 0;
}
