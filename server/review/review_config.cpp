#include "server/review/review_config.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/files/json_fields.hpp"
#include "server/review/comment_codes.hpp"

namespace hemalink::review {

void read_review_config(files::JsonFields& top, ReviewConfig& review) {
  const nlohmann::json* node = top.object("review");
  if (node == nullptr)
    return;
  files::JsonFields f(*node, top.path_of("review"), top.errors());
  const nlohmann::json* codes = f.object("comment_codes");
  if (codes == nullptr)
    return;
  for (const auto& [code, text] : codes->items()) {
    const auto path = fmt::format("{}[\"{}\"]", f.path_of("comment_codes"), code);
    if (auto problem = comment_code_problem(code)) {
      f.error(path, *problem);
    } else if (!text.is_string()) {
      f.error(files::Errc::WrongType, path,
              fmt::format("expected the comment as a string, got {}", files::describe(text)));
    } else if (auto bad_text = comment_text_problem(text.get<std::string>())) {
      f.error(path, *bad_text);
    } else {
      review.comment_codes[code] = text.get<std::string>();
    }
  }
}

}  // namespace hemalink::review
