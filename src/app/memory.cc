#include "app/memory.h"

#ifdef TETHER_JEMALLOC
#include <jemalloc/jemalloc.h>
#else
#include <malloc.h>
#endif

#include <string>

#ifdef TETHER_JEMALLOC
// jemalloc reads its options from this symbol at its first allocation (the MALLOC_CONF
// environment variable still overrides them). Freed pages go back to the system through a
// background thread within about a second, so a load's transient memory is not kept, and
// no request thread pays for returning it.
extern "C" {
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
#endif

namespace tether::app {

std::string AllocatorName() {
#ifdef TETHER_JEMALLOC
  const char* version = nullptr;
  size_t size = sizeof(version);
  if (mallctl("version", &version, &size, nullptr, 0) != 0 || version == nullptr) return "jemalloc";
  return std::string("jemalloc ") + version;
#else
  return "glibc malloc";
#endif
}

void ReleaseFreeMemory() {
#ifdef TETHER_JEMALLOC
  // Every arena's free pages, now (MALLCTL_ARENAS_ALL).
  const std::string purge = "arena." + std::to_string(MALLCTL_ARENAS_ALL) + ".purge";
  (void)mallctl(purge.c_str(), nullptr, nullptr, nullptr, 0);
#else
  malloc_trim(0);
#endif
}

}  // namespace tether::app
