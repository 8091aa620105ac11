"""Prisma schema reader: tokens -> parser -> model -> dumpcore schema.

Reads one ``.prisma`` file or a folder of them (multi-file schemas) with a real
tokenizer and a recursive-descent parser, then resolves relations to tables and
columns (``@@map``, ``@map``), including implicit many-to-many join tables
(``_AToB``). Relations become ``ForeignKey`` edges, so ``ordering`` plans a database
whose foreign keys live only in the Prisma schema (``relationMode = "prisma"``).

Errors are ``PrismaSyntaxError`` with ``<file>:<line>:<col>: <what>``. Attributes the
reader does not know are kept on the field or model, never fatal; ``view`` and ``type``
blocks are skipped with a note.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ..errors import SchemaError
from ..records import field, record
from .schema import Column, ForeignKey, Schema, Table


class PrismaSyntaxError(SchemaError):
    """A Prisma schema that cannot be read; the message starts with file:line:col."""

    def __init__(self, file: str, line: int, col: int, what: str):
        self.file, self.line, self.col, self.what = file, line, col, what
        super().__init__(f"{file}:{line}:{col}: {what}")


# ---------------------------------------------------------------------------
# Tokens

IDENT, STRING, NUMBER, PUNCT, DOC, NEWLINE, EOF = "ident", "string", "number", "punct", "doc", "newline", "eof"
_PUNCT = set("{}()[],:=?.!")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "0": "\0", "/": "/", "b": "\b", "f": "\f"}


@record
class Token:
    kind: str
    value: str
    line: int
    col: int


def tokenize(text: str, file: str = "<schema>") -> list[Token]:
    """Split Prisma schema text into tokens; ``//`` comments are dropped, ``///`` kept."""
    tokens: list[Token] = []
    i, line, line_start, n = 0, 1, 0, len(text)
    while i < n:
        ch = text[i]
        col = i - line_start + 1
        if ch == "\n":
            tokens.append(Token(NEWLINE, "\n", line, col))
            i += 1
            line += 1
            line_start = i
        elif ch in " \t\r\ufeff":
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            if text.startswith("///", i):
                tokens.append(Token(DOC, text[i + 3:end].strip(), line, col))
            i = end
        elif ch == '"':
            j = i + 1
            out: list[str] = []
            while True:
                if j >= n or text[j] == "\n":
                    raise PrismaSyntaxError(file, line, col, "unterminated string")
                c = text[j]
                if c == '"':
                    break
                if c == "\\":
                    if j + 1 >= n:
                        raise PrismaSyntaxError(file, line, col, "unterminated string")
                    e = text[j + 1]
                    if e == "u":
                        code = text[j + 2:j + 6]
                        if len(code) != 4 or any(h not in "0123456789abcdefABCDEF" for h in code):
                            raise PrismaSyntaxError(file, line, j - line_start + 1, "bad \\u escape in string")
                        out.append(chr(int(code, 16)))
                        j += 6
                        continue
                    if e not in _ESCAPES:
                        raise PrismaSyntaxError(file, line, j - line_start + 1, f"unknown escape \\{e} in string")
                    out.append(_ESCAPES[e])
                    j += 2
                    continue
                out.append(c)
                j += 1
            tokens.append(Token(STRING, "".join(out), line, col))
            i = j + 1
        elif ch == "@":
            if text.startswith("@@", i):
                tokens.append(Token(PUNCT, "@@", line, col))
                i += 2
            else:
                tokens.append(Token(PUNCT, "@", line, col))
                i += 1
        elif ch.isdigit() or (ch == "-" and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and (text[j].isdigit() or text[j] == "."):
                j += 1
            tokens.append(Token(NUMBER, text[i:j], line, col))
            i = j
        elif ch.isalpha() or ch == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(Token(IDENT, text[i:j], line, col))
            i = j
        elif ch in _PUNCT:
            tokens.append(Token(PUNCT, ch, line, col))
            i += 1
        else:
            raise PrismaSyntaxError(file, line, col, f"unexpected character {ch!r}")
    tokens.append(Token(EOF, "", line, i - line_start + 1))
    return tokens


# ---------------------------------------------------------------------------
# Syntax tree


@record
class Call:
    """A function value: ``now()``, ``dbgenerated("...")``, ``env("URL")``."""

    name: str
    args: list["Arg"] = field(default_factory=list)


@record
class Arg:
    name: str | None  # None: positional
    value: Any  # str (string), float/int (number), Ref, Call, list


@record
class Ref:
    """A bare name: ``Cascade``, ``true``, a field name in ``[a, b]``."""

    name: str


@record
class Attribute:
    name: str  # 'id', 'default', 'db.VarChar', 'relation', 'map', ...
    args: list[Arg]
    line: int
    col: int

    def arg(self, name: str | None = None, position: int | None = None) -> Any:
        """The argument called ``name``, else (when given) the positional one at ``position``."""
        for a in self.args:
            if name is not None and a.name == name:
                return a.value
        if position is None:
            return None
        positional = [a.value for a in self.args if a.name is None]
        return positional[position] if position < len(positional) else None


@record
class PrismaField:
    name: str
    type: str
    optional: bool = False
    is_list: bool = False
    attributes: list[Attribute] = field(default_factory=list)
    doc: str = ""
    line: int = 0
    col: int = 0
    type_args: list[Arg] = field(default_factory=list)  # Unsupported("...")

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    @property
    def column(self) -> str:
        a = self.attribute("map")
        return a.arg("name", 0) if a and isinstance(a.arg("name", 0), str) else self.name

    @property
    def native_type(self) -> Attribute | None:
        return next((a for a in self.attributes if a.name.startswith("db.")), None)


@record
class BlockAttribute(Attribute):
    pass


@record
class PrismaModel:
    name: str
    fields: list[PrismaField] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
    doc: str = ""
    file: str = ""
    line: int = 0

    def field(self, name: str) -> PrismaField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def attributes_named(self, name: str) -> list[Attribute]:
        return [a for a in self.attributes if a.name == name]

    @property
    def table(self) -> str:
        a = self.attribute("map")
        return a.arg("name", 0) if a and isinstance(a.arg("name", 0), str) else self.name


@record
class EnumValue:
    name: str
    mapped: str | None = None
    doc: str = ""

    @property
    def db_value(self) -> str:
        return self.mapped if self.mapped is not None else self.name


@record
class PrismaEnum:
    name: str
    values: list[EnumValue] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
    doc: str = ""

    @property
    def db_name(self) -> str:
        a = next((a for a in self.attributes if a.name == "map"), None)
        return a.arg("name", 0) if a and isinstance(a.arg("name", 0), str) else self.name


@record
class ConfigBlock:
    """A ``datasource`` or ``generator`` block: ``key = value`` lines."""

    kind: str
    name: str
    values: dict[str, Any] = field(default_factory=dict)


@record
class Relation:
    """One relation, resolved to tables and columns: ``table.columns -> ref_table.ref_columns``."""

    name: str | None
    model: str
    field: str  # the relation field on ``model`` ('' for an implicit join table)
    fields: tuple[str, ...]
    ref_model: str
    references: tuple[str, ...]
    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    optional: bool = False
    on_delete: str | None = None
    on_update: str | None = None
    map: str | None = None
    kind: str = "one-to-many"  # one-to-one | one-to-many | many-to-many (implicit join table)

    @property
    def fk_name(self) -> str:
        return self.map or f"prisma:{self.model}.{self.field or '/'.join(self.columns)}"

    def describe(self) -> str:
        return (f"{self.model}.{self.field or ','.join(self.fields)} -> {self.ref_model} "
                f"({self.table}.{'/'.join(self.columns)} -> {self.ref_table}.{'/'.join(self.ref_columns)})")


@record
class PrismaSchema:
    files: list[str] = field(default_factory=list)
    datasources: list[ConfigBlock] = field(default_factory=list)
    generators: list[ConfigBlock] = field(default_factory=list)
    models: dict[str, PrismaModel] = field(default_factory=dict)
    enums: dict[str, PrismaEnum] = field(default_factory=dict)
    composite_types: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    @property
    def provider(self) -> str | None:
        return _config_text(self.datasources[0].values.get("provider")) if self.datasources else None

    @property
    def relation_mode(self) -> str:
        """'foreignKeys' (the database has the FKs) or 'prisma' (only the schema has them)."""
        for ds in self.datasources:
            mode = _config_text(ds.values.get("relationMode") or ds.values.get("referentialIntegrity"))
            if mode:
                return mode
        return "foreignKeys"

    def model_of_table(self) -> dict[str, PrismaModel]:
        return {m.table: m for m in self.models.values()}

    @property
    def join_tables(self) -> dict[str, list[Relation]]:
        """Implicit many-to-many join tables: name -> its two relations (columns A, B)."""
        out: dict[str, list[Relation]] = {}
        for r in self.relations:
            if r.kind == "many-to-many":
                out.setdefault(r.table, []).append(r)
        return out


def _config_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Ref):
        return value.name
    if isinstance(value, Call) and value.name == "env" and value.args:
        return f"env({value.args[0].value!r})"
    return None


