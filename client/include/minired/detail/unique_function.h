// A move-only std::function: completion handlers (futures, coroutines) cannot be
// copied, so the connection stores them in this. C++23's std::move_only_function
// is not in Debian 12's GCC 12 in C++20 mode.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace minired::client::detail {

template <typename Sig>
class UniqueFunction;

template <typename R, typename... A>
class UniqueFunction<R(A...)> {
 public:
  UniqueFunction() = default;
  template <typename F>
    requires(!std::is_same_v<std::decay_t<F>, UniqueFunction>)
  UniqueFunction(F&& f)  // NOLINT: implicit, like std::function
      : impl_(std::make_unique<Impl<std::decay_t<F>>>(std::forward<F>(f))) {}

  explicit operator bool() const { return impl_ != nullptr; }
  R operator()(A... args) { return impl_->Call(std::forward<A>(args)...); }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual R Call(A... args) = 0;
  };
  template <typename F>
  struct Impl final : Base {
    explicit Impl(F&& f) : fn(std::move(f)) {}
    explicit Impl(const F& f) : fn(f) {}
    R Call(A... args) override { return fn(std::forward<A>(args)...); }
    F fn;
  };
  std::unique_ptr<Base> impl_;
};

}  // namespace minired::client::detail
