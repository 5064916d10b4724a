#include "allocatortuning.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace LeadDesk::Core {

void tuneAllocatorForThroughput()
{
#if defined(__GLIBC__)
    // Blocks up to 32 MiB come from the arenas (setting it also stops glibc raising the
    // threshold on its own), and an arena keeps up to 512 MiB of free memory at its top.
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
}

} // namespace LeadDesk::Core