# ---------------------------------------------------------------------------
# Parser


class _Parser:
    def __init__(self, tokens: list[Token], file: str, out: PrismaSchema):
        self.toks = tokens
        self.i = 0
        self.file = file
        self.out = out

    # -- token helpers
    def peek(self, skip_newlines: bool = True) -> Token:
        j = self.i
        while skip_newlines and self.toks[j].kind == NEWLINE:
            j += 1
        return self.toks[j]

    def next(self, skip_newlines: bool = True) -> Token:
        while skip_newlines and self.toks[self.i].kind == NEWLINE:
            self.i += 1
        tok = self.toks[self.i]
        if tok.kind != EOF:
            self.i += 1
        return tok

    def error(self, tok: Token, what: str) -> PrismaSyntaxError:
        return PrismaSyntaxError(self.file, tok.line, tok.col, what)

    @staticmethod
    def show(tok: Token) -> str:
        return "end of file" if tok.kind == EOF else ("end of line" if tok.kind == NEWLINE else repr(tok.value))

    def expect(self, kind: str, value: str | None = None, what: str = "", skip_newlines: bool = True) -> Token:
        tok = self.next(skip_newlines)
        if tok.kind != kind or (value is not None and tok.value != value):
            wanted = what or (repr(value) if value else kind)
            raise self.error(tok, f"expected {wanted}, found {self.show(tok)}")
        return tok

    def at(self, kind: str, value: str | None = None, skip_newlines: bool = True) -> bool:
        tok = self.peek(skip_newlines)
        return tok.kind == kind and (value is None or tok.value == value)

    def docs(self) -> str:
        lines = []
        while True:
            tok = self.peek()
            if tok.kind != DOC:
                return "\n".join(lines)
            lines.append(self.next().value)

    def end_of_line(self) -> None:
        tok = self.peek(skip_newlines=False)
        if tok.kind in (NEWLINE, EOF, DOC) or (tok.kind == PUNCT and tok.value == "}"):
            return
        raise self.error(tok, f"unexpected {self.show(tok)}; expected a new line")

    # -- grammar
    def schema(self) -> None:
        while True:
            doc = self.docs()
            tok = self.next()
            if tok.kind == EOF:
                return
            if tok.kind != IDENT:
                raise self.error(tok, f"expected a block (model, enum, datasource, generator, view, type), "
                                      f"found {self.show(tok)}")
            kw = tok.value
            if kw == "model":
                self.model(doc)
            elif kw == "enum":
                self.enum(doc)
            elif kw in ("datasource", "generator"):
                self.config(kw)
            elif kw in ("view", "type"):
                name = self.expect(IDENT, what=f"a {kw} name")
                self.skip_block()
                (self.out.views if kw == "view" else self.out.composite_types).add(name.value)
                self.out.notes.append(f"{self.file}:{tok.line}: {kw} {name.value} skipped "
                                      f"({'a view has no table to dump' if kw == 'view' else 'composite types are MongoDB only'})")
            else:
                raise self.error(tok, f"unknown block type {kw!r}; expected model, enum, datasource, generator, "
                                      "view or type")

    def skip_block(self) -> None:
        self.expect(PUNCT, "{")
        depth = 1
        while depth:
            tok = self.next()
            if tok.kind == EOF:
                raise self.error(tok, "unterminated block: missing '}'")
            if tok.kind == PUNCT and tok.value == "{":
                depth += 1
            elif tok.kind == PUNCT and tok.value == "}":
                depth -= 1

    def config(self, kind: str) -> None:
        name = self.expect(IDENT, what=f"a {kind} name")
        block = ConfigBlock(kind, name.value)
        self.expect(PUNCT, "{")
        while not self.at(PUNCT, "}"):
            self.docs()
            if self.at(PUNCT, "}"):
                break
            key = self.expect(IDENT, what="a setting name")
            self.expect(PUNCT, "=", skip_newlines=False)
            block.values[key.value] = self.value()
            self.end_of_line()
        self.expect(PUNCT, "}")
        (self.out.datasources if kind == "datasource" else self.out.generators).append(block)

    def model(self, doc: str) -> None:
        name = self.expect(IDENT, what="a model name")
        if name.value in self.out.models:
            raise self.error(name, f"model {name.value} is defined twice")
        model = PrismaModel(name.value, doc=doc, file=self.file, line=name.line)
        self.expect(PUNCT, "{")
        while True:
            fdoc = self.docs()
            tok = self.peek()
            if tok.kind == PUNCT and tok.value == "}":
                self.next()
                break
            if tok.kind == EOF:
                raise self.error(tok, f"model {model.name}: missing '}}'")
            if tok.kind == PUNCT and tok.value == "@@":
                model.attributes.append(self.attribute("@@"))
                self.end_of_line()
                continue
            fname = self.expect(IDENT, what="a field name or '}'")
            if any(f.name == fname.value for f in model.fields):
                raise self.error(fname, f"field {fname.value} is defined twice in model {model.name}")
            ftype = self.next(skip_newlines=False)
            if ftype.kind != IDENT:
                raise self.error(ftype, f"field {fname.value}: expected a type, found {self.show(ftype)}")
            fld = PrismaField(fname.value, ftype.value, doc=fdoc, line=fname.line, col=fname.col)
            if self.at(PUNCT, "(", skip_newlines=False):
                fld.type_args = self.args()
            if self.at(PUNCT, "?", skip_newlines=False):
                self.next()
                fld.optional = True
            elif self.at(PUNCT, "[", skip_newlines=False):
                self.next()
                self.expect(PUNCT, "]", skip_newlines=False)
                fld.is_list = True
            if self.at(PUNCT, "?", skip_newlines=False) or self.at(PUNCT, "!", skip_newlines=False):
                raise self.error(self.peek(False), f"field {fld.name}: a list cannot also be optional")
            while self.at(PUNCT, "@", skip_newlines=False):
                fld.attributes.append(self.attribute("@"))
            self.end_of_line()
            model.fields.append(fld)
        self.out.models[model.name] = model

    def enum(self, doc: str) -> None:
        name = self.expect(IDENT, what="an enum name")
        enum = PrismaEnum(name.value, doc=doc)
        self.expect(PUNCT, "{")
        while True:
            vdoc = self.docs()
            tok = self.peek()
            if tok.kind == PUNCT and tok.value == "}":
                self.next()
                break
            if tok.kind == EOF:
                raise self.error(tok, f"enum {enum.name}: missing '}}'")
            if tok.kind == PUNCT and tok.value == "@@":
                enum.attributes.append(self.attribute("@@"))
                self.end_of_line()
                continue
            vname = self.expect(IDENT, what="an enum value or '}'")
            value = EnumValue(vname.value, doc=vdoc)
            while self.at(PUNCT, "@", skip_newlines=False):
                a = self.attribute("@")
                if a.name == "map" and isinstance(a.arg("name", 0), str):
                    value.mapped = a.arg("name", 0)
            self.end_of_line()
            enum.values.append(value)
        self.out.enums[enum.name] = enum

    def attribute(self, sigil: str) -> Attribute:
        at = self.expect(PUNCT, sigil, skip_newlines=sigil == "@@")
        name = self.expect(IDENT, what="an attribute name", skip_newlines=False).value
        while self.at(PUNCT, ".", skip_newlines=False):
            self.next(False)
            name += "." + self.expect(IDENT, what="a name after '.'", skip_newlines=False).value
        args = self.args() if self.at(PUNCT, "(", skip_newlines=False) else []
        return Attribute(name, args, at.line, at.col)

    def args(self) -> list[Arg]:
        self.expect(PUNCT, "(")
        out: list[Arg] = []
        while not self.at(PUNCT, ")"):
            tok = self.peek()
            after = self._after_next()
            if tok.kind == IDENT and after.kind == PUNCT and after.value == ":":
                self.next()
                self.next()
                out.append(Arg(tok.value, self.value()))
            else:
                out.append(Arg(None, self.value()))
            if not self.at(PUNCT, ")"):
                self.expect(PUNCT, ",", what="',' or ')'")
        self.expect(PUNCT, ")")
        return out

    def _after_next(self) -> Token:
        """The token after the next one (newlines skipped): tells `name: value` from a value."""
        j = self.i
        while self.toks[j].kind == NEWLINE:
            j += 1
        if self.toks[j].kind == EOF:
            return self.toks[j]
        j += 1
        while self.toks[j].kind == NEWLINE:
            j += 1
        return self.toks[j]

    def value(self) -> Any:
        tok = self.next()
        if tok.kind == STRING:
            return tok.value
        if tok.kind == NUMBER:
            try:
                return float(tok.value) if "." in tok.value else int(tok.value)
            except ValueError:
                raise self.error(tok, f"not a number: {tok.value}") from None
        if tok.kind == PUNCT and tok.value == "[":
            items = []
            while not self.at(PUNCT, "]"):
                items.append(self.value())
                if not self.at(PUNCT, "]"):
                    self.expect(PUNCT, ",", what="',' or ']'")
            self.expect(PUNCT, "]")
            return items
        if tok.kind == IDENT:
            name = tok.value
            while self.at(PUNCT, ".", skip_newlines=False):
                self.next(False)
                name += "." + self.expect(IDENT, what="a name after '.'", skip_newlines=False).value
            if self.at(PUNCT, "(", skip_newlines=False):
                return Call(name, self.args())
            return Ref(name)
        raise self.error(tok, f"expected a value, found {self.show(tok)}")


