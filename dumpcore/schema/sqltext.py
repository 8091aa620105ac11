"""The SQL text layer: the only module that imports sqlglot.

- ``split_statements``: a SQL file into statements, honouring DELIMITER, quotes,
  comments and MariaDB's executable ``/*! ... */`` comments.
- ``validate``: every statement dumpcore generates is parsed before it is written;
  one that does not parse is a bug and raises GeneratedSQLError. Inside ``deferred()``
  the parse is handed to a background validator (dumpcore.dump.validation) instead.
- ``validate_insert_template``: a table's INSERT, with one row of every literal form its
  columns take, parsed once and compared with what it must read as (the compiled
  scanner then holds every statement of the dump to that shape: verify/statement_shape.py).
- ``parse_create_table`` / ``referenced_tables``: offline DDL understanding for the
  schema model, with a pre-pass for what sqlglot cannot read (INET4/INET6, table
  options, partitions, versioned comments).
"""
from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, Callable, Iterator

from ..errors import GeneratedSQLError
from ..store.hashing import hash_bytes
from ..records import record

DIALECT = "mysql"

# sqlglot logs a warning when it falls back to a Command; we report fallbacks ourselves.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_SQLGLOT: SimpleNamespace | None = None
_DEFERRAL = threading.local()  # .submit: where this thread's checks go inside deferred()


def load_parser() -> None:
    """Import sqlglot now (the background validator does, first thing)."""
    _sg()


def _sg() -> SimpleNamespace:
    """sqlglot, imported on first use: restore, verify and cat never parse SQL, and the
    import is a third of the CLI's start-up."""
    global _SQLGLOT
    if _SQLGLOT is None:
        import sqlglot
        import sqlglot.expressions as exp
        from sqlglot.errors import ErrorLevel, ParseError, TokenError

        _SQLGLOT = SimpleNamespace(sqlglot=sqlglot, exp=exp, ErrorLevel=ErrorLevel,
                                   errors=(ParseError, TokenError))
    return _SQLGLOT


@record(frozen=True)
class Statement:
    text: str
    line: int  # 1-based line of the statement's first character in its file

    def head(self, width: int = 60) -> str:
        one = " ".join(self.text.split())
        return one if len(one) <= width else one[: width - 3] + "..."


_DELIMITER_RE = re.compile(r"^[ \t]*DELIMITER[ \t]+(\S+)[ \t]*$", re.IGNORECASE | re.MULTILINE)


def split_statements(text: str, keep_comments: bool = False) -> list[Statement]:
    """Split SQL text into statements (without their delimiter), like the mysql client.

    ``keep_comments``: comments inside a statement stay in its text (routine and trigger
    bodies reach the server byte for byte); comments between statements are dropped.
    """
    out: list[Statement] = []
    delim = ";"
    i, n = 0, len(text)
    line = 1
    start, start_line = 0, 1
    buf: list[str] = []

    def flush(end: int) -> None:
        chunk = "".join(buf) + text[start:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            out.append(Statement(stripped, start_line + chunk[:lead].count("\n")))

    while i < n:
        c = text[i]
        at_line_start = i == 0 or text[i - 1] == "\n"
        if at_line_start and not "".join(buf).strip() and not text[start:i].strip():
            m = _DELIMITER_RE.match(text, i)
            if m:
                delim = m.group(1)
                line += text[i : m.end()].count("\n")
                i = m.end()
                start, start_line, buf = i, line, []
                continue
        if c in "'\"`":
            j = i + 1
            while j < n:
                if text[j] == "\\" and c != "`":
                    j += 2
                    continue
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            line += text[i : j + 1].count("\n")
            i = j + 1
            continue
        if c == "#" or (c == "-" and text.startswith("--", i) and (i + 2 >= n or text[i + 2] in " \t\r\n")):
            j = text.find("\n", i)
            j = n if j < 0 else j
            if keep_comments and ("".join(buf) + text[start:i]).strip():
                i = j
                continue
            buf.append(text[start:i])
            start = j
            i = j
            continue
        if c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            inside = keep_comments and ("".join(buf) + text[start:i]).strip()
            if not (text.startswith("/*!", i) or text.startswith("/*M!", i) or inside):
                buf.append(text[start:i] + " ")
                start = j
            line += text[i:j].count("\n")
            i = j
            continue
        if text.startswith(delim, i):
            flush(i)
            i += len(delim)
            start, start_line, buf = i, line, []
            continue
        if c == "\n":
            line += 1
        i += 1
    flush(n)
    return out


# Text written into a `--` comment line (names of tables, files, databases): a line
# break there would end the comment and make the rest of the name executable SQL.
_COMMENT_UNSAFE_RE = re.compile(r"[\\\x00-\x1f\x7f\x85\u2028\u2029]|\*/")
_COMMENT_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\t", "\x00": "\\0", "*/": "*\\/"}
_COMMENT_UNESCAPE_RE = re.compile(r"\\(?:u([0-9a-f]{4})|(.))")


def comment_text(text: str) -> str:
    """``text`` made safe for a comment: no line break, NUL or ``*/`` survives (``\\n``,
    ``\\r``, ``\\0``, ``*\\/``, ``\\uXXXX``; a backslash is doubled). ``uncomment_text``
    reads it back."""
    return _COMMENT_UNSAFE_RE.sub(lambda m: _COMMENT_NAMED.get(m.group(0)) or f"\\u{ord(m.group(0)):04x}", text)


def uncomment_text(text: str) -> str:
    """The inverse of ``comment_text``."""
    plain = {"n": "\n", "r": "\r", "0": "\x00", "/": "/", "\\": "\\"}
    return _COMMENT_UNESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else plain.get(m.group(2), m.group(2)),
                                    text)


