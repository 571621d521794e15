#include "bench/load/zipf.h"

#include <cmath>

namespace minired::bench {

namespace {
// (e^x - 1) / x, and log(1 + x) / x, both continuous at 0.
double ExpM1OverX(double x) { return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1 + x / 2 * (1 + x / 3); }
double Log1pOverX(double x) { return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1 - x * (0.5 - x / 3); }
}  // namespace

ZipfSampler::ZipfSampler(uint64_t n, double s) : n_(n < 1 ? 1 : n), s_(s) {
  h_integral_x1_ = HIntegral(1.5) - 1;
  h_integral_n_ = HIntegral(static_cast<double>(n_) + 0.5);
  threshold_ = 2 - HIntegralInverse(HIntegral(2.5) - H(2));
}

// h(x) = x^-s, the unnormalised density.
double ZipfSampler::H(double x) const { return std::exp(-s_ * std::log(x)); }

// An antiderivative of h: (x^(1-s) - 1) / (1-s), or log(x) when s = 1.
double ZipfSampler::HIntegral(double x) const {
  double log_x = std::log(x);
  return ExpM1OverX((1 - s_) * log_x) * log_x;
}

double ZipfSampler::HIntegralInverse(double x) const {
  double t = x * (1 - s_);
  if (t < -1) t = -1;  // rounding guard: the true value is never below -1
  return std::exp(Log1pOverX(t) * x);
}

}  // namespace minired::bench
