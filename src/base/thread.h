// Thread roles for the kernel's scheduler.
//
// tetherd runs a few background threads per node (the updater, the store's committer, the
// history writer) that do batch work for the front ends (the DNS and HTTP threads). On a
// busy core, a front end that hands such a thread its work wakes it, and the kernel's
// default policy lets the woken thread preempt the waker at once: it runs a moment, blocks
// on the lock the waker still holds, and hands the core back — two context switches for
// nothing, several times per batch. Marked as batch work (SCHED_BATCH, same priority), a
// background thread runs when the front end yields the core instead, and never delays a
// query by preempting the thread answering it.
#pragma once

namespace tether {

// Marks the calling thread as batch work (SCHED_BATCH, nice unchanged), then names it
// `name` (at most 15 characters; per-thread CPU accounting and `top -H` show it). In that
// order, so that a thread found by its name already has its policy. Needs no privilege;
// best effort: a kernel without the policy leaves the thread as it was.
void BecomeBatchThread(const char* name);

}  // namespace tether