def parse_one(sql: str):
    """Parse one statement; raises ParseError/TokenError. Returns the expression or None."""
    sg = _sg()
    parsed = sg.sqlglot.parse(sql, read=DIALECT, error_level=sg.ErrorLevel.RAISE)
    return parsed[0] if parsed else None


@contextmanager
def deferred(submit: Callable[..., None] | None) -> Iterator[None]:
    """Inside the block, this thread's ``validate`` and ``note_server_ddl`` calls are
    handed to ``submit(check, *args, on_result=None)`` (the validator process) instead of
    parsing now; ``check`` is a module-level function, ``on_result`` gets what it returns."""
    previous = getattr(_DEFERRAL, "submit", None)
    _DEFERRAL.submit = submit
    try:
        yield
    finally:
        _DEFERRAL.submit = previous


def deferral() -> Callable[..., None] | None:
    """Where this thread's checks go now (None: parsed on the spot), to hand to a worker thread."""
    return getattr(_DEFERRAL, "submit", None)


def validate(sql: str, what: str = "statement", allow_command: bool = False) -> None:
    """Parse a statement dumpcore generated. A failure is a dumpcore bug: fail loudly.

    ``allow_command``: server-provided bodies (triggers, routines) that sqlglot can
    only tokenize are accepted as a Command; our own statements never are.
    """
    _check(_validate_now, sql, what, allow_command)


def _check(check: Callable[..., Any], *args, on_result: Callable[[Any], Any] | None = None) -> None:
    """``check(*args)`` handed to this thread's deferral (see ``deferred()``), or run now;
    ``on_result`` gets what it returns. A statement of the shape of one that passed
    already (``_shape``) passes without a parse."""
    key = _shape(check, args)
    if key is not None:
        if key in _PASSED:
            if on_result is not None:
                on_result(None)
            return
        inner = on_result

        def on_result(result: Any, key: str = key) -> Any:  # noqa: F811 - noting a pass, then the caller's
            if result is None:
                _PASSED.add(key)
            return inner(result) if inner is not None else None

    submit = deferral()
    if submit is not None:
        submit(check, *args, on_result=on_result)
        return
    result = check(*args)
    if on_result is not None:
        on_result(result)


# Checks that passed, by shape: a statement that differs from one of them only in its plain
# quoted identifiers (letters, digits, _ and $, which read the same whatever they are) is
# read by sqlglot as that one was. 10,000 tables of one design are parsed once, not 10,000
# times. Kept as hashes (16 bytes a shape), for this process's life.
_PASSED: set[str] = set()
_PLAIN_IDENT = re.compile(r"`[A-Za-z0-9_$]+`")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_$]+")


