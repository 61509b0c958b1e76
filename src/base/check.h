// CHECK(cond): an internal invariant. Failing it is a bug in Tether, never the result of
// outside input: input from the network, files or the database is validated and answered
// with an error value instead (see STYLE.md, "never assert on input from outside").
#pragma once

#include <cstdio>
#include <cstdlib>

#define TETHER_CHECK(cond)                                                             \
  do {                                                                                 \
    if (__builtin_expect(!(cond), 0)) {                                                \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

#ifdef NDEBUG
#define TETHER_DCHECK(cond) \
  do {                      \
  } while (0)
#else
#define TETHER_DCHECK(cond) TETHER_CHECK(cond)
#endif
