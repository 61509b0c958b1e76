// The memory allocator of tetherd (docs/configuration.md, "Memory allocator").
//
// Release builds link jemalloc (TETHER_JEMALLOC): the update path hands many small objects
// from one thread to another (the HTTP thread makes a request, the updater frees it; the
// updater makes the answer and the history entry, the HTTP and store threads free them), a
// pattern glibc's per-thread caches serve badly. Sanitizer and fuzz builds keep glibc's
// malloc, which the sanitizers replace anyway.
#pragma once

#include <string>

namespace tether::app {

// Which allocator serves malloc, and its version: "jemalloc 5.3.0-..." or "glibc malloc".
std::string AllocatorName();

// Gives memory that is free again back to the system at once, e.g. after loading zones
// (their parsing needs several times the memory the loaded zones keep).
void ReleaseFreeMemory();

}  // namespace tether::app