SCALARS = {"String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes", "Unsupported"}


def parse_text(text: str, file: str = "schema.prisma", into: PrismaSchema | None = None) -> PrismaSchema:
    """Parse one file's text (adds to ``into`` for multi-file schemas); relations are not resolved."""
    out = into if into is not None else PrismaSchema()
    out.files.append(file)
    _Parser(tokenize(text, file), file, out).schema()
    return out


def load_prisma(path: str | Path) -> PrismaSchema:
    """Read a ``.prisma`` file, or every ``.prisma`` file under a folder (sorted), and resolve relations."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.prisma") if p.is_file())
        if not files:
            raise SchemaError(f"no .prisma files under {path}", hint="give a schema file or its folder")
    elif path.is_file():
        files = [path]
    else:
        raise SchemaError(f"Prisma schema {path} not found", hint="give schema.prisma or its folder")
    out = PrismaSchema()
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SchemaError(f"cannot read Prisma schema {f}: {exc}") from None
        parse_text(text, str(f), out)
    resolve(out)
    return out


# ---------------------------------------------------------------------------
# Relations


def _names(value: Any, model: PrismaModel, attr: Attribute) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (Ref, Call)) for v in value):
        raise PrismaSyntaxError(model.file, attr.line, attr.col,
                                f"model {model.name}: expected a list of field names like [a, b]")
    return tuple(v.name for v in value)  # a Call is a field with options: b(sort: Desc)


def _column_of(model: PrismaModel, field_name: str, attr: Attribute) -> str:
    try:
        return model.field(field_name).column
    except KeyError:
        raise PrismaSyntaxError(model.file, attr.line, attr.col,
                                f"model {model.name} has no field {field_name}") from None


def id_fields(model: PrismaModel) -> tuple[str, ...]:
    """The primary key's field names: ``@id`` or ``@@id([...])``."""
    single = [f.name for f in model.fields if f.attribute("id")]
    if single:
        return tuple(single)
    a = model.attribute("id")
    if a is not None:
        return _names(a.arg("fields", 0), model, a)
    return ()


