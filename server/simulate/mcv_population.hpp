#pragma once

#include <random>

#include "server/simulate/random_draws.hpp"

namespace hemalink::simulate {

/// A stable hospital population's MCV (fL): 97 % normocytic (89.5 +/- 4.0), 2 % microcytic
/// (75 +/- 5: iron deficiency, thalassaemia trait), 1 % macrocytic (105 +/- 5). What the
/// simulated XN's patients have, and what Bull's XbarM is measured on.
class McvPopulation {
 public:
  double draw(std::mt19937& rng) { return component(which_(rng))(rng); }
  /// The same population drawn by RandomDraws: the same values from a seed on every standard
  /// library (std::normal_distribution is each library's own), for tests that count.
  double draw(RandomDraws& random) {
    const auto& c = component(random.uniform());
    return random.normal(c.mean(), c.stddev());
  }

 private:
  // The part of the population a uniform draw in [0, 1) falls in.
  std::normal_distribution<double>& component(double u) {
    return u < 0.02 ? micro_ : u < 0.03 ? macro_ : normal_;
  }

  std::uniform_real_distribution<double> which_{0, 1};
  std::normal_distribution<double> normal_{89.5, 4.0};
  std::normal_distribution<double> micro_{75, 5};
  std::normal_distribution<double> macro_{105, 5};
};

}  // namespace hemalink::simulate
