// Process-wide settings of glibc's allocator, made once at the start of main() by a program
// that streams large buffers (metactl: export, import, backup).
#pragma once

#include <cstddef>

namespace raftstore {

// The allocator keeps up to this much freed memory at the top of a heap before it gives it
// back to the kernel, and serves blocks up to kMallocMmapThreshold from its heaps.
inline constexpr size_t kMallocTrimThreshold = 64 << 20;
inline constexpr size_t kMallocMmapThreshold = 32 << 20;

// Keeps freed memory in the process for the next allocation instead of returning it to the
// kernel at once (mallopt M_TRIM_THRESHOLD and M_MMAP_THRESHOLD above).
//
// Why: by default glibc gives back the top of a heap as soon as 128 KiB of it is free, and
// maps blocks over 128 KiB one by one. A stream of large buffers (gRPC's receive buffers, the
// export's 1 MiB chunks) then touches fresh pages for every buffer, one page fault each; on a
// virtual machine a fault is expensive. The live export client spent most of its system time
// there (faults under recvmsg): 1.83-2.35 s -> 1.63-1.83 s for 1M keys in paired runs, and the
// stopped-dir export 0.93-1.00 s -> 0.84-0.88 s. The peak memory stays what the program uses at its peak; what it keeps
// after a peak is at most kMallocTrimThreshold per heap.
//
// Returns false when the allocator refused a setting (another allocator, e.g. a sanitizer's).
bool KeepFreedMemory();

}  // namespace raftstore