def resolve(schema: PrismaSchema) -> None:
    """Check field types and turn relation fields into ``Relation`` objects (tables and columns)."""
    known = SCALARS | set(schema.models) | set(schema.enums) | schema.composite_types
    relations: list[Relation] = []
    pending_m2m: dict[tuple, list[tuple[PrismaModel, PrismaField]]] = {}
    for model in schema.models.values():
        for f in model.fields:
            if f.type not in known:
                raise PrismaSyntaxError(model.file, f.line, f.col,
                                        f"field {model.name}.{f.name}: type {f.type} is not a scalar, enum or model")
            if f.type not in schema.models:
                continue
            attr = f.attribute("relation")
            rel_name = None
            if attr is not None:
                n = attr.arg("name", 0)
                rel_name = n if isinstance(n, str) else None
            fields = _names(attr.arg("fields"), model, attr) if attr else ()
            if fields:
                refs = _names(attr.arg("references"), model, attr)  # type: ignore[union-attr]
                if len(refs) != len(fields):
                    raise PrismaSyntaxError(model.file, attr.line, attr.col,  # type: ignore[union-attr]
                                            f"relation {model.name}.{f.name}: fields and references differ in length")
                target = schema.models[f.type]
                columns = tuple(_column_of(model, x, attr) for x in fields)  # type: ignore[arg-type]
                ref_columns = tuple(_column_of(target, x, attr) for x in refs)  # type: ignore[arg-type]
                unique = any(set(k) == set(fields) for k in _unique_sets(model))
                m = attr.arg("map")  # type: ignore[union-attr]
                relations.append(Relation(
                    rel_name, model.name, f.name, fields, target.name, refs, model.table, columns, target.table,
                    ref_columns, optional=f.optional or any(model.field(x).optional for x in fields),
                    on_delete=_ref_name(attr.arg("onDelete")), on_update=_ref_name(attr.arg("onUpdate")),  # type: ignore[union-attr]
                    map=m if isinstance(m, str) else None, kind="one-to-one" if unique else "one-to-many"))
            elif f.is_list:
                other = schema.models[f.type]
                back = [g for g in other.fields if g.type == model.name and g is not f
                        and _relation_name(g) == rel_name]
                if back and all(g.is_list for g in back) and not any(_relation_fields(g) for g in back):
                    key = (rel_name, tuple(sorted((model.name, other.name))))
                    pending_m2m.setdefault(key, []).append((model, f))
    for (rel_name, (first, second)), sides in sorted(pending_m2m.items(), key=lambda kv: str(kv[0])):
        table = f"_{rel_name}" if rel_name else f"_{first}To{second}"
        for letter, model_name in (("A", first), ("B", second)):
            target = schema.models[model_name]
            ids = id_fields(target)
            if len(ids) != 1:
                model, f = sides[0]
                raise PrismaSyntaxError(model.file, f.line, f.col,
                                        f"implicit many-to-many {table}: model {model_name} needs a single @id")
            relations.append(Relation(rel_name, table, "", (letter,), model_name, ids, table, (letter,),
                                      target.table, (target.field(ids[0]).column,), kind="many-to-many"))
    schema.relations = relations


