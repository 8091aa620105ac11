# Included by _encoder.pyx: the dump's check of every statement it writes
# (dumpcore/verify/statement_shape.py). Same results as reference.scan_rows / scan_statements.
#
# sqlglot parses each table's statement once, as a template (its head, its tail and one
# row of every literal form a column of each kind takes); these scans then require every
# statement to be exactly that head, rows of those literal forms, that tail. One pass
# over the bytes, without the GIL, ~2.4 GB/s in a dump: no statement is parsed again.
#
# The literal forms (what the encoder writes, and nothing else):
#   any kind   NULL
#   number     -?(D+(.D*)?|.D+)([eE][+-]?D+)?        D: a digit
#   string     '...' where a byte is anything but ' \ NUL LF CR ^Z, or \ followed by one
#              of 0 n r Z ' \ (the encoder's escapes)
#   hex        0x followed by an even count (>= 2) of digits 0-9A-F, or '' (empty value)
# Rows are (v,v,...) with exactly one value per column, separated by ",\n".

from libc.string cimport memcmp

# The runs a literal holds (a string's plain bytes, hex digits, a number's digits), 16 bytes
# a step (SSE2, every x86-64) to the first byte that ends them, found by its mask: no loop
# whose exit depends on each value's length; a plain loop elsewhere.
cdef extern from *:
    """
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #endif
    /* Leading bytes of s that stand for themselves in a string literal, but for the
       rare ones below 0x20 that do too (TAB...): neither below 0x20, a quote nor a
       backslash. */
    static inline Py_ssize_t dc_plain_run(const unsigned char* s, Py_ssize_t n) {
        Py_ssize_t i = 0;
    #if defined(__SSE2__)
        const __m128i low = _mm_set1_epi8(0x1F), quote = _mm_set1_epi8(0x27), bslash = _mm_set1_epi8(0x5C);
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i*)(s + i));
            __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, low), v),
                                        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
            int mask = _mm_movemask_epi8(stop);
            if (mask) return i + __builtin_ctz(mask);
        }
    #endif
        while (i < n && s[i] >= 0x20 && s[i] != 0x27 && s[i] != 0x5C) i++;
        return i;
    }
    /* Leading bytes of s that are hex digits as the encoder writes them: 0-9 A-F. */
    static inline Py_ssize_t dc_hex_run(const unsigned char* s, Py_ssize_t n) {
        Py_ssize_t i = 0;
    #if defined(__SSE2__)
        const __m128i zero = _mm_set1_epi8('0'), a = _mm_set1_epi8('A');
        const __m128i nine = _mm_set1_epi8(9), five = _mm_set1_epi8(5);
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i*)(s + i));
            __m128i d = _mm_sub_epi8(v, zero), h = _mm_sub_epi8(v, a);
            __m128i ok = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(d, nine), d),
                                      _mm_cmpeq_epi8(_mm_min_epu8(h, five), h));
            int mask = ~_mm_movemask_epi8(ok) & 0xFFFF;
            if (mask) return i + __builtin_ctz(mask);
        }
    #endif
        while (i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'))) i++;
        return i;
    }
    /* Leading bytes of s that are decimal digits (a number's runs: one mask, no loop
       whose exit depends on each number's length). */
    static inline Py_ssize_t dc_digit_run(const unsigned char* s, Py_ssize_t n) {
        Py_ssize_t i = 0;
    #if defined(__SSE2__)
        const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
        for (; i + 16 <= n; i += 16) {
            __m128i d = _mm_sub_epi8(_mm_loadu_si128((const __m128i*)(s + i)), zero);
            int mask = ~_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, nine), d)) & 0xFFFF;
            if (mask) return i + __builtin_ctz(mask);
        }
    #endif
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        return i;
    }
    """
    Py_ssize_t dc_digit_run(const unsigned char* s, Py_ssize_t n) nogil
    Py_ssize_t dc_plain_run(const unsigned char* s, Py_ssize_t n) nogil
    Py_ssize_t dc_hex_run(const unsigned char* s, Py_ssize_t n) nogil