def _shape(check: Callable[..., Any], args: tuple) -> str | None:
    """The shape of ``check(*args)``: a hash the same for two calls whose outcome must be
    the same, or None (never skipped)."""
    if check is _validate_now:  # (sql, what, allow_command): whether it parses, and to what
        return hash_bytes(repr(("v", _PLAIN_IDENT.sub("`?`", args[0]), args[2])).encode())
    if check is check_server_ddl:
        return hash_bytes(repr(("s", _PLAIN_IDENT.sub("`?`", args[0]))).encode())
    if check is _validate_template_now:  # (sql, what, table, columns, rows, update_columns)
        sql, _, table, columns, rows, update = args
        if not all(_PLAIN_NAME.fullmatch(n) for n in [table, *columns]):
            return None
        roles = {f"`{c}`": f"`c{i}`" for i, c in enumerate(columns)}
        roles[f"`{table}`"] = "`t`"  # the table's role wins a name it shares with a column
        text = _PLAIN_IDENT.sub(lambda m: roles.get(m.group(0), m.group(0)), sql)
        return hash_bytes(repr(("t", text, len(columns), [[tuple(v) for v in r] for r in rows],
                                [columns.index(u) if u in columns else u for u in update])).encode())
    return None


def _parsed(sql: str, what: str):
    """sqlglot's tree of generated ``sql``; GeneratedSQLError naming ``what`` when it does not parse."""
    try:
        return parse_one(sql)
    except _sg().errors as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise GeneratedSQLError(f"generated {what} does not parse: {first}: {_head(sql)}") from None


def _validate_now(sql: str, what: str, allow_command: bool) -> None:
    exp = _sg().exp
    expr = _parsed(sql, what)
    if expr is None and sql.strip():
        raise GeneratedSQLError(f"generated {what} parsed to nothing: {_head(sql)}")
    if isinstance(expr, exp.Command) and not allow_command:
        raise GeneratedSQLError(f"generated {what} is not understood SQL (only a command): {_head(sql)}")


def validate_insert_template(sql: str, what: str, table: str, columns: list, rows: list,
                             update_columns: list) -> None:
    """Parse a table's statement template (an INSERT the dump would write) and require it
    to read as meant: an INSERT into ``table`` of ``columns``, the ``rows`` (each value
    ``("null", "")``, ``("number", text)``, ``("string", text)`` or ``("hex", digits)``,
    text as the literal must read back), and an ON DUPLICATE KEY UPDATE of exactly
    ``update_columns`` (none: no such clause). A difference is a dumpcore bug."""
    _check(_validate_template_now, sql, what, table, columns, rows, update_columns)


def _validate_template_now(sql: str, what: str, table: str, columns: list, rows: list,
                           update_columns: list) -> None:
    exp = _sg().exp
    expr = _parsed(sql, what)

    def fail(why: str) -> None:
        raise GeneratedSQLError(f"generated {what} does not read as its template: {why}: {_head(sql)}")

    target = expr.this if isinstance(expr, exp.Insert) else None
    if not isinstance(target, exp.Schema) or not isinstance(target.this, exp.Table):
        fail("not an INSERT with a column list")
    if target.this.name != table or [_ident(c) for c in target.expressions] != list(columns):
        fail("another table or other columns")
    values = expr.expression
    if not isinstance(values, exp.Values) or len(values.expressions) != len(rows):
        fail("not the template's rows")
    for r, (row, want) in enumerate(zip(values.expressions, rows), 1):
        if len(row.expressions) != len(columns):
            fail(f"row {r} does not hold one value per column")
        for c, (node, (tag, text)) in enumerate(zip(row.expressions, want), 1):
            if _literal_reading(exp, node) != (tag, text) and not (tag == "hex" and text == ""
                                                                  and _literal_reading(exp, node) == ("string", "")):
                fail(f"row {r} column {c} reads as {_literal_reading(exp, node)!r}, not {(tag, text)!r}")
    conflict = expr.args.get("conflict")
    updated = [_ident(e.this) for e in conflict.expressions] if conflict is not None else []
    if updated != list(update_columns) or (conflict is not None and not conflict.args.get("duplicate")):
        fail("not the upsert clause of the table's key")


def _literal_reading(exp, node) -> tuple[str, str]:
    """What a literal of a VALUES row reads as: (tag, text)."""
    if isinstance(node, exp.Null):
        return "null", ""
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return "number", "-" + node.this.this
    if isinstance(node, exp.Literal):
        return ("string" if node.is_string else "number"), node.this
    if isinstance(node, exp.HexString):
        return "hex", node.this
    return type(node).__name__, node.sql(DIALECT)


def _head(sql: str, width: int = 100) -> str:
    one = " ".join(sql.split())
    return one if len(one) <= width else one[: width - 3] + "..."


# ---------------------------------------------------------------------------
# Offline DDL: CREATE TABLE into plain data for the schema model.

@record
class ParsedColumn:
    name: str
    data_type: str
    column_type: str
    nullable: bool
    generated: bool
    invisible: bool


