#include "base/thread.h"

#include <pthread.h>
#include <sched.h>

namespace tether {

void BecomeBatchThread(const char* name) {
  sched_param param{};
  param.sched_priority = 0;  // the only priority of SCHED_BATCH
  (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
  pthread_setname_np(pthread_self(), name);
}

}  // namespace tether
