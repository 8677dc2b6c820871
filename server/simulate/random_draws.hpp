#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>

namespace hemalink::simulate {

/// The lab day's source of chance: std::mt19937 (the standard fixes its sequence) with our own
/// transforms, so that a seed gives the same day whatever the standard library (the std
/// distributions are left to each library).
class RandomDraws {
 public:
  explicit RandomDraws(std::uint32_t seed) : engine_(seed) {}

  /// In [0, 1), from 53 bits.
  double uniform();
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  /// An integer in [low, high].
  int integer(int low, int high);
  bool chance(double probability) { return uniform() < probability; }
  /// Box-Muller.
  double normal(double mean, double sd);
  /// exp(N(ln median, sigma)).
  double log_normal(double median, double sigma);
  /// An index drawn with the given weights (which need not sum to 1).
  std::size_t pick(std::span<const double> weights);

 private:
  std::mt19937 engine_;
};

}  // namespace hemalink::simulate