@record
class ParsedForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@record
class ParsedTable:
    name: str
    columns: list[ParsedColumn]
    primary_key: tuple[str, ...]
    unique_keys: list[tuple[str, ...]]
    foreign_keys: list[ParsedForeignKey]


# Types sqlglot's MySQL dialect cannot read, replaced by a same-sized stand-in
# for parsing; the original name is put back afterwards.
_STANDIN_TYPES = {"INET6": "BINARY(16)", "INET4": "BINARY(4)"}
_STANDIN_RE = re.compile(r"(?<![\w`])(INET6|INET4)(?![\w`])", re.IGNORECASE)
_PERSISTENT_RE = re.compile(r"\)\s*PERSISTENT\b", re.IGNORECASE)
# Spatial column types sqlglot does not know (it reads GEOMETRY): only in a column
# definition's type position, never the POINT(x, y) function.
_SPATIAL_TYPE_RE = re.compile(r"(`(?:[^`]|``)+`|\w+)(\s+)(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|"
                              r"MULTIPOLYGON|GEOMETRYCOLLECTION)\b(?!\s*\()", re.IGNORECASE)
_SPATIAL_KEY_RE = re.compile(r",\s*SPATIAL\s+(?:KEY|INDEX)\b[^,()]*\([^()]*\)", re.IGNORECASE)
_VERSIONED_COMMENT_RE = re.compile(r"/\*(M?!)(\d{5,6})?\s?(.*?)\*/", re.DOTALL)


# The server the offline model stands for: versioned comments are kept or dropped
# as that server would (MariaDB skips MySQL-5.7+-only /*!50700..99999 comments).
OFFLINE_FLAVOUR = ("mariadb", 101100)


def comment_runs(marker: str, version: str, flavour: tuple[str, int] = OFFLINE_FLAVOUR) -> bool:
    """Whether a server of ``flavour`` executes ``/*!version ...*/`` (marker '!' or 'M!')."""
    kind, server = flavour
    if marker == "M!" and kind != "mariadb":
        return False
    if not version:
        return True
    v = int(version)
    if v > server:
        return False
    return not (kind == "mariadb" and marker == "!" and 50700 <= v <= 99999)


def _unwrap_versioned_comments(sql: str) -> str:
    return _VERSIONED_COMMENT_RE.sub(
        lambda m: f" {m.group(3)} " if comment_runs(m.group(1), m.group(2)) else " ", sql)


def _through_column_list(sql: str) -> str:
    """CREATE TABLE text up to the closing paren of its column list (drops options, partitions)."""
    depth = 0
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"`":
            j = i + 1
            while j < n and sql[j] != c:
                j += 2 if sql[j] == "\\" and c != "`" else 1
            i = j + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return sql[: i + 1]
        i += 1
    return sql


def _ident(node) -> str:
    exp = _sg().exp
    if isinstance(node, exp.Identifier):
        return node.this
    if isinstance(node, exp.Column):
        return node.name
    if isinstance(node, (exp.Ordered,)):
        return _ident(node.this)
    if isinstance(node, exp.Table):
        return node.name
    return node.name if hasattr(node, "name") else str(node)


