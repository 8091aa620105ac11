# Included by _encoder.pyx: the keys in a binary log rows event, for dump --since
# --changes binlog (dumpcore/dump/binlog_changes.py). Same results and messages as
# reference.binlog_row_keys, its specification (read its docstring).


cdef inline uint64_t _le(const unsigned char[:] buf, Py_ssize_t p, Py_ssize_t n):
    cdef uint64_t v = 0
    cdef Py_ssize_t i
    for i in range(n - 1, -1, -1):
        v = (v << 8) | buf[p + i]
    return v


def binlog_row_keys(const unsigned char[:] buf, Py_ssize_t start, Py_ssize_t end, tuple sizes, bytes present,
                    present_after, tuple keys, tuple signed):
    cdef Py_ssize_t ncols = len(sizes)
    cdef Py_ssize_t nkeys = len(keys)
    cdef Py_ssize_t nimages = 1 if present_after is None else 2
    cdef Py_ssize_t i, j, c, k, p, nulls, size, nshown, img, row, prefix
    cdef uint64_t v
    cdef int bits
    if end > buf.shape[0] or start < 0:
        raise ValueError("the rows lie outside the buffer")
    images = [present] if present_after is None else [present, present_after]
    for bitmap in images:
        if not isinstance(bitmap, bytes) or len(bitmap) != (ncols + 7) // 8:
            raise ValueError("a column bitmap of the wrong size")
    cdef Py_ssize_t* size_of = <Py_ssize_t*>PyMem_Malloc(max(ncols, 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* key_slot = <Py_ssize_t*>PyMem_Malloc(max(ncols, 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* shown = <Py_ssize_t*>PyMem_Malloc(max(ncols, 1) * 2 * sizeof(Py_ssize_t))
    cdef Py_ssize_t[2] count
    cdef char* is_signed = <char*>PyMem_Malloc(max(nkeys, 1))
    cdef int64_t sv
    cdef object value  # a Python int: signed or not by the key column
    if size_of == NULL or key_slot == NULL or shown == NULL or is_signed == NULL:
        PyMem_Free(size_of)
        PyMem_Free(key_slot)
        PyMem_Free(shown)
        PyMem_Free(is_signed)
        raise MemoryError()
    out = []
    try:
        for c in range(ncols):
            size_of[c] = sizes[c]
            key_slot[c] = -1
        for k in range(nkeys):
            c = keys[k]
            if not 0 <= c < ncols or (signed[k] is not None and size_of[c] not in (1, 2, 3, 4, 8)):
                raise ValueError("a key column that is not a fixed-size integer")
            if key_slot[c] < 0:  # as the reference's keys.index(c): the first slot of a column
                key_slot[c] = k
            is_signed[k] = 2 if signed[k] is None else (1 if signed[k] else 0)  # 2: the bytes as they are
        for img in range(nimages):
            bitmap = images[img]
            count[img] = 0
            for c in range(ncols):
                if (<bytes>bitmap)[c >> 3] >> (c & 7) & 1:
                    shown[img * ncols + count[img]] = c
                    count[img] += 1
        p = start
        while p < end:
            row = p
            for img in range(nimages):
                nshown = count[img]
                nulls = p
                p += (nshown + 7) // 8
                if p > end:
                    raise ValueError(f"a row image runs past the event's end (byte {nulls})")
                found = [None] * nkeys
                for j in range(nshown):
                    if buf[nulls + (j >> 3)] >> (j & 7) & 1:
                        continue
                    c = shown[img * ncols + j]
                    size = size_of[c]
                    prefix = 0
                    if size < 0:
                        if p - size > end:
                            raise ValueError(f"a row image runs past the event's end (byte {p})")
                        prefix = -size
                        size = <Py_ssize_t>_le(buf, p, prefix) + prefix
                    if p + size > end:
                        raise ValueError(f"a row image runs past the event's end (byte {p})")
                    k = key_slot[c]
                    if k >= 0 and is_signed[k] == 2:
                        value = bytes(buf[p + prefix:p + size])
                        for i in range(k, nkeys):
                            if keys[i] == c:
                                found[i] = value
                    elif k >= 0:
                        v = _le(buf, p, size)
                        if is_signed[k]:
                            bits = <int>(64 - 8 * size)
                            sv = (<int64_t>(v << bits)) >> bits
                            value = sv
                        else:
                            value = v
                        for i in range(k, nkeys):  # the same column twice in a key: every slot
                            if keys[i] == c:
                                found[i] = value
                    p += size
                out.append(tuple(found))
            if p == row:
                raise ValueError("a row of no bytes (no column present)")
        if p != end:
            raise ValueError(f"the row images end at byte {p}, not at the event's end ({end})")
    finally:
        PyMem_Free(size_of)
        PyMem_Free(key_slot)
        PyMem_Free(shown)
        PyMem_Free(is_signed)
    return out
