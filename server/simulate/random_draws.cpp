#include "server/simulate/random_draws.hpp"

#include <cmath>
#include <numbers>
#include <numeric>

namespace hemalink::simulate {

double RandomDraws::uniform() {
  const std::uint64_t high = engine_() >> 5;                            // 27 bits
  const std::uint64_t low = engine_() >> 6;                             // 26 bits
  return static_cast<double>((high << 26) | low) / 9007199254740992.0;  // 2^53
}

int RandomDraws::integer(int low, int high) {
  const auto span = static_cast<double>(high - low + 1);
  const int drawn = low + static_cast<int>(uniform() * span);
  return drawn > high ? high : drawn;
}

double RandomDraws::normal(double mean, double sd) {
  const double u = 1.0 - uniform();  // (0, 1]: the logarithm stays finite
  const double v = uniform();
  return mean + sd * std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
}

double RandomDraws::log_normal(double median, double sigma) {
  return median * std::exp(normal(0.0, sigma));
}

std::size_t RandomDraws::pick(std::span<const double> weights) {
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  double left = uniform() * total;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (left < weights[i]) {
      return i;
    }
    left -= weights[i];
  }
  std::size_t last = weights.size() - 1;  // rounding left a crumb: the last possible one
  while (last > 0 && weights[last] <= 0) {
    --last;
  }
  return last;
}

}  // namespace hemalink::simulate