def _ref_name(value: Any) -> str | None:
    return value.name if isinstance(value, Ref) else None


def _relation_name(f: PrismaField) -> str | None:
    a = f.attribute("relation")
    n = a.arg("name", 0) if a else None
    return n if isinstance(n, str) else None


def _relation_fields(f: PrismaField) -> tuple:
    a = f.attribute("relation")
    return tuple(a.arg("fields") or ()) if a else ()


def _unique_sets(model: PrismaModel) -> list[tuple[str, ...]]:
    out = [(f.name,) for f in model.fields if f.attribute("unique") or f.attribute("id")]
    for name in ("unique", "id"):
        for a in model.attributes_named(name):
            out.append(_names(a.arg("fields", 0), model, a))
    return out


# ---------------------------------------------------------------------------
# To dumpcore's schema model

_MYSQL_TYPES = {"String": ("varchar", "varchar(191)"), "Boolean": ("tinyint", "tinyint(1)"), "Int": ("int", "int"),
                "BigInt": ("bigint", "bigint"), "Float": ("double", "double"),
                "Decimal": ("decimal", "decimal(65,30)"), "DateTime": ("datetime", "datetime(3)"),
                "Json": ("json", "json"), "Bytes": ("longblob", "longblob")}


def column_type(schema: PrismaSchema, f: PrismaField) -> tuple[str, str]:
    """(data_type, column_type) of a scalar field on MySQL, as Prisma creates it."""
    native = f.native_type
    if native is not None:
        base = native.name[3:].lower()
        unsigned = base.startswith("unsigned")
        base = base[len("unsigned"):] if unsigned else base
        args = ",".join(str(a.value) for a in native.args)
        full = f"{base}({args})" if args else base
        return base, full + (" unsigned" if unsigned else "")
    if f.type in schema.enums:
        values = ",".join("'" + v.db_value.replace("'", "''") + "'" for v in schema.enums[f.type].values)
        return "enum", f"enum({values})"
    if f.type == "Unsupported":
        text = f.type_args[0].value if f.type_args and isinstance(f.type_args[0].value, str) else "blob"
        return text.split("(")[0].lower(), text
    return _MYSQL_TYPES.get(f.type, ("varchar", "varchar(191)"))


