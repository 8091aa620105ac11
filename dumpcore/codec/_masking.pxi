# The compiled half of `dump --mask` (dumpcore/codec/masking.py is the specification and the
# pure-Python twin, reference.RowMasker): each masking rule applied to a row's raw values in
# C as the row is encoded, keyed BLAKE2b from libsodium (the same function as hashlib's
# blake2b(key=...), so a value masks to the same output as before). A value whose rule needs
# what C does not do here (invalid UTF-8 counted as Python counts it, a JSON document to
# redact, a number of 20 significant digits or more, a date shifted by more than 10**9 days) is handed to the Python rule of
# its column: the same output by construction, a Python call for that value only.
#
# Rule codes: masking.py's SPEC_* constants (the plan's per-column specs).

DEF M_NONE = 0
DEF M_NULL = 1
DEF M_CONSTANT = 2
DEF M_REDACT = 3
DEF M_HASH_NUMBER = 4
DEF M_HASH_BYTES = 5
DEF M_HASH_ASCII = 6
DEF M_HASH_TEXT = 7
DEF M_EMAIL = 8
DEF M_KEEP_DOMAIN = 9
DEF M_NAME = 10
DEF M_PHONE = 11
DEF M_UUID_BIN = 12
DEF M_UUID_TEXT = 13
DEF M_SHIFT_DATE = 14

DEF MASK_OK = 0
DEF MASK_FALLBACK = 1  # the Python rule decides this value
DEF MASK_MEMORY = -1
DEF MASK_ERROR = -2  # the Python rule raised: kept in RowMasker.error

DEF STATE_CACHE = 48  # keyed BLAKE2b states with their tag absorbed (a tag's keying is one block of work)
DEF MAX_TAG = 32

cdef const char* ALNUM = b"abcdefghijklmnopqrstuvwxyz0123456789"
cdef const char* LOWER = b"abcdefghijklmnopqrstuvwxyz"
cdef const char* DIGITS = b"0123456789"
cdef const char* HEXLOWER = b"0123456789abcdef"

if sodium_init() < 0:  # picks the BLAKE2b code for this CPU; only fails when no entropy source exists
    raise ImportError("libsodium failed to initialise")


def keyed_blake2b(bytes data, bytes key, Py_ssize_t size):
    """BLAKE2b of ``data`` keyed by ``key`` (may be empty), ``size`` bytes: libsodium's,
    for the test that it equals hashlib.blake2b(data, key=key, digest_size=size)."""
    cdef unsigned char out[64]
    if not 1 <= size <= 64 or len(key) > 64:
        raise ValueError("size 1..64, key up to 64 bytes")
    crypto_generichash_blake2b(out, size, <const unsigned char*>PyBytes_AS_STRING(data), len(data),
                               <const unsigned char*>PyBytes_AS_STRING(key) if key else NULL, len(key))
    return PyBytes_FromStringAndSize(<char*>out, size)


cdef inline bint _ascii_space(unsigned char b) noexcept nogil:
    """bytes.split()'s and bytes.lstrip()'s whitespace."""
    return b == 32 or 9 <= b <= 13


cdef inline bint _digit(unsigned char b) noexcept nogil:
    return 48 <= b <= 57


cdef Py_ssize_t _utf8_chars(const unsigned char* s, Py_ssize_t n) noexcept nogil:
    """Characters of ``s`` when it is valid UTF-8 (what Python's strict decoder accepts:
    no overlong form, no surrogate, nothing past U+10FFFF), else -1."""
    cdef Py_ssize_t i = 0, chars = 0
    cdef unsigned char b, b1
    while i < n:
        b = s[i]
        chars += 1
        if b < 0x80:
            i += 1
            continue
        if 0xC2 <= b <= 0xDF:
            if i + 1 >= n or (s[i + 1] & 0xC0) != 0x80:
                return -1
            i += 2
            continue
        if 0xE0 <= b <= 0xEF:
            if i + 2 >= n:
                return -1
            b1 = s[i + 1]
            if (b1 & 0xC0) != 0x80 or (s[i + 2] & 0xC0) != 0x80:
                return -1
            if (b == 0xE0 and b1 < 0xA0) or (b == 0xED and b1 > 0x9F):
                return -1
            i += 3
            continue
        if 0xF0 <= b <= 0xF4:
            if i + 3 >= n:
                return -1
            b1 = s[i + 1]
            if (b1 & 0xC0) != 0x80 or (s[i + 2] & 0xC0) != 0x80 or (s[i + 3] & 0xC0) != 0x80:
                return -1
            if (b == 0xF0 and b1 < 0x90) or (b == 0xF4 and b1 > 0x8F):
                return -1
            i += 4
            continue
        return -1
    return chars


cdef inline Py_ssize_t _count_chars(const unsigned char* s, Py_ssize_t n) noexcept nogil:
    """Characters of a piece of a value already known to be valid UTF-8."""
    cdef Py_ssize_t i, chars = 0
    for i in range(n):
        if (s[i] & 0xC0) != 0x80:
            chars += 1
    return chars


