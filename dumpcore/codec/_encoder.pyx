# cython: language_level=3
"""The compiled row encoder: raw protocol values (bytes | None) -> SQL tuple text.

Same signature and output as dumpcore.codec.reference.encode_rows; the
differential tests run the same cases through both.
"""
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.ref cimport PyObject

cdef extern from "Python.h":
    object PyMemoryView_FromMemory(char *mem, Py_ssize_t size, int flags)
    int PyBUF_READ
from cpython.sequence cimport PySequence_Fast, PySequence_Fast_GET_ITEM, PySequence_Fast_GET_SIZE
from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, qsort, realloc
from libc.string cimport memcmp, memcpy

cdef extern from "libdeflate.h":
    # zlib's CRC-32 (the server's CRC32()), folded with PCLMULQDQ/AVX where the CPU has them
    uint32_t libdeflate_crc32(uint32_t crc, const void* buffer, size_t length) nogil

cdef extern from "sodium.h":
    # keyed BLAKE2b (dump --mask): the same function as Python's hashlib.blake2b(key=...)
    ctypedef struct crypto_generichash_blake2b_state:
        pass
    int sodium_init()
    int crypto_generichash_blake2b(unsigned char* out, size_t outlen, const unsigned char* data,
                                   unsigned long long inlen, const unsigned char* key, size_t keylen) nogil
    int crypto_generichash_blake2b_init(crypto_generichash_blake2b_state* state, const unsigned char* key,
                                        size_t keylen, size_t outlen) nogil
    int crypto_generichash_blake2b_update(crypto_generichash_blake2b_state* state, const unsigned char* data,
                                          unsigned long long inlen) nogil
    int crypto_generichash_blake2b_final(crypto_generichash_blake2b_state* state, unsigned char* out,
                                         size_t outlen) nogil

cdef extern from "mysql.h":
    ctypedef struct MYSQL:
        pass
    ctypedef struct MYSQL_RES:
        pass
    ctypedef char** MYSQL_ROW
    MYSQL_ROW mysql_fetch_row(MYSQL_RES* res) nogil
    unsigned long* mysql_fetch_lengths(MYSQL_RES* res) nogil
    unsigned int mysql_num_fields(MYSQL_RES* res) nogil
    unsigned int mysql_errno(MYSQL* mysql) nogil
    const char* mysql_error(MYSQL* mysql) nogil


# mysqlclient 2.x object layouts (MySQLdb/_mysql.c). Checked at run time against the
# object's own methods before use; on any mismatch the caller falls back to tuples.
ctypedef struct _PyHead:
    Py_ssize_t ob_refcnt
    void* ob_type

ctypedef struct _ConnectionObject:
    _PyHead head
    MYSQL connection

ctypedef struct _ResultObject:
    _PyHead head
    PyObject* conn
    MYSQL_RES* result
    int nfields
    int use

DEF KIND_NUMBER = 0
DEF KIND_STRING = 1
DEF KIND_HEX = 2

cdef char ESCAPE[256]
cdef bint NUMBER_CHAR[256]
cdef const char* HEXDIGITS = b"0123456789ABCDEF"
cdef char HEXPAIR[512]  # byte b -> its two hex digits at HEXPAIR[2b], HEXPAIR[2b + 1]


cdef void _init_tables():
    cdef int i
    for i in range(256):
        ESCAPE[i] = 0
        NUMBER_CHAR[i] = 0
        HEXPAIR[2 * i] = HEXDIGITS[i >> 4]
        HEXPAIR[2 * i + 1] = HEXDIGITS[i & 15]
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


ctypedef struct _CBuf:
    char* data
    Py_ssize_t size
    Py_ssize_t cap


cdef int _cbuf_reserve(_CBuf* b, Py_ssize_t extra) noexcept nogil:
    """Room for ``extra`` more bytes (libc realloc: callable without the GIL); -1 when
    memory runs out, the buffer unchanged."""
    cdef Py_ssize_t need = b.size + extra
    cdef Py_ssize_t cap = b.cap if b.cap > 64 else 64
    cdef char* grown
    if need <= b.cap:
        return 0
    while cap < need:
        cap *= 2
    grown = <char*>realloc(b.data, cap)
    if grown == NULL:
        return -1
    b.data = grown
    b.cap = cap
    return 0