# why a scan stopped (the message words are in _SCAN_WHY, shared with the reference)
DEF SCAN_OK = 0
DEF SCAN_ROW_OPEN = 1      # expected '(' at a row's start
DEF SCAN_NUMBER = 2        # not a number literal (a number column)
DEF SCAN_STRING = 3        # not a string literal (a string column)
DEF SCAN_HEX = 4           # not a hex literal (a binary column)
DEF SCAN_COMMA = 5         # expected ',' between values
DEF SCAN_ROW_CLOSE = 6     # expected ')' after the last value
DEF SCAN_HEAD = 7          # not the statement's head
DEF SCAN_TAIL = 8          # not the statement's tail
DEF SCAN_EMPTY = 9         # no columns
DEF SCAN_AFTER = 10        # bytes after a row that are neither ",\n(" nor the end

cdef bint STRING_PLAIN[256]  # bytes that stand for themselves inside a string literal
cdef bint STRING_ESCAPED[256]  # bytes allowed after a backslash


cdef void _init_scan_tables():
    cdef int i
    for i in range(256):
        STRING_PLAIN[i] = i not in (0, 10, 13, 26, 39, 92)
        STRING_ESCAPED[i] = i in (48, 110, 114, 90, 39, 92)  # 0 n r Z ' \


_init_scan_tables()


cdef inline Py_ssize_t _scan_value(const unsigned char* s, Py_ssize_t n, Py_ssize_t p,
                                   unsigned char kind) noexcept nogil:
    """The end of the literal at ``p`` of ``kind``, or -1 when there is none."""
    cdef Py_ssize_t q, digits, k
    if p + 4 <= n and s[p] == 78 and s[p + 1] == 85 and s[p + 2] == 76 and s[p + 3] == 76:  # NULL
        return p + 4
    if kind == KIND_NUMBER:
        q = p
        if q < n and s[q] == 45:  # -
            q += 1
        digits = dc_digit_run(s + q, n - q)
        q += digits
        if q < n and s[q] == 46:  # .
            q += 1
            k = dc_digit_run(s + q, n - q)
            q += k
            digits += k
        if digits == 0:
            return -1
        if q < n and (s[q] == 101 or s[q] == 69):  # e E
            q += 1
            if q < n and (s[q] == 43 or s[q] == 45):
                q += 1
            k = dc_digit_run(s + q, n - q)
            if k == 0:
                return -1
            q += k
        return q
    if kind == KIND_STRING:
        if p >= n or s[p] != 39:
            return -1
        q = p + 1
        while q < n:
            q += dc_plain_run(s + q, n - q)  # then the byte that ended the run
            if q >= n:
                break
            if STRING_PLAIN[s[q]]:
                q += 1
            elif s[q] == 92:  # backslash
                if q + 1 >= n or not STRING_ESCAPED[s[q + 1]]:
                    return -1
                q += 2
            elif s[q] == 39:
                return q + 1
            else:
                return -1
        return -1
    # KIND_HEX
    if p + 1 < n and s[p] == 39 and s[p + 1] == 39:
        return p + 2
    if p + 1 >= n or s[p] != 48 or s[p + 1] != 120:  # 0x
        return -1
    q = p + 2 + dc_hex_run(s + p + 2, n - p - 2)
    if q == p + 2 or (q - p) % 2:
        return -1
    return q


cdef Py_ssize_t _scan_rows(const unsigned char* s, Py_ssize_t n, Py_ssize_t p, const unsigned char* kinds,
                           Py_ssize_t ncols, Py_ssize_t* rows, Py_ssize_t* column, int* why) noexcept nogil:
    """Rows from ``p``: (v,...) then, while ",\\n(" follows, the next. Returns where the
    last row ends; on a fault -1, with ``why``, the row (``rows``: the rows complete
    before it) and ``column`` set, ``column`` holding the fault's byte at ``why``'s turn."""
    cdef Py_ssize_t c, q
    while True:
        if p >= n or s[p] != 40:  # (
            why[0] = SCAN_ROW_OPEN
            column[0] = 0
            return -p - 2
        p += 1
        for c in range(ncols):
            if c:
                if p >= n or s[p] != 44:  # ,
                    why[0] = SCAN_COMMA
                    column[0] = c
                    return -p - 2
                p += 1
            q = _scan_value(s, n, p, kinds[c])
            if q < 0:
                why[0] = SCAN_NUMBER if kinds[c] == KIND_NUMBER else (SCAN_STRING if kinds[c] == KIND_STRING
                                                                      else SCAN_HEX)
                column[0] = c
                return -p - 2
            p = q
        if p >= n or s[p] != 41:  # )
            why[0] = SCAN_ROW_CLOSE
            column[0] = ncols
            return -p - 2
        p += 1
        rows[0] += 1
        if p + 2 < n and s[p] == 44 and s[p + 1] == 10 and s[p + 2] == 40:  # ",\n("
            p += 2
            continue
        return p