cdef inline uint64_t _le64(const unsigned char* d) noexcept nogil:
    cdef uint64_t x = 0
    cdef int i
    for i in range(8):
        x |= (<uint64_t>d[i]) << (8 * i)
    return x


cdef inline Py_ssize_t _write_u64(char* out, uint64_t x) noexcept nogil:
    cdef char tmp[24]
    cdef Py_ssize_t n = 0, i
    if x == 0:
        out[0] = b'0'
        return 1
    while x:
        tmp[n] = <char>(48 + x % 10)
        x //= 10
        n += 1
    for i in range(n):
        out[i] = tmp[n - 1 - i]
    return n


# Days <-> civil dates in the proleptic Gregorian calendar (Python's date), H. Hinnant's algorithms.
cdef inline int64_t _days_from_civil(int64_t y, int64_t m, int64_t d) noexcept nogil:
    cdef int64_t era, yoe, doy, doe
    if m <= 2:
        y -= 1
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


cdef inline void _civil_from_days(int64_t z, int64_t* y, int64_t* m, int64_t* d) noexcept nogil:
    cdef int64_t era, doe, yoe, doy, mp
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d[0] = doy - (153 * mp + 2) // 5 + 1
    m[0] = mp + (3 if mp < 10 else -9)
    y[0] = yoe + era * 400 + (1 if m[0] <= 2 else 0)


cdef inline int _month_days(int64_t y, int64_t m) noexcept nogil:
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if (m == 4 or m == 6 or m == 9 or m == 11) else 31


cdef extern from "stdlib.h":
    int posix_memalign(void** memptr, size_t alignment, size_t size) nogil


DEF NUM_CACHE_BITS = 18  # per hash-masked number column (6 MiB, touched as used): a foreign key column repeats its values


ctypedef struct _NumSlot:
    uint64_t val
    uint64_t out
    unsigned char used  # 0 empty, 1 a positive number, 2 a negative one


ctypedef struct _TagState:
    unsigned char tag[MAX_TAG]
    size_t taglen
    size_t outlen
    crypto_generichash_blake2b_state state