cdef class _Buffer:
    cdef _CBuf b

    def __cinit__(self, Py_ssize_t cap):
        self.b.data = NULL
        self.b.size = 0
        self.b.cap = 0
        self.reserve(cap)

    def __dealloc__(self):
        free(self.b.data)

    cdef int reserve(self, Py_ssize_t extra) except -1:
        if _cbuf_reserve(&self.b, extra) < 0:
            raise MemoryError()
        return 0


cdef inline bint _may_need_escape(uint64_t w) noexcept nogil:
    """Whether any of 8 bytes might need escaping: a byte below 0x20 (covers NUL, LF, CR,
    ^Z and some that do not), a quote or a backslash. Exact for "none": a block it passes
    is copied as is."""
    cdef uint64_t ones = (<uint64_t>-1) // 255  # 0x0101...01
    cdef uint64_t q = w ^ (ones * 0x27)
    cdef uint64_t b = w ^ (ones * 0x5C)
    return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & (ones * 0x80) != 0


cdef inline Py_ssize_t _write_string(char* out, const unsigned char* s, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i = 0, o = 1, stop
    cdef char e
    cdef uint64_t w
    out[0] = b"'"
    while i < n:
        # 8 bytes at a time while none needs escaping (most text), else byte by byte
        # through that block.
        while i + 8 <= n:
            memcpy(&w, s + i, 8)
            if _may_need_escape(w):
                break
            memcpy(out + o, &w, 8)
            i += 8
            o += 8
        stop = i + 8 if i + 8 <= n else n
        while i < stop:
            e = ESCAPE[s[i]]
            if e:
                out[o] = b'\\'
                out[o + 1] = e
                o += 2
            else:
                out[o] = <char>s[i]
                o += 1
            i += 1
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
        memcpy(out + o, HEXPAIR + 2 * s[i], 2)  # one 2-byte move per byte
        o += 2
    return o


DEF BAD_EMPTY_NUMBER = -1
DEF BAD_NUMBER = -2


cdef inline Py_ssize_t _write_value(char* out, const unsigned char* s, Py_ssize_t length, bint is_null,
                                    unsigned char kind) noexcept nogil:
    """One raw value as its SQL literal at ``out``; returns the bytes written, or
    BAD_EMPTY_NUMBER / BAD_NUMBER for a number column whose text is not one. The only
    place a value is encoded: both encoders below go through it."""
    cdef Py_ssize_t k
    if is_null:
        memcpy(out, b"NULL", 4)
        return 4
    if kind == KIND_NUMBER:
        if length == 0:
            return BAD_EMPTY_NUMBER
        for k in range(length):
            if not NUMBER_CHAR[s[k]]:
                return BAD_NUMBER
        memcpy(out, s, length)
        return length
    if kind == KIND_STRING:
        return _write_string(out, s, length)
    return _write_hex(out, s, length)


cdef str _value_error(Py_ssize_t code, Py_ssize_t row, Py_ssize_t column, const char* s, Py_ssize_t length):
    """The message of a value _write_value refused (same words as the reference encoder)."""
    if code == BAD_EMPTY_NUMBER:
        return f"row {row}: column {column}: empty number"
    return f"row {row}: column {column}: not a number: {s[:min(length, 40)]!r}"


cdef inline Py_ssize_t _worst_case(Py_ssize_t length, bint is_null) noexcept nogil:
    return 4 if is_null else 2 * length + 2


cdef inline Py_ssize_t _begin_row(_CBuf* buf, Py_ssize_t worst, bint first) noexcept nogil:
    """Room for one row, the ",\n" before it unless first, and its "(": returns where the
    tuple starts (its hash covers the tuple only), or -1 when memory runs out."""
    if _cbuf_reserve(buf, worst) < 0:
        return -1
    if not first:
        buf.data[buf.size] = b','
        buf.data[buf.size + 1] = b'\n'
        buf.size += 2
    buf.data[buf.size] = b'('
    return buf.size


cdef inline bint _end_row(_CBuf* buf, Py_ssize_t row_start, Py_ssize_t start, Py_ssize_t n, bint first,
                          Py_ssize_t max_bytes) noexcept nogil:
    """Close the tuple written at ``start`` (``n`` bytes so far). A row that would pass
    max_bytes is taken back, unless it is the first: returns whether it was kept."""
    buf.data[start + n] = b')'
    n += 1
    if not first and max_bytes > 0 and start + n > max_bytes:
        buf.size = row_start
        return False
    buf.size = start + n
    return True


DEF _CRC_BATCH = 512  # a row's bytes gathered up to this, then one CRC call: its per-call cost, not per value


cdef inline uint32_t _crc_feed(uint32_t crc, unsigned char* batch, Py_ssize_t* used,
                               const unsigned char* p, Py_ssize_t n) noexcept nogil:
    """Add ``n`` bytes at ``p`` to the CRC: copied into ``batch`` while they fit, else the
    batch and then they are handed to libdeflate."""
    if used[0] + n <= _CRC_BATCH:
        memcpy(batch + used[0], p, n)
        used[0] += n
        return crc
    if used[0]:
        crc = libdeflate_crc32(crc, batch, used[0])
        used[0] = 0
    if n <= _CRC_BATCH // 2:
        memcpy(batch, p, n)
        used[0] = n
        return crc
    return libdeflate_crc32(crc, p, n)


cdef inline uint64_t _row_crc(char** values, const unsigned long* lengths, Py_ssize_t ncols,
                              unsigned char* flags) noexcept nogil:
    """The row's fingerprint term (dumpcore/verify/fingerprint.py's contract): CRC32 of
    its raw values joined by '#', NULLs left out, then '#' (when any value was not NULL)
    and one digit per column, 1 for NULL: the bytes the server's
    ``CONCAT_WS('#', v1, ..., CONCAT(ISNULL(v1), ...))`` gives. ``flags``: ncols bytes of
    scratch."""
    cdef unsigned char batch[_CRC_BATCH]
    cdef Py_ssize_t used = 0
    cdef uint32_t crc = 0
    cdef bint any_value = False
    cdef Py_ssize_t c
    for c in range(ncols):
        if values[c] == NULL:
            flags[c] = b'1'
            continue
        flags[c] = b'0'
        if any_value:
            crc = _crc_feed(crc, batch, &used, <const unsigned char*>b"#", 1)
        any_value = True
        crc = _crc_feed(crc, batch, &used, <const unsigned char*>values[c], lengths[c])
    if any_value:
        crc = _crc_feed(crc, batch, &used, <const unsigned char*>b"#", 1)
    crc = _crc_feed(crc, batch, &used, flags, ncols)
    if used:
        crc = libdeflate_crc32(crc, batch, used)
    return crc


cdef class _RowScratch:
    """_row_crc's arrays for rows of ``ncols`` values."""
    cdef char** values
    cdef unsigned long* lengths
    cdef unsigned char* flags

    def __cinit__(self, Py_ssize_t ncols):
        self.values = <char**>malloc((ncols + 1) * sizeof(char*))
        self.lengths = <unsigned long*>malloc((ncols + 1) * sizeof(unsigned long))
        self.flags = <unsigned char*>malloc(ncols + 1)
        if self.values == NULL or self.lengths == NULL or self.flags == NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self.values)
        free(self.lengths)
        free(self.flags)


