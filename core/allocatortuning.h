#pragma once

namespace LeadDesk::Core {

// Keeps freed memory in the process instead of handing it back to the kernel after every burst.
// glibc's defaults trim thread arenas with madvise() and serve large blocks with fresh mmap()s,
// so a store writer that builds and drops a batch's buffers at each commit spends a quarter of
// its time in page faults and TLB shootdowns (bench_receiver: 15-30 % more requests a second
// with this). For leaddeskctl, whose commands are batches or a server; the desktop app
// keeps the defaults, which favour a small footprint.
void tuneAllocatorForThroughput();

} // namespace LeadDesk::Core
