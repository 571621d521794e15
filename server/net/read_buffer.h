// A connection's input buffer: [start, end) holds received bytes not yet consumed.
//
// It grows by doubling with the bytes that actually arrive, never to a size a request
// header merely declares: a client announcing a 512 MB bulk gets a bigger buffer only
// as it really sends those bytes, so a stranger cannot make the server allocate.
// Storage is left uninitialized (no zero-fill of buffers about to be overwritten).
//
// An idle connection holds no storage: its I/O thread lends it one buffer for a read
// and takes it back once every byte was consumed (Release), so 10,000 idle clients do
// not hold 10,000 read buffers. Only a connection left with part of a command keeps one.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace minired {

class ReadBuffer {
 public:
  static constexpr size_t kInitial = 16 * 1024;
  static constexpr size_t kMinFree = 4 * 1024;
  // A drained buffer bigger than this (one big request grew it) is not reused.
  static constexpr size_t kMaxKept = 4 * kInitial;

  // A buffer's memory, handed between an idle connection and its I/O thread.
  struct Storage {
    std::unique_ptr<char[]> data;
    size_t cap = 0;
  };

  std::string_view pending() const { return {data_.get() + start_, end_ - start_}; }
  size_t pending_size() const { return end_ - start_; }
  size_t capacity() const { return cap_; }
  size_t free_space() const { return cap_ - end_; }
  char* write_ptr() { return data_.get() + end_; }

  bool has_storage() const { return data_ != nullptr; }
  // Takes `storage` as this buffer's memory; only when it holds none.
  void Adopt(Storage storage) {
    data_ = std::move(storage.data);
    cap_ = data_ ? storage.cap : 0;
    start_ = end_ = 0;
  }
  // Gives the memory back; only when nothing is pending.
  Storage Release() {
    Storage s{std::move(data_), cap_};
    cap_ = start_ = end_ = 0;
    return s;
  }

  void Consume(size_t n) { start_ += n; }
  void Commit(size_t n) { end_ += n; }
  void ConsumeAll() { start_ = end_; }

  // Makes room for the next read: at least kMinFree bytes free. `hint` is the total
  // size the current incomplete request needs, if known; it only lets the buffer skip
  // compaction, never grow past twice what it holds.
  void PrepareForRead(size_t hint) {
    size_t pending = end_ - start_;
    if (pending == 0) {
      start_ = end_ = 0;
      // Give back a buffer that one big request made large.
      if (cap_ > kMaxKept) Reset(kInitial);
    }
    if (!data_) Reset(kInitial);
    if (cap_ - end_ >= kMinFree) return;
    if (start_ > 0 && (hint <= cap_ || pending + kMinFree <= cap_ / 2)) {
      memmove(data_.get(), data_.get() + start_, pending);
      start_ = 0;
      end_ = pending;
      if (cap_ - end_ >= kMinFree) return;
    }
    size_t grown = std::max(cap_ * 2, pending + kMinFree);
    std::unique_ptr<char[]> fresh(new char[grown]);
    if (pending > 0) memcpy(fresh.get(), data_.get() + start_, pending);
    data_ = std::move(fresh);
    cap_ = grown;
    start_ = 0;
    end_ = pending;
  }

 private:
  void Reset(size_t cap) {
    data_.reset(new char[cap]);
    cap_ = cap;
    start_ = end_ = 0;
  }
  std::unique_ptr<char[]> data_;
  size_t cap_ = 0;
  size_t start_ = 0;
  size_t end_ = 0;
};

}  // namespace minired