def encode_rows(rows, Py_ssize_t start, bytes kinds, Py_ssize_t max_bytes):
    """Encode rows[start:] as ``(v,...),\\n(v,...)`` until the text would pass
    ``max_bytes`` (always at least one row).

    rows: a sequence of tuples of raw values (bytes, or None for NULL).
    kinds: one byte per column: 0 number (verbatim), 1 string (quoted, escaped),
    2 binary (hex literal).
    Returns (text, next_index, fingerprint): fingerprint is the sum mod 2**64 of each
    row's _row_crc, order-independent.
    """
    cdef object seq = PySequence_Fast(rows, "rows must be a sequence")
    cdef Py_ssize_t nrows = PySequence_Fast_GET_SIZE(seq)
    cdef Py_ssize_t ncols = len(kinds)
    cdef const unsigned char* kind = <const unsigned char*>PyBytes_AS_STRING(kinds)
    cdef _Buffer buf = _Buffer(min(max_bytes + 1024, 1 << 20) if max_bytes > 0 else 1 << 16)
    cdef Py_ssize_t i = start, c, n, worst, row_start, j, w
    cdef uint64_t fingerprint = 0
    cdef object row, value
    cdef char* out
    cdef Py_ssize_t encoded = 0
    cdef _RowScratch scratch = _RowScratch(ncols)
    while i < nrows:
        row = <object>PySequence_Fast_GET_ITEM(seq, i)
        if not isinstance(row, tuple) or len(<tuple>row) != ncols:
            raise ValueError(f"row {i} has {len(row)} values, expected {ncols}")
        # Worst case for this row: every byte escaped or hexed, plus punctuation.
        worst = 4 + ncols
        for c in range(ncols):
            value = (<tuple>row)[c]
            if value is None:
                worst += _worst_case(0, True)
            elif type(value) is bytes:
                worst += _worst_case(PyBytes_GET_SIZE(value), False)
            else:
                raise TypeError(f"row {i} column {c}: expected bytes or None, got {type(value).__name__}")
        row_start = buf.b.size
        j = _begin_row(&buf.b, worst, encoded == 0)
        if j < 0:
            raise MemoryError()
        out = buf.b.data + j
        n = 1
        for c in range(ncols):
            if c:
                out[n] = b','
                n += 1
            value = (<tuple>row)[c]
            if value is None:
                n += _write_value(out + n, NULL, 0, True, kind[c])
            else:
                w = _write_value(out + n, <const unsigned char*>PyBytes_AS_STRING(value),
                                 PyBytes_GET_SIZE(value), False, kind[c])
                if w < 0:
                    raise ValueError(_value_error(w, i, c, PyBytes_AS_STRING(value), PyBytes_GET_SIZE(value)))
                n += w
        if not _end_row(&buf.b, row_start, j, n, encoded == 0, max_bytes):
            break  # this row starts the next statement
        for c in range(ncols):
            value = (<tuple>row)[c]
            if value is None:
                scratch.values[c] = NULL
            else:
                scratch.values[c] = PyBytes_AS_STRING(value)
                scratch.lengths[c] = PyBytes_GET_SIZE(value)
        fingerprint += _row_crc(scratch.values, scratch.lengths, ncols, scratch.flags)
        encoded += 1
        i += 1
    return PyBytes_FromStringAndSize(buf.b.data, buf.b.size), i, fingerprint



