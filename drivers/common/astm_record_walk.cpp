#include "drivers/common/astm_record_walk.hpp"

namespace hemalink::drivers {

void AstmRecordHooks::comment(AstmWalk& walk, const astm::Lis2Record& record) const {
  auto text = walk.fields.text(record, 3);
  if (text.empty()) {
    return;
  }
  if (walk.last != nullptr) {
    walk.last->comments.push_back(std::move(text));
  } else if (walk.current != nullptr) {
    walk.current->comments.push_back(std::move(text));
  } else {
    walk.patient_comments.push_back(std::move(text));
  }
}

void AstmRecordHooks::other(AstmWalk&, const astm::Lis2Record&) const {}

Result<Translation> walk_records(const astm::Lis2Message& message, Charset charset,
                                 std::string_view driver, const AstmRecordHooks& hooks) {
  Translation out;
  const AstmFields fields(message, charset);
  AstmWalk walk{fields, out, {std::string(driver), "", "", ""}, {}, {}, nullptr, nullptr};
  for (std::size_t i = 0; i < message.record_count(); ++i) {
    const auto record = message.record(i);
    switch (record.type()) {
      case 'H':
        walk.analyzer = analyzer_from_header(fields, record, driver);
        break;
      case 'P':
        walk.patient = hooks.patient(fields, record);
        break;
      case 'O': {
        auto set = hooks.order(walk, record);
        if (!set) {
          return set.error();
        }
        walk.current = *set;
        walk.last = nullptr;
        walk.current->analyzer = walk.analyzer;
        walk.current->patient = walk.patient;
        auto& comments = walk.current->comments;
        comments.insert(comments.end(), std::make_move_iterator(walk.patient_comments.begin()),
                        std::make_move_iterator(walk.patient_comments.end()));
        walk.patient_comments.clear();
        break;
      }
      case 'R': {
        if (walk.current == nullptr) {
          return result_before_order(record);
        }
        auto added = hooks.result(walk, record, *walk.current);
        if (!added) {
          return added.error();
        }
        walk.last = *added;
        break;
      }
      case 'C':
        hooks.comment(walk, record);
        break;
      default:
        hooks.other(walk, record);
        break;
    }
  }
  return out;
}

}  // namespace hemalink::drivers
