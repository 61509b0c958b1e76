// Clang thread-safety annotations (-Wthread-safety); empty under other compilers.
#pragma once

#if defined(__clang__)
#define TETHER_TSA(x) __attribute__((x))
#else
#define TETHER_TSA(x)
#endif

#define CAPABILITY(x) TETHER_TSA(capability(x))
#define SCOPED_CAPABILITY TETHER_TSA(scoped_lockable)
#define GUARDED_BY(x) TETHER_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) TETHER_TSA(pt_guarded_by(x))
#define REQUIRES(...) TETHER_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) TETHER_TSA(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) TETHER_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) TETHER_TSA(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS TETHER_TSA(no_thread_safety_analysis)
