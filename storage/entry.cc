#include "storage/entry.h"

#include <new>

#include "protocol/numbers.h"
#include "storage/block_allocator.h"
#include "storage/encodings/compact.h"
#include "storage/encodings/list_object.h"
#include "storage/encodings/stream_value.h"
#include "storage/memory.h"
#include "storage/encodings/string_map.h"
#include "storage/encodings/zset.h"

namespace minired {
namespace {

// Entries of up to blocks::kMaxBlockBytes take a block of a class 2 bytes apart
// (block_allocator.h); bigger ones come from operator new, and so does every entry in
// the AddressSanitizer build, so that it and LeakSanitizer follow each entry's life.
// (The ThreadSanitizer build keeps the blocks: its tests drive them from every thread.)
#if MINIRED_ADDRESS_SANITIZER
constexpr bool kUseBlocks = false;
#else
constexpr bool kUseBlocks = true;
#endif

bool InBlock(size_t encoded_size) { return kUseBlocks && encoded_size <= blocks::kMaxBlockBytes; }

void* AllocateEntry(size_t size) { return InBlock(size) ? blocks::Allocate(size) : ::operator new(size); }

}  // namespace

const char* TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
    case ValueType::kHash: return "hash";
    case ValueType::kStream: return "stream";
  }
  return "none";
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kInt: return "int";
    case Encoding::kEmbStr: return "embstr";
    case Encoding::kRaw: return "raw";
    case Encoding::kListpack: return "listpack";
    case Encoding::kIntset: return "intset";
    case Encoding::kHashtable: return "hashtable";
    case Encoding::kSkiplist: return "skiplist";
    case Encoding::kQuicklist: return "quicklist";
    case Encoding::kStream: return "stream";
  }
  return "unknown";
}

Entry* Entry::Build(ValueType type, Encoding enc, std::string_view key, int64_t expire_ms,
                    std::string_view payload, uint32_t lru) {
  const bool prefixed = LengthPrefixed(enc);
  size_t size = kHeaderSize + VarintSize(key.size()) + (expire_ms ? 8 : 0) + key.size() +
                (prefixed ? VarintSize(payload.size()) : 0) + payload.size();
  auto* p = static_cast<uint8_t*>(AllocateEntry(size));
  p[0] = static_cast<uint8_t>(static_cast<uint8_t>(type) | (static_cast<uint8_t>(enc) << 4));
  p[1] = expire_ms ? (kExpireRoom | kHasExpire) : 0;
  size_t off = kHeaderSize;
  off += PutVarint(p + off, key.size());
  if (expire_ms) {
    memcpy(p + off, &expire_ms, 8);
    off += 8;
  }
  if (!key.empty()) memcpy(p + off, key.data(), key.size());
  off += key.size();
  if (prefixed) off += PutVarint(p + off, payload.size());
  if (!payload.empty()) memcpy(p + off, payload.data(), payload.size());
  auto* e = reinterpret_cast<Entry*>(p);
  e->set_lru(lru);
  return e;
}

namespace {
std::string_view RawBytes(const void* p) { return {static_cast<const char*>(p), 8}; }
}  // namespace

Entry* Entry::NewString(std::string_view key, std::string_view value, int64_t expire_ms,
                        StringForm form) {
  if (form == StringForm::kAuto && value.size() <= kMaxInt64Chars) {
    if (auto v = ParseInt64(value)) return NewInt(key, *v, expire_ms);
  }
  bool raw = form == StringForm::kRaw;
  Encoding enc = (raw || value.size() > kEmbStrMaxLen) ? Encoding::kRaw : Encoding::kEmbStr;
  return Build(ValueType::kString, enc, key, expire_ms, value, 0);
}

Entry* Entry::NewInt(std::string_view key, int64_t value, int64_t expire_ms) {
  return Build(ValueType::kString, Encoding::kInt, key, expire_ms, RawBytes(&value), 0);
}

Entry* Entry::NewCompact(std::string_view key, ValueType type, Encoding enc, std::string_view blob,
                         int64_t expire_ms) {
  return Build(type, enc, key, expire_ms, blob, 0);
}

Entry* Entry::NewObject(std::string_view key, ValueType type, Encoding enc, void* object,
                        int64_t expire_ms) {
  return Build(type, enc, key, expire_ms, RawBytes(&object), 0);
}

Entry* Entry::MoveWith(Entry* e, std::string_view new_key, int64_t expire_ms) {
  const uint8_t* value = e->bytes() + e->ValueOffset();
  std::string_view payload;
  if (LengthPrefixed(e->encoding())) {
    payload = e->str_value();
  } else {
    payload = RawBytes(value);
  }
  Entry* moved = Build(e->type(), e->encoding(), new_key, expire_ms, payload, e->lru());
  if (e->is_object()) e->ReleaseObject();
  return moved;
}

