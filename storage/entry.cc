#include "storage/entry.h"

#include <mimalloc.h>

#include <new>

#include "protocol/numbers.h"

namespace minired {
namespace {


size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

size_t PutVarint(uint8_t* p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<uint8_t>(v);
  return n;
}

}  // namespace

const char* TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
    case ValueType::kHash: return "hash";
  }
  return "none";
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kInt: return "int";
    case Encoding::kEmbStr: return "embstr";
    case Encoding::kRaw: return "raw";
  }
  return "unknown";
}

Entry* Entry::Build(ValueType type, Encoding enc, std::string_view key, int64_t expire_ms,
                    std::string_view str, int64_t int_value, uint32_t lru) {
  size_t size = kHeaderSize + VarintSize(key.size()) + (expire_ms ? 8 : 0) + key.size();
  if (enc == Encoding::kInt) {
    size += 8;
  } else {
    size += VarintSize(str.size()) + str.size();
  }
  auto* p = static_cast<uint8_t*>(::operator new(size));
  p[0] = static_cast<uint8_t>(static_cast<uint8_t>(type) | (static_cast<uint8_t>(enc) << 4));
  p[1] = expire_ms ? (kExpireRoom | kHasExpire) : 0;
  size_t off = kHeaderSize;
  off += PutVarint(p + off, key.size());
  if (expire_ms) {
    memcpy(p + off, &expire_ms, 8);
    off += 8;
  }
  memcpy(p + off, key.data(), key.size());
  off += key.size();
  if (enc == Encoding::kInt) {
    memcpy(p + off, &int_value, 8);
  } else {
    off += PutVarint(p + off, str.size());
    memcpy(p + off, str.data(), str.size());
  }
  auto* e = reinterpret_cast<Entry*>(p);
  e->set_lru(lru);
  return e;
}

Entry* Entry::NewString(std::string_view key, std::string_view value, int64_t expire_ms,
                        StringForm form) {
  if (form == StringForm::kAuto && value.size() <= kMaxInt64Chars) {
    if (auto v = ParseInt64(value)) return NewInt(key, *v, expire_ms);
  }
  bool raw = form == StringForm::kRaw;
  Encoding enc = (raw || value.size() > kEmbStrMaxLen) ? Encoding::kRaw : Encoding::kEmbStr;
  return Build(ValueType::kString, enc, key, expire_ms, value, 0, 0);
}

Entry* Entry::NewInt(std::string_view key, int64_t value, int64_t expire_ms) {
  return Build(ValueType::kString, Encoding::kInt, key, expire_ms, {}, value, 0);
}

Entry* Entry::CloneWith(const Entry* e, std::string_view new_key, int64_t expire_ms) {
  if (e->is_int()) {
    Entry* c = Build(e->type(), e->encoding(), new_key, expire_ms, {}, e->int_value(), e->lru());
    return c;
  }
  return Build(e->type(), e->encoding(), new_key, expire_ms, e->str_value(), 0, e->lru());
}

void Entry::Free(Entry* e) { ::operator delete(static_cast<void*>(e)); }

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

size_t Entry::AllocatedSize() const { return mi_usable_size(this); }

}  // namespace minired