def scalar_fields(schema: PrismaSchema, model: PrismaModel) -> list[PrismaField]:
    """Fields that are columns (not relation fields, not composite types)."""
    return [f for f in model.fields if f.type not in schema.models and f.type not in schema.composite_types]


def to_schema(schema: PrismaSchema, database: str = "") -> Schema:
    """The tables the Prisma schema describes (models and implicit join tables), with
    relations as foreign keys: what ``plan --prisma`` orders without a server."""
    out = Schema(database=database or "prisma", source="prisma", notes=list(schema.notes))
    for model in schema.models.values():
        table = Table(model.table)
        for f in scalar_fields(schema, model):
            dtype, ctype = column_type(schema, f)
            table.columns.append(Column(f.column, dtype, ctype, nullable=f.optional))
        table.primary_key = tuple(model.field(x).column for x in id_fields(model))
        for key in _unique_sets(model):
            cols = tuple(model.field(x).column for x in key)
            if cols != table.primary_key:
                table.unique_keys.append(cols)
        out.tables[table.name] = table
    for name, rels in schema.join_tables.items():
        table = Table(name)
        for r in rels:
            ref = out.tables[r.ref_table].column(r.ref_columns[0])
            table.columns.append(Column(r.columns[0], ref.data_type, ref.column_type, nullable=False))
        table.unique_keys.append(tuple(c.name for c in table.columns))
        out.tables[name] = table
    for r in schema.relations:
        out.tables[r.table].foreign_keys.append(_foreign_key(r, out.tables[r.table]))
    out.tables = dict(sorted(out.tables.items()))
    return out


