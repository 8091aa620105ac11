# Included by _encoder.pyx: the compiled half of ``restore --load-method load-data``.
#
# 1. load_text(): a statement's row tuples, as the encoder wrote them, -> the text
#    LOAD DATA reads with its default FIELDS/LINES options (tab between fields, LF after
#    each row, backslash escapes, \N for NULL). Same output as reference.load_text.
# 2. InfileFeed + attach_infile(): libmariadb's local-infile callbacks pointed at a
#    Python iterator of byte blocks, so LOAD DATA LOCAL INFILE streams from memory
#    (no file, no FIFO, no thread). Whatever name the server asks for, a connection
#    with a feed attached can only ever send that feed: never a file from disk.

cdef extern from "mysql.h":
    void mysql_set_local_infile_handler(
        MYSQL* mysql,
        int (*local_infile_init)(void**, const char*, void*),
        int (*local_infile_read)(void*, char*, unsigned int),
        void (*local_infile_end)(void*),
        int (*local_infile_error)(void*, char*, unsigned int),
        void* userdata) nogil
    void mysql_set_local_infile_default(MYSQL* mysql) nogil
    unsigned long mysql_thread_id(MYSQL* mysql) nogil


cdef bint HEX_CHAR[256]


cdef void _init_load_tables():
    cdef int i
    for i in range(256):
        HEX_CHAR[i] = (48 <= i <= 57) or (65 <= i <= 70) or (97 <= i <= 102)


_init_load_tables()


cdef inline Py_ssize_t _bad(Py_ssize_t row, Py_ssize_t col, Py_ssize_t pos, str what) except -1:
    raise ValueError(f"row {row} column {col} (byte {pos}): {what}")


def load_text(const unsigned char[::1] body not None, bytes kinds):
    """Row tuples ``(v,...),\\n(v,...)`` (the encoder's output; any contiguous buffer: a
    view of the loader's reused buffer) -> LOAD DATA text.

    NULL -> ``\\N``; numbers verbatim; a quoted string keeps its backslash escapes
    (LOAD DATA reads \\0 \\n \\r \\Z \\' \\\\ as the SQL parser does), with a raw tab or
    LF escaped; hex literals -> their hex digits (the LOAD statement UNHEXes them),
    ``''`` in a hex column -> an empty field. Returns (text, rows). Anything else, or
    a token of the wrong kind for its column, raises ValueError.
    """
    cdef Py_ssize_t n = body.shape[0]
    cdef const unsigned char* s = &body[0] if n else NULL
    cdef const unsigned char* kind = <const unsigned char*>PyBytes_AS_STRING(kinds)
    cdef Py_ssize_t ncols = PyBytes_GET_SIZE(kinds)
    cdef _Buffer buf = _Buffer(2 * n + 16)
    cdef char* out = buf.b.data
    cdef Py_ssize_t p = 0, o = 0, c, rows = 0
    cdef unsigned char ch, k
    if ncols == 0:
        raise ValueError("no columns")
    while p < n:
        if rows:
            if p + 1 >= n or s[p] != 44 or s[p + 1] != 10:  # ",\n" between rows
                _bad(rows, 0, p, "expected ',\\n' between rows")
            p += 2
        if p >= n or s[p] != 40:  # (
            _bad(rows, 0, p, "expected '('")
        p += 1
        for c in range(ncols):
            if c:
                if p >= n or s[p] != 44:
                    _bad(rows, c, p, "expected ','")
                p += 1
                out[o] = 9
                o += 1
            if p >= n:
                _bad(rows, c, p, "row cut short")
            k = kind[c]
            ch = s[p]
            if ch == 78:  # NULL
                if p + 4 > n or s[p + 1] != 85 or s[p + 2] != 76 or s[p + 3] != 76:
                    _bad(rows, c, p, "expected NULL")
                p += 4
                out[o] = 92
                out[o + 1] = 78
                o += 2
            elif ch == 39:  # a quoted string
                p += 1
                if k == KIND_NUMBER:
                    _bad(rows, c, p, "a string in a number column")
                if k == KIND_HEX and (p >= n or s[p] != 39):
                    _bad(rows, c, p, "a string in a binary column")
                while True:
                    if p >= n:
                        _bad(rows, c, p, "unterminated string")
                    ch = s[p]
                    if ch == 39:
                        p += 1
                        break
                    if ch == 92:
                        if p + 1 >= n:
                            _bad(rows, c, p, "unterminated string")
                        out[o] = 92
                        out[o + 1] = s[p + 1]
                        o += 2
                        p += 2
                    elif ch == 9:
                        out[o] = 92
                        out[o + 1] = 116  # \t
                        o += 2
                        p += 1
                    elif ch == 10:
                        out[o] = 92
                        out[o + 1] = 110  # \n
                        o += 2
                        p += 1
                    else:
                        out[o] = <char>ch
                        o += 1
                        p += 1
            elif k == KIND_HEX:
                if p + 2 > n or ch != 48 or s[p + 1] != 120:
                    _bad(rows, c, p, "expected a hex literal")
                p += 2
                while p < n and HEX_CHAR[s[p]]:
                    out[o] = <char>s[p]
                    o += 1
                    p += 1
            elif k == KIND_NUMBER:
                while p < n and NUMBER_CHAR[s[p]]:
                    out[o] = <char>s[p]
                    o += 1
                    p += 1
                if p < n and s[p] != 44 and s[p] != 41:
                    _bad(rows, c, p, "not a number")
            else:
                _bad(rows, c, p, "expected a quoted string")
        if p >= n or s[p] != 41:  # )
            _bad(rows, ncols, p, "expected ')' (more values than columns?)")
        p += 1
        out[o] = 10
        o += 1
        rows += 1
    return PyBytes_FromStringAndSize(out, o), rows


