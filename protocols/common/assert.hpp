#pragma once

#include <cstdio>
#include <cstdlib>

/// HL_ASSERT(condition): a provable internal invariant, checked in debug and sanitizer builds
/// (no NDEBUG), where a violation prints the condition with its file and line and aborts; in
/// release builds it costs nothing. Never for anything input or the environment can cause.
#ifdef NDEBUG
#define HL_ASSERT(condition) static_cast<void>(0)
#else
#define HL_ASSERT(condition)                                                                     \
  ((condition)                                                                                   \
       ? static_cast<void>(0)                                                                    \
       : (std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #condition), \
          std::abort()))
#endif