def _foreign_key(r: Relation, table: Table) -> ForeignKey:
    nullable = r.optional
    for c in r.columns:
        try:
            nullable = nullable or table.column(c).nullable
        except KeyError:
            pass
    return ForeignKey(r.fk_name, r.table, r.columns, r.ref_table, r.ref_columns, nullable)


def merge_relations(db: Schema, prisma: PrismaSchema) -> tuple[Schema, list[str]]:
    """The database's schema with the Prisma relations added as foreign keys (a copy),
    and a warning for each place where a relation and a database FK disagree."""
    merged = copy.deepcopy(db)
    warnings: list[str] = []
    covered: set[tuple[str, tuple[str, ...]]] = set()
    for r in prisma.relations:
        table = merged.tables.get(r.table)
        if table is None or r.ref_table not in merged.tables:
            continue  # coverage names models without a table
        covered.add((r.table, r.columns))
        same_cols = [fk for fk in table.foreign_keys if fk.columns == r.columns]
        if any(fk.ref_table == r.ref_table and fk.ref_columns == r.ref_columns for fk in same_cols):
            continue
        for fk in same_cols:
            warnings.append(f"Prisma relation {r.describe()} disagrees with the database's foreign key {fk.name} "
                            f"({fk.table}.{'/'.join(fk.columns)} -> {fk.ref_table}.{'/'.join(fk.ref_columns)}); "
                            "both are used for ordering")
        if not same_cols and prisma.relation_mode != "prisma" and r.kind != "many-to-many":
            warnings.append(f"Prisma relation {r.describe()} has no foreign key in the database "
                            f"(relationMode is {prisma.relation_mode!r}); ordered by the relation")
        missing = [c for c in r.columns if not any(col.name == c for col in table.columns)]
        if missing:
            warnings.append(f"Prisma relation {r.describe()}: column(s) {', '.join(missing)} not in table "
                            f"`{r.table}`; relation used for ordering only")
        table.foreign_keys.append(_foreign_key(r, table))
    modelled = set(prisma.model_of_table()) | set(prisma.join_tables)
    for table in db.tables.values():
        if table.name not in modelled:
            continue
        for fk in table.foreign_keys:
            if (table.name, fk.columns) not in covered:
                warnings.append(f"database foreign key {fk.name} ({fk.table}.{'/'.join(fk.columns)} -> "
                                f"{fk.ref_table}) has no Prisma relation")
    return merged, warnings


# ---------------------------------------------------------------------------
# Coverage: which models have tables, which tables have models


@record
class ModelCoverage:
    model: str
    table: str
    exists: bool
    empty: bool | None = None  # None: not known (no table, or not asked)
    columns_without_table_column: list[str] = field(default_factory=list)  # "field (column)"
    table_columns_without_field: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"model": self.model, "table": self.table, "table_exists": self.exists, "empty": self.empty,
                "fields_without_column": self.columns_without_table_column,
                "columns_without_field": self.table_columns_without_field}


@record
class Coverage:
    models: list[ModelCoverage]
    tables_without_model: list[str]
    join_tables: list[str]

    @property
    def models_without_table(self) -> list[str]:
        return [m.model for m in self.models if not m.exists]

    @property
    def empty_models(self) -> list[str]:
        return [m.model for m in self.models if m.empty]

    @property
    def complete(self) -> bool:
        return not self.tables_without_model and not self.models_without_table and not any(
            m.columns_without_table_column or m.table_columns_without_field for m in self.models)

    def to_dict(self) -> dict:
        return {"models": [m.to_dict() for m in self.models], "tables_without_model": self.tables_without_model,
                "models_without_table": self.models_without_table, "empty_models": self.empty_models,
                "join_tables": self.join_tables, "complete": self.complete}


