#include "tests/support/order_fixtures.hpp"

#include <algorithm>

#include "tests/support/corpus.hpp"

namespace hemalink::testing {

std::filesystem::path order_fixtures_dir() {
  return std::filesystem::path(HEMALINK_SOURCE_DIR) / "tests/fixtures/orders";
}

std::string fixture_as_sent(const std::filesystem::path& file) {
  auto text = read_file(file);
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  std::replace(text.begin(), text.end(), '\n', '\r');
  return text + '\r';
}

}  // namespace hemalink::testing
