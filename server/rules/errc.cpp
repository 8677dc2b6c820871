#include "server/rules/errc.hpp"

#include "protocols/common/error_category.hpp"

namespace hemalink::rules {
namespace {

const char* describe(Errc e) {
  switch (e) {
    case Errc::Syntax:
      return "not an expression";
    case Errc::UnknownName:
      return "unknown name";
    case Errc::WrongType:
      return "value of the wrong type";
    case Errc::WrongArguments:
      return "wrong arguments";
    case Errc::TooDeep:
      return "expression too deep";
  }
  return "unknown rules error";
}

const char* describe_version(VersionErrc e) {
  switch (e) {
    case VersionErrc::NoSuchVersion:
      return "no such rule set version";
    case VersionErrc::MoveNotAllowed:
      return "status change not allowed";
    case VersionErrc::ShadowTaken:
      return "another version is in shadow";
    case VersionErrc::NoBacktest:
      return "no backtest";
    case VersionErrc::BacktestNotDone:
      return "backtest not done";
    case VersionErrc::BacktestOfAnotherVersion:
      return "backtest of another version";
    case VersionErrc::FalseNegativesUnexplained:
      return "false negatives without an override comment";
    case VersionErrc::EmptyBacktest:
      return "a backtest of no result";
    case VersionErrc::VersionClash:
      return "version stored with other content";
  }
  return "unknown rule set version error";
}

}  // namespace

std::error_code make_error_code(Errc e) {
  return code_in_category(e, "rules", describe);
}

std::error_code make_error_code(VersionErrc e) {
  return code_in_category(e, "rule_set_version", describe_version);
}

}  // namespace hemalink::rules
