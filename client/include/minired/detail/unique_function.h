// A move-only std::function: completion handlers (futures, coroutines) cannot be
// copied, so the connection stores them in this. C++23's std::move_only_function
// is not in Debian 12's GCC 12 in C++20 mode. Callables up to kInline bytes live
// inside the object, so the common completion needs no allocation of its own.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace minired::client::detail {

template <typename Sig>
class UniqueFunction;

template <typename R, typename... A>
class UniqueFunction<R(A...)> {
 public:
  static constexpr size_t kInline = 64;

  UniqueFunction() = default;
  template <typename F>
    requires(!std::is_same_v<std::decay_t<F>, UniqueFunction>)
  UniqueFunction(F&& f) {  // NOLINT: implicit, like std::function
    using Fn = std::decay_t<F>;
    if constexpr (sizeof(Fn) <= kInline && alignof(Fn) <= alignof(std::max_align_t) &&
                  std::is_nothrow_move_constructible_v<Fn>) {
      new (storage_) Fn(std::forward<F>(f));
      ops_ = &InlineOps<Fn>;
    } else {
      *reinterpret_cast<Fn**>(storage_) = new Fn(std::forward<F>(f));
      ops_ = &HeapOps<Fn>;
    }
  }
  UniqueFunction(UniqueFunction&& o) noexcept : ops_(o.ops_) {
    if (ops_) ops_->move(o.storage_, storage_);
    o.ops_ = nullptr;
  }
  UniqueFunction& operator=(UniqueFunction&& o) noexcept {
    if (this != &o) {
      reset();
      ops_ = o.ops_;
      if (ops_) ops_->move(o.storage_, storage_);
      o.ops_ = nullptr;
    }
    return *this;
  }
  ~UniqueFunction() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  R operator()(A... args) { return ops_->call(storage_, std::forward<A>(args)...); }

 private:
  struct Ops {
    R (*call)(void*, A&&...);
    void (*move)(void* from, void* to);  // move-constructs into `to`, destroys `from`
    void (*destroy)(void*);
  };
  template <typename Fn>
  static constexpr Ops InlineOps = {
      [](void* s, A&&... a) -> R { return (*static_cast<Fn*>(s))(std::forward<A>(a)...); },
      [](void* from, void* to) {
        new (to) Fn(std::move(*static_cast<Fn*>(from)));
        static_cast<Fn*>(from)->~Fn();
      },
      [](void* s) { static_cast<Fn*>(s)->~Fn(); }};
  template <typename Fn>
  static constexpr Ops HeapOps = {
      [](void* s, A&&... a) -> R { return (**static_cast<Fn**>(s))(std::forward<A>(a)...); },
      [](void* from, void* to) { *static_cast<Fn**>(to) = *static_cast<Fn**>(from); },
      [](void* s) { delete *static_cast<Fn**>(s); }};

  void reset() {
    if (ops_) ops_->destroy(storage_);
    ops_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char storage_[kInline];
  const Ops* ops_ = nullptr;
};

}  // namespace minired::client::detail