cdef class InfileFeed:
    """What one LOAD DATA LOCAL INFILE sends: the blocks of an iterator of bytes.

    An exception raised by the iterator is kept in ``error`` (the server is sent the
    end of the data, and the caller raises it after the statement returns)."""
    cdef object blocks
    cdef bytes current
    cdef Py_ssize_t pos
    cdef public object error
    cdef public Py_ssize_t sent
    cdef public bint opened

    def __init__(self, blocks):
        self.blocks = iter(blocks)
        self.current = b""
        self.pos = 0
        self.error = None
        self.sent = 0
        self.opened = False

    cdef int read_into(self, char* buf, unsigned int buflen):
        cdef Py_ssize_t take
        while self.pos >= PyBytes_GET_SIZE(self.current):
            if self.blocks is None:
                return 0
            try:
                block = next(self.blocks)
            except StopIteration:
                self.blocks = None
                return 0
            except BaseException as exc:  # handed back to the caller, never lost
                self.error = exc
                self.blocks = None
                return -1
            if type(block) is not bytes:
                self.error = TypeError(f"infile block must be bytes, got {type(block).__name__}")
                self.blocks = None
                return -1
            self.current = <bytes>block
            self.pos = 0
        take = min(<Py_ssize_t>buflen, PyBytes_GET_SIZE(self.current) - self.pos)
        memcpy(buf, PyBytes_AS_STRING(self.current) + self.pos, take)
        self.pos += take
        self.sent += take
        return <int>take


cdef int _infile_init(void** ptr, const char* filename, void* userdata) noexcept with gil:
    ptr[0] = userdata
    if userdata == NULL:
        return 1
    (<InfileFeed>userdata).opened = True
    return 0


cdef int _infile_read(void* ptr, char* buf, unsigned int buflen) noexcept with gil:
    if ptr == NULL:
        return -1
    return (<InfileFeed>ptr).read_into(buf, buflen)


cdef void _infile_end(void* ptr) noexcept nogil:
    pass


cdef int _infile_error(void* ptr, char* msg, unsigned int msglen) noexcept with gil:
    cdef bytes text
    if ptr == NULL or (<InfileFeed>ptr).error is None:
        text = b"dumpcore: LOAD DATA LOCAL INFILE without data attached"
    else:
        text = ("dumpcore: " + str((<InfileFeed>ptr).error)).encode("utf-8", "replace")
    if msglen:
        text = text[: msglen - 1]
        memcpy(msg, PyBytes_AS_STRING(text), PyBytes_GET_SIZE(text))
        msg[PyBytes_GET_SIZE(text)] = 0
    return 2000  # CR_UNKNOWN_ERROR


cdef MYSQL* _mysql_of(connection) except NULL:
    """The MYSQL* inside a mysqlclient connection object, checked against its thread id."""
    cdef MYSQL* mysql
    if type(connection).__module__ not in ("_mysql", "MySQLdb._mysql") or type(connection).__name__ != "connection":
        raise TypeError("not a mysqlclient connection object")
    mysql = &(<_ConnectionObject*><PyObject*>connection).connection
    if mysql_thread_id(mysql) != connection.thread_id():
        raise TypeError("unexpected mysqlclient connection layout")
    return mysql


def attach_infile(connection, InfileFeed feed):
    """Point the connection's LOAD DATA LOCAL INFILE at ``feed`` (until detach_infile).
    The caller keeps ``feed`` alive while it is attached."""
    mysql_set_local_infile_handler(_mysql_of(connection), _infile_init, _infile_read, _infile_end, _infile_error,
                                   <void*>feed)


def detach_infile(connection):
    """Leave a handler that refuses every file: a server asking for a local file later
    gets an error, never a file from this machine."""
    mysql_set_local_infile_handler(_mysql_of(connection), _infile_init, _infile_read, _infile_end, _infile_error,
                                   NULL)