include "_masking.pxi"


class FetchError(Exception):
    """The server or the connection failed while rows were read: (errno, message)."""


DEF MAX_KEY_COLUMNS = 64
DEF DONE = 0  # stopped: max_bytes reached or the result exhausted
DEF ERR_MEMORY = 1
DEF ERR_FETCH = 2
DEF ERR_VALUE = 3
DEF ERR_MASK = 4  # the masker's status in err_code
DEF STOPPED = 5  # a watched column's value is '' in the pending row: it stays unread


ctypedef struct _KeySpans:
    # Where the key columns of the first and last accepted row are in the buffer.
    Py_ssize_t first_start[MAX_KEY_COLUMNS]
    Py_ssize_t first_end[MAX_KEY_COLUMNS]
    Py_ssize_t last_start[MAX_KEY_COLUMNS]
    Py_ssize_t last_end[MAX_KEY_COLUMNS]


cdef class ResultEncoder:
    """Encodes rows straight from an unbuffered mysqlclient result, without creating a
    Python object per value. Same output as encode_rows over the same rows.

    encode(max_bytes) -> (text, rows, fingerprint): rows until the next one would pass
    max_bytes (always at least one); (b"", 0, 0) when the result is exhausted. A row
    fetched but not taken stays pending for the next call.

    The fetch + encode + hash loop runs without the GIL (another thread, e.g. the one
    that validates and writes, runs meanwhile); what goes wrong in it is kept as a code
    and its position, and raised once the GIL is held again.
    """
    cdef object result_obj
    cdef MYSQL_RES* res
    cdef MYSQL* mysql
    cdef bytes kinds
    cdef const unsigned char* kind
    cdef int ncols
    cdef MYSQL_ROW pending
    cdef unsigned long* pending_len
    cdef public bint exhausted
    cdef tuple key_positions
    cdef Py_ssize_t nkeys
    cdef Py_ssize_t key_cols[MAX_KEY_COLUMNS]
    cdef public list first_key
    cdef public list last_key
    cdef Py_ssize_t taken  # rows accepted so far: the row number in error messages
    cdef _CBuf buf  # kept between calls: no fresh pages for every statement
    cdef Py_ssize_t err_column
    cdef Py_ssize_t err_code
    cdef unsigned char* flags  # _row_crc's scratch
    cdef RowMasker masker  # dump --mask: each row masked before it is encoded, else None
    cdef bint masked
    cdef Py_ssize_t nwatch
    cdef Py_ssize_t watch_cols[MAX_KEY_COLUMNS]
    cdef public tuple stop_row  # the row a watched column stopped the rows at (raw values), else None

    def __cinit__(self):
        self.buf.data = NULL
        self.buf.size = 0
        self.buf.cap = 0
        self.flags = NULL

    def __dealloc__(self):
        free(self.buf.data)
        free(self.flags)

    def __init__(self, result, bytes kinds, tuple key_positions=(), RowMasker masker=None, tuple watch=()):
        """``watch``: columns whose empty value ends the rows (dump/enum_zero.py: an ENUM
        with no '' member shows its error value as ''): that row is not taken, ``stop_row``
        holds its raw values, and no row follows."""
        cdef _ResultObject* r
        cdef Py_ssize_t ki
        if type(result).__module__ not in ("_mysql", "MySQLdb._mysql") or type(result).__name__ != "result":
            raise TypeError("not a mysqlclient result object")
        r = <_ResultObject*><PyObject*>result
        if r.result == NULL or r.use != 1 or r.nfields != result.num_fields() \
                or <int>mysql_num_fields(r.result) != r.nfields or r.nfields != len(kinds):
            raise TypeError("unexpected mysqlclient result layout (or not an unbuffered result)")
        self.result_obj = result
        self.res = r.result
        self.mysql = &(<_ConnectionObject*>r.conn).connection
        self.kinds = kinds
        self.kind = <const unsigned char*>PyBytes_AS_STRING(self.kinds)
        self.ncols = len(kinds)
        self.flags = <unsigned char*>malloc(self.ncols + 1)
        if self.flags == NULL:
            raise MemoryError()
        self.pending = NULL
        self.exhausted = False
        self.key_positions = key_positions
        if masker is not None and masker.ncols != self.ncols:
            raise ValueError(f"the masker is for {masker.ncols} columns, the result has {self.ncols}")
        self.masker = masker
        self.masked = masker is not None
        self.first_key = None
        self.last_key = None
        self.taken = 0
        # Keys are reported only when every key column is among the first 64.
        self.nkeys = len(key_positions) if 0 < len(key_positions) <= MAX_KEY_COLUMNS \
            and max(key_positions) < MAX_KEY_COLUMNS else 0
        for ki in range(self.nkeys):
            self.key_cols[ki] = key_positions[ki]
        if watch and (masker is not None or len(watch) > MAX_KEY_COLUMNS or max(watch) >= self.ncols
                      or min(watch) < 0):
            raise ValueError("watch: columns of the result, at most 64, and no masker")
        self.nwatch = len(watch)
        for ki in range(self.nwatch):
            self.watch_cols[ki] = watch[ki]
        self.stop_row = None

    def close(self):
        """Drop the result (the connection is free again once nothing else holds it)."""
        self.result_obj = None
        self.res = NULL
        self.exhausted = True

    cdef int _run(self, Py_ssize_t max_bytes, _KeySpans* keys, uint64_t* fingerprint,
                  Py_ssize_t* encoded_out) noexcept nogil:
        """The loop: fetch, encode into self.buf, hash, until max_bytes; no GIL, no
        Python object. Returns DONE or an ERR_ code (err_column says where)."""
        cdef _CBuf* buf = &self.buf
        cdef Py_ssize_t encoded = 0, c, n, w, worst, row_start, j, ki
        cdef Py_ssize_t col_start[MAX_KEY_COLUMNS]
        cdef Py_ssize_t col_end[MAX_KEY_COLUMNS]
        cdef bint want_keys = self.nkeys > 0
        cdef char* out
        cdef MYSQL_ROW row
        cdef int status = DONE, st
        cdef char** values
        cdef unsigned long* lengths
        while True:
            if self.pending == NULL:
                if self.exhausted:
                    break
                row = mysql_fetch_row(self.res)
                if row == NULL:
                    if mysql_errno(self.mysql):
                        status = ERR_FETCH
                        break
                    self.exhausted = True
                    break
                self.pending = row
                self.pending_len = mysql_fetch_lengths(self.res)
            values = self.pending
            lengths = self.pending_len
            for c in range(self.nwatch):
                if lengths[self.watch_cols[c]] == 0 and values[self.watch_cols[c]] != NULL:
                    status = STOPPED
                    break
            if status == STOPPED:
                break
            if self.masked:  # masked again if it stays pending: the same values (the rules are functions)
                st = self.masker._row(self.pending, self.pending_len)
                if st != MASK_OK:
                    self.err_code = st
                    status = ERR_MASK
                    break
                values = self.masker.mvals
                lengths = self.masker.mlens
            worst = 4 + self.ncols
            for c in range(self.ncols):
                worst += _worst_case(lengths[c], values[c] == NULL)
            row_start = buf.size
            j = _begin_row(buf, worst, encoded == 0)
            if j < 0:
                status = ERR_MEMORY
                break
            out = buf.data + j
            n = 1
            for c in range(self.ncols):
                if c:
                    out[n] = b','
                    n += 1
                if want_keys and c < MAX_KEY_COLUMNS:
                    col_start[c] = j + n
                w = _write_value(out + n, <const unsigned char*>values[c], lengths[c], values[c] == NULL,
                                 self.kind[c])
                if w < 0:
                    self.err_column = c
                    self.err_code = w
                    status = ERR_VALUE
                    break
                n += w
                if want_keys and c < MAX_KEY_COLUMNS:
                    col_end[c] = j + n
            if status != DONE:
                buf.size = row_start
                break
            if not _end_row(buf, row_start, j, n, encoded == 0, max_bytes):
                break  # stays pending: it opens the next statement
            fingerprint[0] += _row_crc(values, lengths, self.ncols, self.flags)
            if self.masked:
                st = self.masker._accept(self.pending, self.pending_len)
                if st != MASK_OK:
                    self.err_code = st
                    status = ERR_MASK
                    break
            encoded += 1
            self.pending = NULL
            if want_keys:  # key offsets of accepted rows only (a row put back must not count)
                for ki in range(self.nkeys):
                    if encoded == 1:
                        keys.first_start[ki] = col_start[self.key_cols[ki]]
                        keys.first_end[ki] = col_end[self.key_cols[ki]]
                    keys.last_start[ki] = col_start[self.key_cols[ki]]
                    keys.last_end[ki] = col_end[self.key_cols[ki]]
        encoded_out[0] = encoded
        return status

    def encode(self, Py_ssize_t max_bytes, bint view=False):
        """(text, rows, fingerprint) of the next rows, text at most ``max_bytes`` unless
        one row is larger. ``view``: text is a read-only memoryview of this encoder's
        buffer instead of a bytes copy, valid until the next call (the dump writes and
        hashes it at once: no copy of every statement into fresh memory)."""
        cdef uint64_t fingerprint = 0
        cdef Py_ssize_t encoded = 0
        cdef int status
        cdef _KeySpans keys
        cdef char* data
        cdef Py_ssize_t ki, c
        cdef list values
        if self.res == NULL or self.stop_row is not None:
            return b"", 0, 0
        self.first_key = None
        self.buf.size = 0
        if _cbuf_reserve(&self.buf, min(max_bytes + 1024, 1 << 20) if max_bytes > 0 else 1 << 16) < 0:
            raise MemoryError()
        with nogil:
            status = self._run(max_bytes, &keys, &fingerprint, &encoded)
        self.taken += encoded
        if status == ERR_FETCH:
            raise FetchError(mysql_errno(self.mysql), mysql_error(self.mysql).decode("utf-8", "replace"))
        if status == ERR_MEMORY:
            raise MemoryError()
        if status == ERR_VALUE:
            raise ValueError(_value_error(self.err_code, self.taken, self.err_column,
                                          self.pending[self.err_column], self.pending_len[self.err_column]))
        if status == ERR_MASK:
            self.masker._raise(<int>self.err_code)
        if status == STOPPED:
            values = []
            for c in range(self.ncols):
                values.append(None if self.pending[c] == NULL
                              else PyBytes_FromStringAndSize(self.pending[c], self.pending_len[c]))
            self.stop_row = tuple(values)
        data = self.buf.data
        if self.nkeys and encoded:
            self.first_key = [data[keys.first_start[ki]:keys.first_end[ki]].decode("utf-8", "replace")
                              for ki in range(self.nkeys)]
            self.last_key = [data[keys.last_start[ki]:keys.last_end[ki]].decode("utf-8", "replace")
                             for ki in range(self.nkeys)]
        if view:
            return PyMemoryView_FromMemory(data, self.buf.size, PyBUF_READ), encoded, fingerprint
        return PyBytes_FromStringAndSize(data, self.buf.size), encoded, fingerprint


include "_load_data.pxi"
include "_chunk_scan.pxi"
include "_statement_scan.pxi"
include "_binlog_rows.pxi"
