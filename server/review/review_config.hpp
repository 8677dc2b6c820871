#pragma once

#include <map>
#include <string>

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::review {

/// What the configuration's `review` object says of the review page.
struct ReviewConfig {
  /// The lab's comment codes, by code (".ok": "Reviewed, consistent with previous"): the defaults
  /// that codes stored through the API change, add to or remove.
  std::map<std::string, std::string> comment_codes;
};

/// Reads the configuration's `review` object, when present, into `review`; errors go to `top`'s
/// list with their JSON paths (review.comment_codes[".OK!"]).
void read_review_config(files::JsonFields& top, ReviewConfig& review);

}  // namespace hemalink::review