cdef class RowMasker:
    """Masks rows of one table under a plan (masking.MaskSpec): the masked values, the
    fingerprint of the columns left as they are (``verify --against``), and one 16-byte
    digest per row and masked unique key (the collision check), summed up until take().

    mask_rows(rows) masks tuples of raw values (the tuple path); ResultEncoder(...,
    masker=...) masks in its fetch loop, without the GIL. Same results as
    reference.RowMasker over the same plan."""
    cdef int ncols
    cdef unsigned char* codes
    cdef int64_t* nums
    cdef list datas  # per column: the rule's bytes (constant:VALUE)
    cdef list fallbacks  # per column: the Python rule (masking.value_fn), for the values C leaves to it
    cdef unsigned char key[64]
    cdef bint has_key
    cdef _TagState* cache
    cdef int cached
    cdef Py_ssize_t nkeys  # primary key columns: shift-date's per-row key
    cdef Py_ssize_t* key_cols
    cdef Py_ssize_t nunique
    cdef Py_ssize_t* unique_start  # unique key u: columns unique_cols[unique_start[u]:unique_start[u + 1]]
    cdef Py_ssize_t* unique_cols
    cdef Py_ssize_t nunmasked
    cdef Py_ssize_t* unmasked
    cdef bint any_shift
    cdef char names[4096]
    cdef Py_ssize_t first_n
    cdef Py_ssize_t last_n
    cdef Py_ssize_t name_off[128]
    cdef Py_ssize_t name_len[128]
    # per row: the masked values (pointing at the source's or at outs[c])
    cdef char** mvals
    cdef unsigned long* mlens
    cdef _CBuf* outs
    cdef _CBuf scratch  # streams, keys and messages
    cdef char** rvals  # mask_rows: a tuple's values
    cdef unsigned long* rlens
    cdef char** pvals  # the unmasked columns' values, for their fingerprint
    cdef unsigned long* plens
    cdef unsigned char* flags
    # totals since take()
    cdef Py_ssize_t rows
    cdef uint64_t fingerprint
    cdef _CBuf* digests
    cdef _NumSlot** numcache  # per column, for hash over numbers (else NULL)
    cdef public object error

    def __cinit__(self):
        self.codes = NULL
        self.nums = NULL
        self.cache = NULL
        self.key_cols = NULL
        self.unique_start = NULL
        self.unique_cols = NULL
        self.unmasked = NULL
        self.mvals = NULL
        self.mlens = NULL
        self.outs = NULL
        self.rvals = NULL
        self.rlens = NULL
        self.pvals = NULL
        self.plens = NULL
        self.flags = NULL
        self.digests = NULL
        self.numcache = NULL
        self.scratch.data = NULL
        self.scratch.size = 0
        self.scratch.cap = 0
        self.ncols = 0
        self.nunique = 0

    def __dealloc__(self):
        cdef Py_ssize_t i
        if self.outs != NULL:
            for i in range(self.ncols):
                free(self.outs[i].data)
        if self.digests != NULL:
            for i in range(self.nunique):
                free(self.digests[i].data)
        if self.numcache != NULL:
            for i in range(self.ncols):
                free(self.numcache[i])
        free(self.numcache)
        free(self.codes)
        free(self.nums)
        free(self.cache)
        free(self.key_cols)
        free(self.unique_start)
        free(self.unique_cols)
        free(self.unmasked)
        free(self.mvals)
        free(self.mlens)
        free(self.outs)
        free(self.rvals)
        free(self.rlens)
        free(self.pvals)
        free(self.plens)
        free(self.flags)
        free(self.digests)
        free(self.scratch.data)

    def __init__(self, plan):
        cdef Py_ssize_t c, u, k, total
        specs = plan.specs
        self.ncols = len(specs)
        n = self.ncols + 1
        self.codes = <unsigned char*>calloc(n, 1)
        self.nums = <int64_t*>calloc(n, sizeof(int64_t))
        self.mvals = <char**>calloc(n, sizeof(char*))
        self.mlens = <unsigned long*>calloc(n, sizeof(unsigned long))
        self.outs = <_CBuf*>calloc(n, sizeof(_CBuf))
        self.rvals = <char**>calloc(n, sizeof(char*))
        self.rlens = <unsigned long*>calloc(n, sizeof(unsigned long))
        self.pvals = <char**>calloc(n, sizeof(char*))
        self.plens = <unsigned long*>calloc(n, sizeof(unsigned long))
        self.flags = <unsigned char*>calloc(n, 1)
        self.unmasked = <Py_ssize_t*>calloc(n, sizeof(Py_ssize_t))
        # libsodium's state is 64-byte aligned (its code may load it with aligned vector moves)
        if posix_memalign(<void**>&self.cache, 64, STATE_CACHE * sizeof(_TagState)) != 0:
            self.cache = NULL
        if (self.codes == NULL or self.nums == NULL or self.mvals == NULL or self.mlens == NULL
                or self.outs == NULL or self.rvals == NULL or self.rlens == NULL or self.pvals == NULL or self.plens == NULL or self.flags == NULL
                or self.unmasked == NULL or self.cache == NULL):
            raise MemoryError()
        self.cached = 0
        self.datas = []
        self.any_shift = False
        self.nunmasked = 0
        for c in range(self.ncols):
            code, num, data = specs[c]
            self.codes[c] = code
            # a bound past int64 (a DECIMAL's 10**65, an unsigned BIGINT's 2**64 - 1) is no bound here:
            # such numbers have 20 digits or more and go to the Python rule
            self.nums[c] = num if -2 ** 63 <= num < 2 ** 63 else -1
            self.datas.append(data)
            if code == M_SHIFT_DATE:
                self.any_shift = True
            if code == M_NONE:
                self.unmasked[self.nunmasked] = c
                self.nunmasked += 1
        self.fallbacks = list(plan.fallbacks)
        self.numcache = <_NumSlot**>calloc(n, sizeof(_NumSlot*))
        if self.numcache == NULL:
            raise MemoryError()
        for c in range(self.ncols):
            if self.codes[c] == M_HASH_NUMBER:
                self.numcache[c] = <_NumSlot*>calloc(1 << NUM_CACHE_BITS, sizeof(_NumSlot))
                if self.numcache[c] == NULL:
                    raise MemoryError()
        key = plan.key_bytes()
        self.has_key = key is not None
        if key is not None:
            if len(key) != 64:
                raise ValueError("the masking key must be 64 bytes")
            memcpy(self.key, PyBytes_AS_STRING(key), 64)
        for c in range(self.ncols):  # a constant is its column's masked value, kept in its buffer
            if self.codes[c] == M_CONSTANT:
                data = self.datas[c]
                if _cbuf_reserve(&self.outs[c], len(data) + 1) < 0:
                    raise MemoryError()
                memcpy(self.outs[c].data, PyBytes_AS_STRING(data), len(data))
                self.outs[c].size = len(data)
        kp = tuple(plan.key_positions)
        self.nkeys = len(kp)
        self.key_cols = <Py_ssize_t*>calloc(self.nkeys + 1, sizeof(Py_ssize_t))
        uk = [tuple(cols) for cols in plan.unique_keys]
        self.nunique = len(uk)
        total = sum([len(cols) for cols in uk])
        self.unique_start = <Py_ssize_t*>calloc(self.nunique + 1, sizeof(Py_ssize_t))
        self.unique_cols = <Py_ssize_t*>calloc(total + 1, sizeof(Py_ssize_t))
        self.digests = <_CBuf*>calloc(self.nunique + 1, sizeof(_CBuf))
        if self.key_cols == NULL or self.unique_start == NULL or self.unique_cols == NULL or self.digests == NULL:
            raise MemoryError()
        for k in range(self.nkeys):
            self.key_cols[k] = kp[k]
        total = 0
        for u in range(self.nunique):
            self.unique_start[u] = total
            for c in uk[u]:
                self.unique_cols[total] = c
                total += 1
        self.unique_start[self.nunique] = total
        first, last = plan.first_names, plan.last_names
        if len(first) + len(last) > 128:
            raise ValueError("at most 128 names")
        blob = b"".join(first) + b"".join(last)
        if len(blob) > 4096 or not first or not last:
            raise ValueError("the names must be 1..4096 bytes, first and last names both")
        memcpy(self.names, PyBytes_AS_STRING(blob), len(blob))
        self.first_n, self.last_n = len(first), len(last)
        total = 0
        for k, name in enumerate(list(first) + list(last)):
            self.name_off[k] = total
            self.name_len[k] = len(name)
            total += len(name)
        self.error = None

    # -- keyed BLAKE2b -------------------------------------------------------------

    cdef int _digest(self, const unsigned char* tag, size_t taglen, const unsigned char* v, size_t n,
                     unsigned char* out, size_t outlen) noexcept nogil:
        """masking.MaskKey.digest: BLAKE2b keyed by the key, ``outlen`` bytes, of tag, NUL, value.
        The state after the tag is cached per (tag, outlen)."""
        cdef crypto_generichash_blake2b_state st
        cdef int i
        cdef _TagState* t
        for i in range(self.cached):
            t = &self.cache[i]
            if t.taglen == taglen and t.outlen == outlen and memcmp(t.tag, tag, taglen) == 0:
                memcpy(&st, &t.state, sizeof(st))
                crypto_generichash_blake2b_update(&st, v, n)
                return crypto_generichash_blake2b_final(&st, out, outlen)
        if crypto_generichash_blake2b_init(&st, self.key, 64, outlen) != 0:
            return -1
        crypto_generichash_blake2b_update(&st, tag, taglen)
        crypto_generichash_blake2b_update(&st, <const unsigned char*>b"\0", 1)
        if self.cached < STATE_CACHE and taglen <= MAX_TAG:
            t = &self.cache[self.cached]
            memcpy(t.tag, tag, taglen)
            t.taglen = taglen
            t.outlen = outlen
            memcpy(&t.state, &st, sizeof(st))
            self.cached += 1
        crypto_generichash_blake2b_update(&st, v, n)
        return crypto_generichash_blake2b_final(&st, out, outlen)

    cdef int _stream(self, const char* base, size_t baselen, const unsigned char* v, size_t n,
                     Py_ssize_t count, unsigned char* out) noexcept nogil:
        """masking.MaskKey.stream: ``count`` bytes, 64 per block i, each the digest of
        (base + i as 4 little-endian bytes) over the value."""
        cdef unsigned char tag[MAX_TAG + 4]
        cdef unsigned char block[64]
        cdef Py_ssize_t i = 0, take
        cdef uint32_t b = 0
        memcpy(tag, base, baselen)
        while i < count:
            tag[baselen] = b & 0xFF
            tag[baselen + 1] = (b >> 8) & 0xFF
            tag[baselen + 2] = (b >> 16) & 0xFF
            tag[baselen + 3] = (b >> 24) & 0xFF
            take = count - i if count - i < 64 else 64
            if take == 64:
                if self._digest(tag, baselen + 4, v, n, out + i, 64) != 0:
                    return -1
            else:
                if self._digest(tag, baselen + 4, v, n, block, 64) != 0:
                    return -1
                memcpy(out + i, block, take)
            i += take
            b += 1
        return 0

    cdef unsigned char* _scratch(self, Py_ssize_t n) noexcept nogil:
        self.scratch.size = 0
        if _cbuf_reserve(&self.scratch, n + 64) < 0:
            return NULL
        return <unsigned char*>self.scratch.data

    cdef uint64_t _permute(self, bint sign, uint64_t x, uint64_t n) noexcept nogil:
        """masking._permute over 64-bit numbers: a keyed Feistel network walked until it
        lands in range(n). Returns n on a failure of the hash (never expected)."""
        cdef int bits = 0, half, r, i
        cdef uint64_t m, left, right, f, t = n - 1
        cdef unsigned char tag[6]
        cdef unsigned char msg[8]
        cdef unsigned char d[8]
        if n <= 1:
            return x
        while t:
            bits += 1
            t >>= 1
        half = (bits + 1) // 2
        if half < 1:
            half = 1
        m = ((<uint64_t>1) << half) - 1
        memcpy(tag, b"hash-", 5)
        while True:
            left = x >> half
            right = x & m
            for r in range(4):
                if sign:
                    tag[5] = r
                else:
                    tag[4] = r
                for i in range(8):
                    msg[i] = (right >> (8 * i)) & 0xFF
                if self._digest(tag, 6 if sign else 5, msg, 8, d, 8) != 0:
                    return n
                f = _le64(d) & m
                left, right = right, left ^ f
            x = (left << half) | right
            if x < n:
                return x

    # -- one value -----------------------------------------------------------------

    cdef int _set(self, Py_ssize_t c, Py_ssize_t n) noexcept nogil:
        """Room for ``n`` bytes of column c's masked value, which becomes it."""
        self.outs[c].size = 0
        if _cbuf_reserve(&self.outs[c], n + 1) < 0:
            return MASK_MEMORY
        self.mvals[c] = self.outs[c].data
        self.mlens[c] = n
        return MASK_OK

    cdef int _value(self, Py_ssize_t c, const unsigned char* v, Py_ssize_t n) noexcept nogil:
        """Column c's value ``v`` (not NULL) masked into mvals[c] / mlens[c]."""
        cdef unsigned char code = self.codes[c]
        cdef unsigned char* s
        cdef unsigned char* o
        cdef unsigned char d[16]
        cdef Py_ssize_t i, k, at, chars, start, label, words, pos, nlen, limit, o_n, zeros
        cdef bint sign, digits_only, in_space
        cdef uint64_t val, lo, hi, top
        cdef _NumSlot* slot
        if code == M_NULL:
            self.mvals[c] = NULL
            return MASK_OK
        if code == M_CONSTANT:
            return MASK_FALLBACK  # (never reached: the constant is set in _row)
        if code == M_REDACT:
            i = 0
            while i < n and _ascii_space(v[i]):
                i += 1
            if i < n and (v[i] == b'{' or v[i] == b'['):
                return MASK_FALLBACK  # a JSON document stays JSON: the Python rule parses it
            if self._set(c, n) < 0:
                return MASK_MEMORY
            o = <unsigned char*>self.mvals[c]
            for i in range(n):
                o[i] = b'x' if (48 <= v[i] <= 57 or 65 <= v[i] <= 90 or 97 <= v[i] <= 122) else v[i]
            return MASK_OK
        if code == M_HASH_NUMBER:
            sign = n > 0 and v[0] == b'-'
            start = 1 if sign else 0
            k = n - start
            digits_only = k > 0
            for i in range(start, n):
                if not _digit(v[i]):
                    digits_only = False
                    break
            if not digits_only:  # DECIMAL, DOUBLE: each digit replaced, the rest kept
                s = self._scratch(k)
                if s == NULL or self._set(c, n) < 0:
                    return MASK_MEMORY
                if self._stream(b"hash", 4, v, n, k, s) < 0:
                    return MASK_MEMORY
                o = <unsigned char*>self.mvals[c]
                if sign:
                    o[0] = b'-'
                for i in range(k):
                    o[start + i] = DIGITS[s[i] % 10] if _digit(v[start + i]) else v[start + i]
                return MASK_OK
            zeros = 0  # a ZEROFILL column's leading zeros are kept, the significant digits masked
            while zeros < k - 1 and v[start + zeros] == b'0':
                zeros += 1
            if k - zeros > 19:
                return MASK_FALLBACK
            val = 0
            for i in range(start, n):
                val = val * 10 + (v[i] - 48)
            if val == 0:
                self.mvals[c] = <char*>v
                self.mlens[c] = n
                return MASK_OK
            lo = 1
            for i in range(k - zeros - 1):
                lo *= 10
            hi = lo * 10 - 1
            if self.nums[c] >= 0:
                top = <uint64_t>self.nums[c] + (1 if sign else 0)
                if top < hi:
                    hi = top
            if val > hi:
                self.mvals[c] = <char*>v
                self.mlens[c] = n
                return MASK_OK
            slot = &self.numcache[c][((val * <uint64_t>0x9E3779B97F4A7C15) >> (64 - NUM_CACHE_BITS)) ^ sign]
            if slot.used == 1 + sign and slot.val == val:
                val = slot.out
            else:
                slot.used = 0
                slot.val = val
                val = self._permute(sign, val - lo, hi - lo + 1)
                if val >= hi - lo + 1:
                    return MASK_MEMORY
                val += lo
                slot.out = val
                slot.used = 1 + sign
            if self._set(c, 24 + zeros) < 0:
                return MASK_MEMORY
            o = <unsigned char*>self.mvals[c]
            if sign:
                o[0] = b'-'
            for i in range(zeros):
                o[start + i] = b'0'
            self.mlens[c] = start + zeros + _write_u64(<char*>o + start + zeros, val)
            return MASK_OK
        if code == M_HASH_BYTES or code == M_HASH_ASCII or code == M_HASH_TEXT:
            chars = n
            if code == M_HASH_TEXT:
                chars = _utf8_chars(v, n)
                if chars < 0:
                    return MASK_FALLBACK
            if self._set(c, chars) < 0:
                return MASK_MEMORY
            o = <unsigned char*>self.mvals[c]
            if self._stream(b"hash", 4, v, n, chars, o) < 0:
                return MASK_MEMORY
            if code != M_HASH_BYTES:
                for i in range(chars):
                    o[i] = ALNUM[o[i] % 36]
            return MASK_OK
        if code == M_EMAIL or code == M_KEEP_DOMAIN:
            if _utf8_chars(v, n) < 0:
                return MASK_FALLBACK
            at = -1
            for i in range(n - 1, -1, -1):
                if v[i] == b'@':
                    at = i
                    break
            if at < 0:
                chars = _count_chars(v, n)
                if self._set(c, chars) < 0:
                    return MASK_MEMORY
                o = <unsigned char*>self.mvals[c]
                if self._stream(b"email", 5, v, n, chars, o) < 0:
                    return MASK_MEMORY
                for i in range(chars):
                    o[i] = ALNUM[o[i] % 36]
                return MASK_OK
            if self._set(c, n) < 0:  # the masked form is never longer than the value
                return MASK_MEMORY
            o = <unsigned char*>self.mvals[c]
            chars = _count_chars(v, at)
            if self._stream(b"email-local", 11, v, n, chars, o) < 0:
                return MASK_MEMORY
            for i in range(chars):
                o[i] = ALNUM[o[i] % 36]
            o_n = chars
            o[o_n] = b'@'
            o_n += 1
            if code == M_KEEP_DOMAIN:
                memcpy(o + o_n, v + at + 1, n - at - 1)
                self.mlens[c] = o_n + n - at - 1
                return MASK_OK
            # each label but the last masked (lower-case letters, keyed on the whole domain)
            label = 0
            start = at + 1
            for i in range(at + 1, n + 1):
                if i < n and v[i] != b'.':
                    continue
                if i == n:  # the last label, as it is
                    memcpy(o + o_n, v + start, n - start)
                    o_n += n - start
                    break
                chars = _count_chars(v + start, i - start)
                if self._email_label(label, v + at + 1, n - at - 1, chars, o + o_n) < 0:
                    return MASK_MEMORY
                o_n += chars
                o[o_n] = b'.'
                o_n += 1
                label += 1
                start = i + 1
            self.mlens[c] = o_n
            return MASK_OK
        if code == M_NAME:
            words = 0
            in_space = True
            for i in range(n):
                if _ascii_space(v[i]):
                    in_space = True
                elif in_space:
                    words += 1
                    in_space = False
            if words == 0:
                words = 1
            if self._digest(<const unsigned char*>b"name", 4, v, n, d, 16) != 0:
                return MASK_MEMORY
            limit = self.nums[c]  # the column's length, 0: none
            nlen = 0
            for i in range(words):  # the text's length first, for its buffer
                k = d[0] % self.first_n if (i == 0 and words > 1) else self.first_n + d[i % 16] % self.last_n
                nlen += self.name_len[k] + (1 if i else 0)
                if limit > 0 and nlen >= limit:
                    break
            if self._set(c, nlen) < 0:
                return MASK_MEMORY
            o = <unsigned char*>self.mvals[c]
            pos = 0
            for i in range(words):
                k = d[0] % self.first_n if (i == 0 and words > 1) else self.first_n + d[i % 16] % self.last_n
                if i:
                    o[pos] = b' '
                    pos += 1
                memcpy(o + pos, self.names + self.name_off[k], self.name_len[k])
                pos += self.name_len[k]
                if pos >= nlen:
                    break
            self.mlens[c] = limit if 0 < limit < pos else pos
            return MASK_OK
        if code == M_PHONE:
            if self._set(c, n) < 0:
                return MASK_MEMORY
            o = <unsigned char*>self.mvals[c]
            if self._stream(b"phone", 5, v, n, n, o) < 0:
                return MASK_MEMORY
            for i in range(n):
                o[i] = DIGITS[o[i] % 10] if _digit(v[i]) else v[i]
            return MASK_OK
        if code == M_UUID_BIN or code == M_UUID_TEXT:
            if self._digest(<const unsigned char*>b"uuid", 4, v, n, d, 16) != 0:
                return MASK_MEMORY
            d[6] = (d[6] & 0x0F) | 0x40
            d[8] = (d[8] & 0x3F) | 0x80
            if code == M_UUID_BIN:
                if self._set(c, 16) < 0:
                    return MASK_MEMORY
                memcpy(self.mvals[c], d, 16)
                return MASK_OK
            if self._set(c, 36) < 0:
                return MASK_MEMORY
            o = <unsigned char*>self.mvals[c]
            pos = 0
            for i in range(16):
                if i == 4 or i == 6 or i == 8 or i == 10:
                    o[pos] = b'-'
                    pos += 1
                o[pos] = HEXLOWER[d[i] >> 4]
                o[pos + 1] = HEXLOWER[d[i] & 15]
                pos += 2
            return MASK_OK
        return MASK_FALLBACK

    cdef int _email_label(self, Py_ssize_t label, const unsigned char* domain, Py_ssize_t n, Py_ssize_t chars,
                          unsigned char* out) noexcept nogil:
        cdef char base[13]
        cdef Py_ssize_t i
        memcpy(base, b"email-domain", 12)
        base[12] = <char>(label & 0xFF)  # the label's number, modulo 256 (a domain of more labels is absurd)
        if self._stream(base, 13, domain, n, chars, out) < 0:
            return -1
        for i in range(chars):
            out[i] = LOWER[out[i] % 26]
        return 0

    cdef int _shift_date(self, Py_ssize_t c, const unsigned char* v, Py_ssize_t n, const unsigned char* rid,
                         Py_ssize_t rid_n) noexcept nogil:
        """masking._shift by the row's keyed shift (days in nums[c])."""
        cdef int64_t days = self.nums[c], y, m, dd, shift, z
        cdef unsigned char d[8]
        cdef Py_ssize_t i
        cdef unsigned char* o
        if days <= 0:
            return MASK_OK if days == 0 else MASK_FALLBACK
        if days > 1000000000:
            return MASK_FALLBACK
        if n < 10 or v[4] != b'-' or v[7] != b'-':
            return MASK_OK
        for i in range(10):
            if i != 4 and i != 7 and not _digit(v[i]):
                return MASK_OK
        if v[0] == b'0' and v[1] == b'0' and v[2] == b'0' and v[3] == b'0':
            return MASK_OK
        y = (v[0] - 48) * 1000 + (v[1] - 48) * 100 + (v[2] - 48) * 10 + (v[3] - 48)
        m = (v[5] - 48) * 10 + (v[6] - 48)
        dd = (v[8] - 48) * 10 + (v[9] - 48)
        if m < 1 or m > 12 or dd < 1 or dd > _month_days(y, m):
            return MASK_OK
        if self._digest(<const unsigned char*>b"shift-date", 10, rid, rid_n, d, 8) != 0:
            return MASK_MEMORY
        shift = <int64_t>(_le64(d) % <uint64_t>(2 * days + 1)) - days
        if shift == 0:
            return MASK_OK
        z = _days_from_civil(y, m, dd) + shift
        _civil_from_days(z, &y, &m, &dd)
        if y < 1 or y > 9999:
            return MASK_OK
        if self._set(c, n) < 0:
            return MASK_MEMORY
        o = <unsigned char*>self.mvals[c]
        memcpy(o, v, n)
        o[0] = <unsigned char>(48 + y // 1000)
        o[1] = <unsigned char>(48 + y // 100 % 10)
        o[2] = <unsigned char>(48 + y // 10 % 10)
        o[3] = <unsigned char>(48 + y % 10)
        o[5] = <unsigned char>(48 + m // 10)
        o[6] = <unsigned char>(48 + m % 10)
        o[8] = <unsigned char>(48 + dd // 10)
        o[9] = <unsigned char>(48 + dd % 10)
        return MASK_OK

    cdef int _fallback(self, Py_ssize_t c, const char* v, Py_ssize_t n) noexcept with gil:
        """The column's Python rule for this value (the GIL taken for it)."""
        try:
            out = self.fallbacks[c](PyBytes_FromStringAndSize(v, n))
            if out is None:
                self.mvals[c] = NULL
                return MASK_OK
            if type(out) is not bytes:
                raise TypeError(f"a masking rule returned {type(out).__name__}, not bytes")
            if self._set(c, len(out)) < 0:
                return MASK_MEMORY
            memcpy(self.mvals[c], PyBytes_AS_STRING(out), len(out))
            return MASK_OK
        except BaseException as exc:
            self.error = exc
            return MASK_ERROR

    # -- one row ---------------------------------------------------------------------

    cdef int _row(self, char** values, const unsigned long* lengths) noexcept nogil:
        """The row's masked values into mvals / mlens; MASK_OK or an error code."""
        cdef Py_ssize_t c, k, rid_n = 0
        cdef int st
        cdef unsigned char code
        cdef unsigned char* rid = NULL
        for c in range(self.ncols):
            self.mvals[c] = values[c]
            self.mlens[c] = lengths[c]
            code = self.codes[c]
            if code == M_NONE or code == M_SHIFT_DATE:
                continue
            if code == M_NULL:
                self.mvals[c] = NULL
                continue
            if values[c] == NULL:
                continue
            if code == M_CONSTANT:
                self.mvals[c] = self.outs[c].data
                self.mlens[c] = self.outs[c].size
                continue
            st = self._value(c, <const unsigned char*>values[c], lengths[c])
            if st == MASK_FALLBACK:
                st = self._fallback(c, values[c], lengths[c])
            if st != MASK_OK:
                return st
        if not self.any_shift:
            return MASK_OK
        if self.nkeys:  # the row's key: its primary key values joined by NUL (a NULL as nothing)
            rid_n = self.nkeys - 1
            for k in range(self.nkeys):
                if values[self.key_cols[k]] != NULL:
                    rid_n += lengths[self.key_cols[k]]
            rid = self._scratch(rid_n)
            if rid == NULL:
                return MASK_MEMORY
            rid_n = 0
            for k in range(self.nkeys):
                if k:
                    rid[rid_n] = 0
                    rid_n += 1
                if values[self.key_cols[k]] != NULL:
                    memcpy(rid + rid_n, values[self.key_cols[k]], lengths[self.key_cols[k]])
                    rid_n += lengths[self.key_cols[k]]
        for c in range(self.ncols):
            if self.codes[c] != M_SHIFT_DATE or values[c] == NULL:
                continue
            if self.nkeys:
                st = self._shift_date(c, <const unsigned char*>values[c], lengths[c], rid, rid_n)
            else:
                st = self._shift_date(c, <const unsigned char*>values[c], lengths[c],
                                      <const unsigned char*>values[c], lengths[c])
            if st == MASK_FALLBACK:
                st = self._fallback_shift(c, values, lengths)
            if st != MASK_OK:
                return st
        return MASK_OK

    cdef int _fallback_shift(self, Py_ssize_t c, char** values, const unsigned long* lengths) noexcept with gil:
        """shift-date's Python rule over the whole row (it reads the row's key)."""
        cdef Py_ssize_t k
        try:
            row = tuple([None if values[k] == NULL else PyBytes_FromStringAndSize(values[k], lengths[k])
                         for k in range(self.ncols)])
            out = self.fallbacks[c](row)
            if type(out) is not bytes:
                raise TypeError(f"shift-date returned {type(out).__name__}, not bytes")
            if self._set(c, len(out)) < 0:
                return MASK_MEMORY
            memcpy(self.mvals[c], PyBytes_AS_STRING(out), len(out))
            return MASK_OK
        except BaseException as exc:
            self.error = exc
            return MASK_ERROR

    cdef int _accept(self, char** values, const unsigned long* lengths) noexcept nogil:
        """Count a row taken into the dump (masked values in mvals): its unmasked columns'
        fingerprint term, and a digest per masked unique key (none when a value is NULL)."""
        cdef Py_ssize_t u, k, c, need
        cdef unsigned char* msg
        cdef bint null
        cdef int w
        self.rows += 1
        if self.nunmasked:
            for k in range(self.nunmasked):
                c = self.unmasked[k]
                self.pvals[k] = values[c]
                self.plens[k] = lengths[c]
            self.fingerprint += _row_crc(self.pvals, self.plens, self.nunmasked, self.flags)
        for u in range(self.nunique):
            need = 0
            null = False
            for k in range(self.unique_start[u], self.unique_start[u + 1]):
                c = self.unique_cols[k]
                if self.mvals[c] == NULL:
                    null = True
                    break
                need += self.mlens[c] + 24
            if null:
                continue
            msg = self._scratch(need)
            if msg == NULL or _cbuf_reserve(&self.digests[u], 16) < 0:
                return MASK_MEMORY
            need = 0  # b"\0".join(b"%d:" % len(v) + v for v in values)
            for k in range(self.unique_start[u], self.unique_start[u + 1]):
                c = self.unique_cols[k]
                if k > self.unique_start[u]:
                    msg[need] = 0
                    need += 1
                need += _write_u64(<char*>msg + need, self.mlens[c])
                msg[need] = b':'
                need += 1
                memcpy(msg + need, self.mvals[c], self.mlens[c])
                need += self.mlens[c]
            crypto_generichash_blake2b(<unsigned char*>self.digests[u].data + self.digests[u].size, 16,
                                       msg, need, NULL, 0)
            self.digests[u].size += 16
        return MASK_OK

    cdef int _raise(self, int status) except -1:
        if status == MASK_MEMORY:
            raise MemoryError()
        err, self.error = self.error, None
        raise err

    def mask_rows(self, rows):
        """The rows (tuples of raw values; values after the plan's columns pass as they
        are) masked, and counted as taken."""
        cdef object seq = PySequence_Fast(rows, "rows must be a sequence")
        cdef Py_ssize_t nrows = PySequence_Fast_GET_SIZE(seq), i, c
        cdef object row, value
        cdef int st
        cdef list out = []
        cdef list masked
        for i in range(nrows):
            row = <object>PySequence_Fast_GET_ITEM(seq, i)
            if not isinstance(row, tuple) or len(<tuple>row) < self.ncols:
                raise ValueError(f"row {i} has {len(row)} values, expected {self.ncols}")
            for c in range(self.ncols):
                value = (<tuple>row)[c]
                if value is None:
                    self.rvals[c] = NULL
                    self.rlens[c] = 0
                elif type(value) is bytes:
                    self.rvals[c] = PyBytes_AS_STRING(value)
                    self.rlens[c] = PyBytes_GET_SIZE(value)
                else:
                    raise TypeError(f"row {i} column {c}: expected bytes or None, got {type(value).__name__}")
            st = self._row(self.rvals, self.rlens)
            if st == MASK_OK:
                st = self._accept(self.rvals, self.rlens)
            if st != MASK_OK:
                self._raise(st)
            masked = list(<tuple>row)
            for c in range(self.ncols):
                if self.codes[c] == M_NONE or self.mvals[c] == self.rvals[c]:
                    continue  # as it is (a shift-date or hash rule may leave a value unchanged)
                masked[c] = None if self.mvals[c] == NULL else PyBytes_FromStringAndSize(self.mvals[c],
                                                                                         self.mlens[c])
            out.append(tuple(masked))
        return out

    def take(self):
        """(rows, fingerprint of the unmasked columns, [digests of each unique key]) since
        the last take(); the totals start again from zero."""
        cdef Py_ssize_t u
        digests = []
        for u in range(self.nunique):
            digests.append(PyBytes_FromStringAndSize(self.digests[u].data, self.digests[u].size))
            self.digests[u].size = 0
        out = (self.rows, self.fingerprint, digests)
        self.rows = 0
        self.fingerprint = 0
        return out


cdef int _cmp16(const void* a, const void* b) noexcept nogil:
    return memcmp(a, b, 16)


def sort_digests(unsigned char[::1] buf):
    """Sort the 16-byte records of ``buf`` in place; the offset of a record equal to the
    next one, or -1 when all differ."""
    cdef Py_ssize_t n = buf.shape[0] // 16, i
    if buf.shape[0] % 16:
        raise ValueError("not a whole number of 16-byte digests")
    if n < 2:
        return -1
    with nogil:
        qsort(&buf[0], n, 16, _cmp16)
    for i in range(n - 1):
        if memcmp(&buf[16 * i], &buf[16 * i + 16], 16) == 0:
            return 16 * i
    return -1