def coverage(db: Schema, prisma: PrismaSchema, empty_tables: set[str] | None = None) -> Coverage:
    """Compare the Prisma models with the database's tables and columns.

    ``empty_tables``: the tables known to hold no row (from the server), to flag empty models."""
    models = []
    for model in sorted(prisma.models.values(), key=lambda m: m.name):
        table = db.tables.get(model.table)
        mc = ModelCoverage(model.name, model.table, table is not None)
        if table is not None:
            have = {c.name for c in table.columns}
            fields = scalar_fields(prisma, model)
            mc.columns_without_table_column = [f"{f.name} ({f.column})" if f.column != f.name else f.name
                                               for f in fields if f.column not in have]
            wanted = {f.column for f in fields}
            mc.table_columns_without_field = [c.name for c in table.columns if c.name not in wanted]
            if empty_tables is not None:
                mc.empty = model.table in empty_tables
        models.append(mc)
    known = set(prisma.model_of_table()) | set(prisma.join_tables) | {"_prisma_migrations"}
    return Coverage(models, sorted(t for t in db.tables if t not in known),
                    sorted(t for t in prisma.join_tables if t in db.tables))


def empty_tables(conn, database: str, tables: list[str]) -> set[str]:
    """The tables among ``tables`` that hold no row (one cheap probe each)."""
    from ..connect.connection import quote_ident

    out = set()
    for t in tables:
        if not conn.query(f"SELECT 1 FROM {quote_ident(database)}.{quote_ident(t)} LIMIT 1",
                          context=f"probing table `{t}`"):
            out.add(t)
    return out


def with_relations(db: Schema, path: str | Path) -> tuple[Schema, list[str], dict]:
    """For dump and restore: the schema with the Prisma relations merged, the
    disagreement warnings, and what the manifest records about the Prisma schema."""
    pschema = load_prisma(path)
    merged, warnings = merge_relations(db, pschema)
    warnings = [*pschema.notes, *warnings]
    record = {"schema": str(path), "provider": pschema.provider, "relation_mode": pschema.relation_mode,
              "models": len(pschema.models),
              "relations": [{"model": r.model, "field": r.field, "table": r.table, "columns": list(r.columns),
                             "ref_table": r.ref_table, "ref_columns": list(r.ref_columns), "kind": r.kind}
                            for r in pschema.relations if r.table in db.tables and r.ref_table in db.tables]}
    return merged, warnings, record


def schema_from_manifest(data: dict) -> Schema:
    """The tables of a dump as the manifest records them, each dumped parent as an FK
    (columns not recorded): what ``restore --prisma`` merges the relations into."""
    out = Schema(database=data.get("database", ""), source="manifest")
    for entry in data.get("tables", []):
        table = Table(entry["name"], columns=[Column(c["name"], "", c.get("type", ""), nullable=True)
                                              for c in entry.get("columns", [])],
                      primary_key=tuple(entry.get("primary_key", ())))
        out.tables[table.name] = table
    closing = {(f["table"], f["ref_table"]): f for d in data.get("cycle_details", [])
               for f in d.get("closing_foreign_keys", [])}
    for entry in data.get("tables", []):
        for parent in entry.get("parents", []):
            if parent in out.tables:
                f = closing.get((entry["name"], parent))
                out.tables[entry["name"]].foreign_keys.append(ForeignKey(
                    f["name"] if f else f"{entry['name']}->{parent}", entry["name"],
                    tuple(f["columns"]) if f else (), parent, tuple(f["ref_columns"]) if f else (),
                    bool(f["nullable"]) if f else False))
    return out


def restore_plan(data: dict, path: str | Path):
    """The load plan of a dump (its manifest) with the Prisma relations added: the
    cleanup order ``restore --prisma --cleanup`` uses, right even when the dump was
    taken from a database without foreign keys and without --prisma."""
    from .ordering import plan_load

    schema = schema_from_manifest(data)
    pschema = load_prisma(path)
    for r in pschema.relations:
        table = schema.tables.get(r.table)
        if table is None or r.ref_table not in schema.tables:
            continue
        if not any(fk.ref_table == r.ref_table and fk.columns in ((), r.columns) for fk in table.foreign_keys):
            table.foreign_keys.append(_foreign_key(r, table))
    return plan_load(schema)
