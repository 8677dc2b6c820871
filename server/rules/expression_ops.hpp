#pragma once

/// Every instruction of a compiled rule expression, in order, with the evaluator's handler for
/// it. CompiledExpression::Op and the evaluator's dispatch (its table of handler addresses, or
/// its switch) are both generated from this one list, so they cannot drift apart.
/// X(op, handler): several ops may share a handler that tells them apart by `ip->op`.
#define HL_RULE_OPS(X)                                                                           \
  X(None, none)                                                                                  \
  X(PushNumber, push_number)                                                                     \
  X(PushText, push_text)                                                                         \
  X(PushTruth, push_truth)                                                                       \
  X(Value, value)                                                                                \
  X(Text, text)                                                                                  \
  X(Units, units)                                                                                \
  X(Status, status)                                                                              \
  X(StatusIs, status_is)         /* argument: the ResultStatus */                                \
  X(ComparatorIs, comparator_is) /* argument: the Comparator */                                  \
  X(AbnormalFlag, abnormal_flag)                                                                 \
  X(Code, code)                                                                                  \
  X(ComparatorText, comparator_text)                                                             \
  X(Sex, sex)                                                                                    \
  X(AgeYears, age_years)                                                                         \
  X(ReferenceLow, reference_low)                                                                 \
  X(ReferenceHigh, reference_high)                                                               \
  X(IsRerun, is_rerun_read)                                                                      \
  X(IsQc, is_qc)                                                                                 \
  X(QcStatus, qc_status)                                                                         \
  X(QcStatusIs, qc_status_is) /* argument: the records::GateStatus */                            \
  X(Result, result)                                                                              \
  X(HasResult, has_result)                                                                       \
  /* flag(): argument: the first of `constant` (1 or more, `or`ed) flag names in texts_; */      \
  /* fact: in a joined program, their mask in masks_ */                                          \
  X(AnyFlag, any_flag)                                                                           \
  X(Previous, previous)                                                                          \
  X(Delta, delta)                                                                                \
  X(DeltaPct, delta_pct)                                                                         \
  X(HasPrevious, has_previous)                                                                   \
  X(Abs, abs)                                                                                    \
  X(Min, two_operands)                                                                           \
  X(Max, two_operands)                                                                           \
  X(Pow, two_operands)                                                                           \
  X(Negate, negate)                                                                              \
  X(Not, not_)                                                                                   \
  X(Add, two_operands)                                                                           \
  X(Subtract, two_operands)                                                                      \
  X(Multiply, two_operands)                                                                      \
  X(Divide, two_operands)                                                                        \
  X(Less, compare_two)                                                                           \
  X(LessOrEqual, compare_two)                                                                    \
  X(Greater, compare_two)                                                                        \
  X(GreaterOrEqual, compare_two)                                                                 \
  X(Equal, compare_two)                                                                          \
  X(NotEqual, compare_two)                                                                       \
  X(TextEqual, two_operands)                                                                     \
  X(TextNotEqual, two_operands)                                                                  \
  X(And, and_)                                                                                   \
  X(Or, or_)                                                                                     \
  X(JumpIfFalse, jump_if_false) /* argument: where to go when the top is False (it stays) */     \
  X(JumpIfTrue, jump_if_true)                                                                    \
  X(AndThen, and_then) /* like JumpIfFalse, but a True top is dropped: the right side decides */ \
  X(OrElse, or_else)   /* like JumpIfTrue, but a False top is dropped */                         \
  X(Fire, fire) /* ends one condition of a joined program; argument: the rule fired if True */
