# Included by _encoder.pyx: the counting half of the restore's chunk statement check
# (dumpcore/verify/chunk_check.py). Same result as reference.count_patterns.
#
# count_patterns(buf, patterns): for each pattern (every one holds a LF), how many times
# it occurs in buf, non-overlapping and leftmost first: exactly ``bytes(buf).count(pattern)``.
# One memchr walk over the LFs instead of one full search per pattern: each occurrence
# is tried at the first LF it holds, so occurrences come in order of their start.
# ``buf`` is any contiguous buffer (bytes, or a memoryview of the reader's reused
# bytearray: the pre-flight counts each block where it was read, allocating nothing).

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.string cimport memchr, memcmp


def count_patterns(const unsigned char[::1] buf not None, tuple patterns):
    cdef Py_ssize_t n = buf.shape[0]
    cdef Py_ssize_t npat = len(patterns)
    cdef const char* data = <const char*>&buf[0] if n else NULL
    cdef const char* p
    cdef const char* nl
    cdef Py_ssize_t i, pos, start
    cdef Py_ssize_t* anchor = <Py_ssize_t*>PyMem_Malloc(max(npat, 1) * 4 * sizeof(Py_ssize_t))
    if anchor == NULL:
        raise MemoryError()
    cdef Py_ssize_t* length = anchor + npat
    cdef Py_ssize_t* last_end = anchor + 2 * npat
    cdef Py_ssize_t* count = anchor + 3 * npat
    cdef const char** pat = <const char**>PyMem_Malloc(max(npat, 1) * sizeof(char*))
    if pat == NULL:
        PyMem_Free(anchor)
        raise MemoryError()
    try:
        for i in range(npat):
            item = patterns[i]
            if not isinstance(item, bytes):
                raise TypeError("patterns must be bytes")
            pat[i] = PyBytes_AS_STRING(item)
            length[i] = PyBytes_GET_SIZE(item)
            nl = <const char*>memchr(pat[i], 10, length[i])
            if nl == NULL:
                raise ValueError("every pattern must hold a LF")
            anchor[i] = nl - pat[i]
            last_end[i] = 0
            count[i] = 0
        with nogil:
            p = data
            while n:
                nl = <const char*>memchr(p, 10, n - (p - data))
                if nl == NULL:
                    break
                pos = nl - data
                for i in range(npat):
                    start = pos - anchor[i]
                    if (start >= last_end[i] and start + length[i] <= n
                            and memcmp(data + start, pat[i], length[i]) == 0):
                        count[i] += 1
                        last_end[i] = start + length[i]
                p = nl + 1
        return [count[i] for i in range(npat)]
    finally:
        PyMem_Free(anchor)
        PyMem_Free(pat)


# keep_freed_memory(): a restore or verify reads chunk files in blocks of 1-8 MiB and cuts
# them into statements of up to 1 MiB. Each such bytes object is above glibc's mmap
# threshold: a fresh mmap, zeroed by the kernel page by page, unmapped when freed, and
# the next one faults again (a fifth of a restore's client CPU). Raising the threshold
# to its maximum and the trim threshold with it keeps freed blocks in the heap for the
# next ones (what GLIBC_TUNABLES mmap_threshold/trim_threshold would do at start-up).
# 64 MiB of free heap at most is kept: a large restore's peak RSS and CPU were the same
# with 16, 64 and 256 MiB.
# A process-wide setting: the CLI calls it for restore and verify, the library never.

cdef extern from "malloc.h":
    int mallopt(int param, int value)
    enum:
        M_MMAP_THRESHOLD
        M_TRIM_THRESHOLD


def keep_freed_memory(int mmap_threshold=32 << 20, int trim_threshold=64 << 20):
    """True when glibc took both settings."""
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1 and mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1
