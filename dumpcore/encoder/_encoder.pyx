# cython: language_level=3
"""The compiled row encoder: raw protocol values (bytes | None) -> SQL tuple text.

Same signature and output as dumpcore.encoder.reference.encode_rows; the
differential tests run the same cases through both.
"""
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.ref cimport PyObject
from cpython.sequence cimport PySequence_Fast, PySequence_Fast_GET_ITEM, PySequence_Fast_GET_SIZE
from libc.stdint cimport uint64_t
from libc.string cimport memcpy

cdef extern from "xxhash.h":
    uint64_t XXH3_64bits(const void* data, size_t length) nogil

DEF KIND_NUMBER = 0
DEF KIND_STRING = 1
DEF KIND_HEX = 2

cdef char ESCAPE[256]
cdef bint NUMBER_CHAR[256]
cdef const char* HEXDIGITS = b"0123456789ABCDEF"


cdef void _init_tables():
    cdef int i
    for i in range(256):
        ESCAPE[i] = 0
        NUMBER_CHAR[i] = 0
    ESCAPE[0] = b'0'
    ESCAPE[10] = b'n'
    ESCAPE[13] = b'r'
    ESCAPE[26] = b'Z'
    ESCAPE[39] = b"'"
    ESCAPE[92] = b'\\'
    for i in range(48, 58):
        NUMBER_CHAR[i] = 1
    for i in (43, 45, 46, 69, 101):  # + - . E e
        NUMBER_CHAR[i] = 1


_init_tables()


cdef class _Buffer:
    cdef char* data
    cdef Py_ssize_t size
    cdef Py_ssize_t cap

    def __cinit__(self, Py_ssize_t cap):
        self.cap = cap if cap > 64 else 64
        self.data = <char*>PyMem_Malloc(self.cap)
        if self.data == NULL:
            raise MemoryError()
        self.size = 0

    def __dealloc__(self):
        PyMem_Free(self.data)

    cdef int reserve(self, Py_ssize_t extra) except -1:
        cdef Py_ssize_t need = self.size + extra
        cdef Py_ssize_t cap = self.cap
        cdef char* grown
        if need <= cap:
            return 0
        while cap < need:
            cap *= 2
        grown = <char*>PyMem_Realloc(self.data, cap)
        if grown == NULL:
            raise MemoryError()
        self.data = grown
        self.cap = cap
        return 0


cdef inline Py_ssize_t _write_string(char* out, const unsigned char* s, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, o = 0
    cdef char e
    out[o] = b"'"
    o += 1
    for i in range(n):
        e = ESCAPE[s[i]]
        if e:
            out[o] = b'\\'
            out[o + 1] = e
            o += 2
        else:
            out[o] = <char>s[i]
            o += 1
    out[o] = b"'"
    return o + 1


cdef inline Py_ssize_t _write_hex(char* out, const unsigned char* s, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, o
    if n == 0:
        out[0] = b"'"
        out[1] = b"'"
        return 2
    out[0] = b'0'
    out[1] = b'x'
    o = 2
    for i in range(n):
        out[o] = HEXDIGITS[s[i] >> 4]
        out[o + 1] = HEXDIGITS[s[i] & 15]
        o += 2
    return o


def encode_rows(rows, Py_ssize_t start, bytes kinds, Py_ssize_t max_bytes):
    """Encode rows[start:] as ``(v,...),\\n(v,...)`` until the text would pass
    ``max_bytes`` (always at least one row).

    rows: a sequence of tuples of raw values (bytes, or None for NULL).
    kinds: one byte per column: 0 number (verbatim), 1 string (quoted, escaped),
    2 binary (hex literal).
    Returns (text, next_index, fingerprint): fingerprint is the sum mod 2**64 of the
    XXH3-64 of each encoded tuple, order-independent.
    """
    cdef object seq = PySequence_Fast(rows, "rows must be a sequence")
    cdef Py_ssize_t nrows = PySequence_Fast_GET_SIZE(seq)
    cdef Py_ssize_t ncols = len(kinds)
    cdef const unsigned char* kind = <const unsigned char*>PyBytes_AS_STRING(kinds)
    cdef _Buffer buf = _Buffer(min(max_bytes + 1024, 1 << 20) if max_bytes > 0 else 1 << 16)
    cdef Py_ssize_t i = start, c, n, worst, row_start, j
    cdef uint64_t fingerprint = 0
    cdef object row, value
    cdef const unsigned char* s
    cdef char* out
    cdef Py_ssize_t encoded = 0
    while i < nrows:
        row = <object>PySequence_Fast_GET_ITEM(seq, i)
        if not isinstance(row, tuple) or len(<tuple>row) != ncols:
            raise ValueError(f"row {i} has {len(row)} values, expected {ncols}")
        # Worst case for this row: every byte escaped or hexed, plus punctuation.
        worst = 4 + ncols
        for c in range(ncols):
            value = (<tuple>row)[c]
            if value is None:
                worst += 4
            elif type(value) is bytes:
                worst += 2 * PyBytes_GET_SIZE(value) + 2
            else:
                raise TypeError(f"row {i} column {c}: expected bytes or None, got {type(value).__name__}")
        buf.reserve(worst)
        row_start = buf.size
        if encoded:
            buf.data[buf.size] = b','
            buf.data[buf.size + 1] = b'\n'
            buf.size += 2
        j = buf.size  # first byte of this tuple
        out = buf.data + buf.size
        out[0] = b'('
        n = 1
        for c in range(ncols):
            if c:
                out[n] = b','
                n += 1
            value = (<tuple>row)[c]
            if value is None:
                memcpy(out + n, b"NULL", 4)
                n += 4
                continue
            s = <const unsigned char*>PyBytes_AS_STRING(value)
            if kind[c] == KIND_NUMBER:
                for worst in range(PyBytes_GET_SIZE(value)):
                    if not NUMBER_CHAR[s[worst]]:
                        raise ValueError(f"row {i} column {c}: not a number: {value[:40]!r}")
                if PyBytes_GET_SIZE(value) == 0:
                    raise ValueError(f"row {i} column {c}: empty number")
                memcpy(out + n, s, PyBytes_GET_SIZE(value))
                n += PyBytes_GET_SIZE(value)
            elif kind[c] == KIND_STRING:
                n += _write_string(out + n, s, PyBytes_GET_SIZE(value))
            else:
                n += _write_hex(out + n, s, PyBytes_GET_SIZE(value))
        out[n] = b')'
        n += 1
        if encoded and max_bytes > 0 and buf.size + n > max_bytes:
            buf.size = row_start  # this row starts the next statement
            break
        fingerprint += XXH3_64bits(buf.data + j, n)
        buf.size += n
        encoded += 1
        i += 1
    return PyBytes_FromStringAndSize(buf.data, buf.size), i, fingerprint