_SCAN_WHY = {SCAN_ROW_OPEN: "expected '(' at a row's start", SCAN_NUMBER: "not a number literal",
             SCAN_STRING: "not a string literal", SCAN_HEX: "not a hex literal",
             SCAN_COMMA: "expected ',' between values", SCAN_ROW_CLOSE: "expected ')' after the last value",
             SCAN_HEAD: "not the table's statement head", SCAN_TAIL: "not the table's statement tail",
             SCAN_EMPTY: "no columns", SCAN_AFTER: "expected ',\\n(' or the end after a row"}


def scan_rows(const unsigned char[::1] buf not None, bytes kinds not None):
    """Row tuples ``(v,...),\\n(v,...)`` (all of ``buf``), each value a well-formed
    literal of its column's kind: the number of rows. Raises ValueError naming the row,
    column and byte of the first fault."""
    cdef Py_ssize_t n = buf.shape[0]
    cdef Py_ssize_t ncols = len(kinds)
    cdef const unsigned char* s = &buf[0] if n else NULL
    cdef const unsigned char* k = <const unsigned char*>PyBytes_AS_STRING(kinds)
    cdef Py_ssize_t rows = 0, column = 0, end
    cdef int why = SCAN_OK
    if ncols == 0:
        raise ValueError(_SCAN_WHY[SCAN_EMPTY])
    with nogil:
        end = _scan_rows(s, n, 0, k, ncols, &rows, &column, &why)
    if end < 0:
        raise ValueError(f"row {rows + 1} column {column + 1} (byte {-end - 2}): {_SCAN_WHY[why]}")
    if end != n:
        raise ValueError(f"row {rows} (byte {end}): {_SCAN_WHY[SCAN_AFTER]}")
    return rows


def scan_statements(const unsigned char[::1] buf not None, bytes head not None, bytes tail not None,
                    bytes kinds not None):
    """Statements ``head rows tail`` one after the other (all of ``buf``, a chunk's SQL):
    (statements, rows). Raises ValueError naming the statement, row, column and byte of
    the first fault."""
    cdef Py_ssize_t n = buf.shape[0]
    cdef Py_ssize_t ncols = len(kinds)
    cdef const unsigned char* s = &buf[0] if n else NULL
    cdef const unsigned char* k = <const unsigned char*>PyBytes_AS_STRING(kinds)
    cdef const unsigned char* h = <const unsigned char*>PyBytes_AS_STRING(head)
    cdef const unsigned char* t = <const unsigned char*>PyBytes_AS_STRING(tail)
    cdef Py_ssize_t nh = len(head), nt = len(tail)
    cdef Py_ssize_t p = 0, statements = 0, rows = 0, total = 0, column = 0, end = 0
    cdef int why = SCAN_OK
    if ncols == 0:
        raise ValueError(_SCAN_WHY[SCAN_EMPTY])
    with nogil:
        while p < n:
            statements += 1
            rows = 0
            if n - p < nh or memcmp(s + p, h, nh) != 0:
                why = SCAN_HEAD
                break
            end = _scan_rows(s, n, p + nh, k, ncols, &rows, &column, &why)
            if end < 0:
                break
            total += rows
            p = end
            if n - p < nt or memcmp(s + p, t, nt) != 0:
                why = SCAN_TAIL
                break
            p += nt
    if why == SCAN_HEAD:
        raise ValueError(f"statement {statements} (byte {p}): {_SCAN_WHY[why]}")
    if why == SCAN_TAIL:
        raise ValueError(f"statement {statements} row {rows} (byte {p}): {_SCAN_WHY[why]}")
    if why != SCAN_OK:
        raise ValueError(f"statement {statements} row {rows + 1} column {column + 1} (byte {-end - 2}): "
                         f"{_SCAN_WHY[why]}")
    return statements, total
