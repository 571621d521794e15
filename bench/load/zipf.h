// Zipf-distributed key ranks for skewed workloads (a few hot keys, a long tail), by
// rejection-inversion (Hörmann & Derflinger, 1996): O(1) per sample and no table, so
// it works for any keyspace size and any exponent s > 0.
#pragma once

#include <cstdint>
#include <random>

namespace minired::bench {

class ZipfSampler {
 public:
  // Ranks 1..n, P(k) proportional to 1 / k^s.
  ZipfSampler(uint64_t n, double s);
  // A rank in [1, n]; `u01` yields uniform doubles in [0, 1).
  template <typename Uniform01>
  uint64_t Sample(Uniform01&& u01) const {
    while (true) {
      double u = h_integral_n_ + u01() * (h_integral_x1_ - h_integral_n_);
      double x = HIntegralInverse(u);
      double kd = x + 0.5;
      uint64_t k = kd < 1 ? 1 : kd > static_cast<double>(n_) ? n_ : static_cast<uint64_t>(kd);
      double kf = static_cast<double>(k);
      if (kf - x <= threshold_ || u >= HIntegral(kf + 0.5) - H(kf)) return k;
    }
  }

 private:
  double H(double x) const;
  double HIntegral(double x) const;
  double HIntegralInverse(double x) const;

  uint64_t n_;
  double s_;
  double h_integral_x1_;
  double h_integral_n_;
  double threshold_;
};

}  // namespace minired::bench
