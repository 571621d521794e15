#include "replication/backlog.h"

#include <algorithm>

namespace minired {

void ReplBacklog::Append(std::string_view bytes) {
  end_offset_ += bytes.size();
  histlen_ = static_cast<size_t>(std::min<uint64_t>(histlen_ + bytes.size(), capacity_));
  if (bytes.size() >= capacity_) bytes = bytes.substr(bytes.size() - capacity_);
  if (buf_.size() < capacity_) {
    // Still growing (memory is taken as the stream needs it, not all up front).
    size_t room = capacity_ - buf_.size();
    size_t n = std::min(room, bytes.size());
    if (buf_.capacity() < buf_.size() + n) {
      buf_.reserve(std::min(capacity_, std::max(buf_.size() + n, 2 * buf_.capacity())));  // never past capacity_
    }
    buf_.append(bytes.data(), n);
    pos_ = buf_.size() % capacity_;
    bytes.remove_prefix(n);
  }
  while (!bytes.empty()) {
    size_t n = std::min(capacity_ - pos_, bytes.size());
    buf_.replace(pos_, n, bytes.data(), n);
    pos_ = (pos_ + n) % capacity_;
    bytes.remove_prefix(n);
  }
}

void ReplBacklog::CopyFrom(uint64_t from, std::string* out) const {
  size_t n = static_cast<size_t>(end_offset_ + 1 - from);
  if (n == 0) return;
  size_t size = buf_.size();
  // The newest byte is just before pos_ (or at the end while the ring is still growing).
  size_t end = buf_.size() < capacity_ ? size : pos_;
  size_t start = (end + size - n) % size;
  if (start + n <= size) {
    out->append(buf_.data() + start, n);
  } else {
    out->append(buf_.data() + start, size - start);
    out->append(buf_.data(), n - (size - start));
  }
}

void ReplBacklog::Skip(size_t n) { Reset(end_offset_ + n); }

void ReplBacklog::Reset(uint64_t end_offset) {
  std::string().swap(buf_);
  pos_ = 0;
  histlen_ = 0;
  end_offset_ = end_offset;
}

void ReplBacklog::Resize(size_t capacity) {
  capacity = capacity ? capacity : 1;
  size_t keep = std::min(histlen_, capacity);
  std::string newest;
  CopyFrom(end_offset_ + 1 - keep, &newest);
  uint64_t end = end_offset_;
  capacity_ = capacity;
  Reset(end - keep);
  Append(newest);
}

}  // namespace minired
