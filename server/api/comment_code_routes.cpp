#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"
#include "server/files/json_fields.hpp"
#include "server/review/comment_codes.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using review::CommentCodeInForce;
using review::StoredCommentCode;

json code_json(const CommentCodeInForce& c) {
  json out = {
      {"code", c.code}, {"text", c.text}, {"source", c.is_stored ? "api" : "configuration"}};
  if (c.is_stored) {
    out["changed_by"] = c.changed_by;
    out["changed_at"] = c.changed_at;
  }
  return out;
}

json stored_json(const StoredCommentCode& c) {
  json out = {{"code", c.code}, {"changed_by", c.changed_by}, {"changed_at", c.changed_at}};
  if (c.text) {
    out["text"] = *c.text;
    out["source"] = "api";
  } else {
    out["removed"] = true;
  }
  return out;
}

Result<std::vector<CommentCodeInForce>, Error> in_force(const LabView& view) {
  HL_TRY(stored_codes, stored(view.review.stored_comment_codes()));
  return review::comment_codes_in_force(view.comment_codes, stored_codes);
}

Result<std::string, Error> code_param(const RouteCall& call) {
  const auto& code = call.param("code");
  if (auto problem = review::comment_code_problem(code))
    return Error{Errc::BadRequest, "code: " + *problem};
  return code;
}

RouteAnswer list(const LabView& view) {
  HL_TRY(stored_codes, stored(view.review.stored_comment_codes()));
  json codes = json::array();
  for (const auto& c : review::comment_codes_in_force(view.comment_codes, stored_codes))
    codes.push_back(code_json(c));
  json removed = json::array();
  for (const auto& c : stored_codes) {
    if (!c.text)
      removed.push_back(stored_json(c));
  }
  return json_response({{"codes", codes}, {"removed", removed}});
}

RouteAnswer put(const LabView& view, const RouteCall& call) {
  HL_TRY(code, code_param(call));
  StoredCommentCode c{code, std::string(), call.actor(), ""};
  auto read = read_json_body(call, [&](files::JsonFields& f) {
    f.text("text", *c.text, true);
    if (f.has("text")) {
      if (auto problem = review::comment_text_problem(*c.text))
        f.error(f.path_of("text"), *problem);
    }
  });
  if (!read)
    return read.error();
  HL_TRY(row, stored(view.review.store_comment_code(c)));
  return json_response(stored_json(row));
}

RouteAnswer remove(const LabView& view, const RouteCall& call) {
  HL_TRY(code, code_param(call));
  HL_TRY(codes, in_force(view));
  if (std::none_of(codes.begin(), codes.end(),
                   [&](const CommentCodeInForce& c) { return c.code == code; })) {
    return Error{Errc::NotFound, fmt::format("no comment code {} is in force", code)};
  }
  HL_TRY(row, stored(view.review.store_comment_code({code, std::nullopt, call.actor(), ""})));
  return json_response(stored_json(row));
}

}  // namespace

void add_comment_code_routes(Router& router, View view) {
  router.add(
      {"GET", "/api/v1/review/comments", config::ApiRole::Viewer, {}, [view](const RouteCall&) {
         return list(*view);
       }});
  router.add({"PUT",
              "/api/v1/review/comments/{code}",
              config::ApiRole::Admin,
              {},
              [view](const RouteCall& call) { return put(*view, call); }});
  router.add({"DELETE",
              "/api/v1/review/comments/{code}",
              config::ApiRole::Admin,
              {},
              [view](const RouteCall& call) { return remove(*view, call); }});
}

}  // namespace hemalink::api