def parse_create_table(sql: str) -> ParsedTable:
    """Parse one CREATE TABLE statement (MySQL/MariaDB) into a ParsedTable.

    Raises ParseError/TokenError/ValueError when sqlglot cannot read it even after
    the pre-pass; the caller reports which statement and goes on.
    """
    exp = _sg().exp
    text = _through_column_list(_unwrap_versioned_comments(sql))
    standins: dict[str, str] = {}

    def standin(m: re.Match) -> str:
        return _STANDIN_TYPES[m.group(1).upper()]

    # Remember which columns had a stand-in type: `name` INET6 ...
    for m in re.finditer(r"(`(?:[^`]|``)+`|\w+)\s+(INET6|INET4)\b", text, re.IGNORECASE):
        standins[m.group(1).strip("`").replace("``", "`")] = m.group(2).lower()
    text = _STANDIN_RE.sub(standin, text)
    for m in _SPATIAL_TYPE_RE.finditer(text):
        standins[m.group(1).strip("`").replace("``", "`")] = m.group(3).lower()
    text = _SPATIAL_TYPE_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}GEOMETRY", text)
    # MariaDB's PERSISTENT is a synonym of STORED for generated columns.
    text = _PERSISTENT_RE.sub(") STORED", text)
    # sqlglot does not read SPATIAL indexes; the model does not need plain indexes.
    text = _SPATIAL_KEY_RE.sub("", text)
    expr = parse_one(text)
    if not isinstance(expr, exp.Create) or not isinstance(expr.this, exp.Schema):
        raise ValueError("not a CREATE TABLE with a column list")
    table_name = expr.this.this.name
    columns: list[ParsedColumn] = []
    pk: tuple[str, ...] = ()
    uniques: list[tuple[str, ...]] = []
    fks: list[ParsedForeignKey] = []
    for item in expr.this.expressions:
        if isinstance(item, exp.ColumnDef):
            name = item.name
            kind = item.args.get("kind")
            col_type = kind.sql(DIALECT).lower() if kind is not None else ""
            data_type = standins.get(name) or (col_type.split("(")[0].split()[0] if col_type else "")
            if name in standins:
                col_type = standins[name]
            nullable, generated, invisible = True, False, False
            for cons in item.args.get("constraints") or []:
                k = cons.args.get("kind")
                if isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null"):
                    nullable = False
                elif isinstance(k, exp.PrimaryKeyColumnConstraint):
                    nullable = False
                    pk = (name,)
                elif isinstance(k, exp.UniqueColumnConstraint):
                    uniques.append((name,))
                elif isinstance(k, (exp.ComputedColumnConstraint, exp.GeneratedAsIdentityColumnConstraint)):
                    generated = isinstance(k, exp.ComputedColumnConstraint)
                elif "INVISIBLE" in cons.sql(DIALECT).upper():
                    invisible = True
            columns.append(ParsedColumn(name, data_type, col_type, nullable, generated, invisible))
        elif isinstance(item, exp.PrimaryKey):
            pk = tuple(_ident(e) for e in item.expressions)
        elif isinstance(item, exp.UniqueColumnConstraint):
            target = item.this
            cols = target.expressions if isinstance(target, exp.Schema) else []
            uniques.append(tuple(_ident(e) for e in cols))
        elif isinstance(item, (exp.Constraint, exp.ForeignKey)):
            cname = item.name if isinstance(item, exp.Constraint) else ""
            parts = item.expressions if isinstance(item, exp.Constraint) else [item]
            for part in parts:
                if isinstance(part, exp.ForeignKey):
                    fks.append(_foreign_key(part, cname or f"{table_name}_ibfk_{len(fks) + 1}"))
                elif isinstance(part, exp.PrimaryKey):
                    pk = tuple(_ident(e) for e in part.expressions)
                elif isinstance(part, exp.UniqueColumnConstraint):
                    target = part.this
                    cols = target.expressions if isinstance(target, exp.Schema) else []
                    uniques.append(tuple(_ident(e) for e in cols))
    pk_set = set(pk)
    for col in columns:
        if col.name in pk_set:
            col.nullable = False
    return ParsedTable(table_name, columns, pk, uniques, fks)


def _foreign_key(fk, name: str) -> ParsedForeignKey:
    """A sqlglot ForeignKey expression as a ParsedForeignKey."""
    exp = _sg().exp
    ref = fk.args["reference"]
    schema = ref.this
    ref_table = schema.this.name if isinstance(schema, exp.Schema) else schema.name
    ref_cols = tuple(_ident(e) for e in schema.expressions) if isinstance(schema, exp.Schema) else ()
    return ParsedForeignKey(name, tuple(_ident(e) for e in fk.expressions), ref_table, ref_cols)


_ALTER_FK_RE = re.compile(
    r"ALTER\s+TABLE\s+(?P<table>`(?:[^`]|``)+`|[\w.]+)\s+ADD\s+(?:CONSTRAINT\s+(?P<name>`(?:[^`]|``)+`|\w+)\s+)?"
    r"FOREIGN\s+KEY\s*(?:`(?:[^`]|``)+`|\w+)?\s*\((?P<cols>[^)]*)\)\s*REFERENCES\s+(?P<ref>`(?:[^`]|``)+`|[\w.]+)\s*"
    r"\((?P<refcols>[^)]*)\)",
    re.IGNORECASE | re.DOTALL,
)


def _unquote(name: str) -> str:
    name = name.strip()
    if name.startswith("`") and name.endswith("`"):
        return name[1:-1].replace("``", "`")
    return name.split(".")[-1]