Entry* Entry::DeepCopy(const Entry* e, std::string_view new_key, int64_t expire_ms) {
  if (!e->is_object()) return MoveWith(const_cast<Entry*>(e), new_key, expire_ms);
  void* copy = nullptr;
  switch (e->encoding()) {
    case Encoding::kHashtable: {
      auto* m = new StringMap();
      e->object<StringMap>()->ForEach([&](const PackedPair* p) { m->Add(p->field(), p->value()); });
      copy = m;
      break;
    }
    case Encoding::kSkiplist: {
      auto* z = new ZSet();
      for (ZSet::Cursor c = e->object<ZSet>()->First(); c; c.Next()) z->Upsert(c.member(), c.score());
      copy = z;
      break;
    }
    case Encoding::kQuicklist: copy = new ListObject(*e->object<ListObject>()); break;
    case Encoding::kStream: copy = e->object<StreamValue>()->Clone().release(); break;
    default: break;
  }
  Entry* c = NewObject(new_key, e->type(), e->encoding(), copy, expire_ms);
  c->set_lru(e->lru());
  return c;
}

void Entry::FreeObject(ValueType type, Encoding enc, void* object) {
  (void)type;
  if (object == nullptr) return;
  switch (enc) {
    case Encoding::kHashtable: delete static_cast<StringMap*>(object); break;
    case Encoding::kSkiplist: delete static_cast<ZSet*>(object); break;
    case Encoding::kQuicklist: delete static_cast<ListObject*>(object); break;
    case Encoding::kStream: delete static_cast<StreamValue*>(object); break;
    default: break;
  }
}

void Entry::Free(Entry* e) {
  if (e->is_object()) FreeObject(e->type(), e->encoding(), e->object<void>());
  const size_t size = e->EncodedSize();
  if (InBlock(size)) {
    blocks::Free(e, size);
  } else {
    ::operator delete(static_cast<void*>(e));
  }
}

void* Entry::ReleaseObject() {
  void* p = object<void>();
  void* null = nullptr;
  memcpy(mutable_bytes() + ValueOffset(), &null, sizeof null);
  return p;
}

size_t Entry::ElementCount() const {
  switch (encoding()) {
    case Encoding::kListpack: {
      size_t n = ListpackCount(compact_blob());
      return type() == ValueType::kHash || type() == ValueType::kZSet ? n / 2 : n;
    }
    case Encoding::kIntset: return IntsetCount(compact_blob());
    case Encoding::kHashtable: return object<StringMap>() ? object<StringMap>()->size() : 0;
    case Encoding::kSkiplist: return object<ZSet>() ? object<ZSet>()->size() : 0;
    case Encoding::kQuicklist: return object<ListObject>() ? object<ListObject>()->size() : 0;
    case Encoding::kStream: return object<StreamValue>() ? object<StreamValue>()->stream.length() : 0;
    default: return 1;
  }
}

void Entry::set_expire_ms(int64_t ms) {
  memcpy(mutable_bytes() + kHeaderSize + VarintLength(bytes() + kHeaderSize), &ms, 8);
  mutable_bytes()[1] |= kHasExpire;
}

int64_t Entry::int_value() const {
  int64_t v;
  memcpy(&v, bytes() + ValueOffset(), 8);
  return v;
}

void Entry::set_int_value(int64_t v) { memcpy(mutable_bytes() + ValueOffset(), &v, 8); }

std::string_view Entry::str_value() const {
  size_t off = ValueOffset();
  uint64_t len;
  off += DecodeVarint(bytes() + off, &len);
  return {reinterpret_cast<const char*>(bytes() + off), static_cast<size_t>(len)};
}

char* Entry::mutable_str_data() { return const_cast<char*>(str_value().data()); }

std::string_view Entry::StringView(char* scratch) const {
  if (is_int()) return {scratch, FormatInt64(int_value(), scratch)};
  return str_value();
}

size_t Entry::StringLength() const {
  if (is_int()) {
    char buf[kMaxInt64Chars];
    return FormatInt64(int_value(), buf);
  }
  return str_value().size();
}

size_t Entry::EncodedSize() const {
  size_t off = ValueOffset();
  if (!LengthPrefixed(encoding())) return off + 8;  // int64 or object pointer
  uint64_t len;
  off += DecodeVarint(bytes() + off, &len);
  return off + static_cast<size_t>(len);
}

size_t Entry::AllocatedSize(size_t samples) const {
  const size_t encoded = EncodedSize();
  size_t total = InBlock(encoded) ? blocks::SizeFor(encoded) : AllocationSize(this);
  if (!is_object() || object<void>() == nullptr) return total;
  switch (encoding()) {
    case Encoding::kHashtable: return total + sizeof(StringMap) + object<StringMap>()->MemoryBytes(samples);
    case Encoding::kSkiplist: return total + sizeof(ZSet) + object<ZSet>()->MemoryBytes(samples);
    case Encoding::kQuicklist: return total + object<ListObject>()->MemoryBytes();
    case Encoding::kStream: return total + object<StreamValue>()->MemoryBytes();
    default: return total;
  }
}


}  // namespace minired
