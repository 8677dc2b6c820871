#pragma once

#include <cstdio>
#include <cstdlib>

// A property the codec must keep on any input; libFuzzer records the input that breaks it.
#define HL_FUZZ_CHECK(condition)                                                                 \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                              \
    }                                                                                            \
  } while (false)