def parse_alter_foreign_keys(sql: str) -> tuple[str, list[ParsedForeignKey]] | None:
    """``ALTER TABLE t ADD [CONSTRAINT c] FOREIGN KEY (...) REFERENCES p (...)``, else None."""
    m = _ALTER_FK_RE.search(_unwrap_versioned_comments(sql))
    if not m:
        return None
    cols = tuple(_unquote(c) for c in m.group("cols").split(","))
    refcols = tuple(_unquote(c) for c in m.group("refcols").split(","))
    name = _unquote(m.group("name")) if m.group("name") else ""
    return _unquote(m.group("table")), [ParsedForeignKey(name, cols, _unquote(m.group("ref")), refcols)]


def referenced_tables(select_sql: str) -> set[str]:
    """Names of the tables and views a query reads (for view dependency order)."""
    exp = _sg().exp
    try:
        expr = parse_one(_unwrap_versioned_comments(select_sql))
    except _sg().errors:
        # Fall back to the FROM/JOIN words: enough to order views.
        names = re.findall(r"(?:FROM|JOIN)\s+(`(?:[^`]|``)+`|[\w.]+)", select_sql, re.IGNORECASE)
        return {_unquote(n) for n in names}
    if expr is None:
        return set()
    return {t.name for t in expr.find_all(exp.Table) if t.name}


_CREATE_KIND_RE = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*(?:`[^`]*`|'[^']*'|[\w@%.()]+)(?:@(?:`[^`]*`|'[^']*'|[\w%.]+))?\s+)?"
    r"(?:ALGORITHM\s*=\s*\w+\s+)?(?:SQL\s+SECURITY\s+\w+\s+)?(?:TEMPORARY\s+)?"
    r"(?P<kind>TABLE|VIEW|TRIGGER|PROCEDURE|FUNCTION|DATABASE|SCHEMA|EVENT|SEQUENCE|INDEX|UNIQUE|PACKAGE\s+BODY|PACKAGE)"
    r"\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>`(?:[^`]|``)+`|[\w.$]+)",
    re.IGNORECASE,
)


def classify(sql: str) -> tuple[str, str] | None:
    """('TABLE'|'VIEW'|..., name) for a CREATE statement, ('USE', db), or None."""
    text = _unwrap_versioned_comments(sql)
    m = _CREATE_KIND_RE.match(text)
    if m:
        kind = " ".join(m.group("kind").upper().split())
        return ("DATABASE" if kind == "SCHEMA" else kind), _unquote(m.group("name"))
    m = re.match(r"^\s*USE\s+(`(?:[^`]|``)+`|\w+)", text, re.IGNORECASE)
    if m:
        return "USE", _unquote(m.group(1))
    if re.match(r"^\s*ALTER\s+TABLE", text, re.IGNORECASE):
        return "ALTER", ""
    return None


def view_select(create_view_sql: str) -> str:
    """The SELECT part of a CREATE VIEW statement."""
    m = re.search(r"\bVIEW\s+(?:`(?:[^`]|``)+`|[\w.]+)\s*(?:\([^)]*\)\s*)?AS\s+(.*)$", create_view_sql,
                  re.IGNORECASE | re.DOTALL)
    return m.group(1) if m else create_view_sql


def trigger_table(create_trigger_sql: str) -> str:
    m = re.search(r"\b(?:BEFORE|AFTER)\s+(?:INSERT|UPDATE|DELETE)\s+ON\s+(`(?:[^`]|``)+`|[\w.]+)",
                  create_trigger_sql, re.IGNORECASE)
    return _unquote(m.group(1)) if m else ""


def note_server_ddl(sql: str, problems: list[str]) -> None:
    """``check_server_ddl`` with its problem, if any, appended to ``problems`` (later,
    by the background validator, inside ``deferred()``)."""
    def note(problem: str | None) -> None:
        if problem:
            problems.append(problem)

    _check(check_server_ddl, sql, on_result=note)


def check_server_ddl(sql: str) -> str | None:
    """Parse DDL the server gave us (SHOW CREATE ...). Returns a problem text, or None.

    The server's own statements are run as they are; what sqlglot cannot read there is a
    limit of the parser, not a dumpcore bug, so it is reported instead of raised. The
    same pre-pass as for offline DDL is applied first.
    """
    text = _unwrap_versioned_comments(sql)
    text = _STANDIN_RE.sub(lambda m: _STANDIN_TYPES[m.group(1).upper()], text)
    text = _PERSISTENT_RE.sub(") STORED", text)
    if re.match(r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE", text, re.IGNORECASE):
        text = _through_column_list(text)
    try:
        parse_one(text)
    except _sg().errors as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"{first}: {_head(sql)}"
    return None
