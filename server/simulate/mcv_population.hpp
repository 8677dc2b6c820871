#pragma once

#include <random>

namespace hemalink::simulate {

/// A stable hospital population's MCV (fL): 97 % normocytic (89.5 +/- 4.0), 2 % microcytic
/// (75 +/- 5: iron deficiency, thalassaemia trait), 1 % macrocytic (105 +/- 5). What the
/// simulated XN's patients have, and what Bull's XbarM is measured on.
class McvPopulation {
 public:
  double draw(std::mt19937& rng) {
    const double u = which_(rng);
    return u < 0.02 ? micro_(rng) : u < 0.03 ? macro_(rng) : normal_(rng);
  }

 private:
  std::uniform_real_distribution<double> which_{0, 1};
  std::normal_distribution<double> normal_{89.5, 4.0};
  std::normal_distribution<double> micro_{75, 5};
  std::normal_distribution<double> macro_{105, 5};
};

}  // namespace hemalink::simulate
