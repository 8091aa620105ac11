"""A multi-file Prisma schema for the tests (33 models), the DDL it implies (with or
without foreign keys), and rows that respect every relation.

It has @@map/@map, composite ids and a composite relation, self-relations (one-to-many
and an implicit many-to-many), two named relations between the same two models, a
one-to-one, relation cycles (two and three models), implicit many-to-many join tables,
and relationMode = "prisma": the database it describes has no foreign keys at all.
"""
from __future__ import annotations

from pathlib import Path

from dumpcore.connect.connection import Connection, quote_ident, quote_string
from dumpcore.schema.ordering import LoadPlan
from dumpcore.schema.schema import Schema, Table

MAIN = '''\
// multi-file schema: this file holds the datasource, the others the models
datasource db {
  provider     = "mysql"
  url          = env("DATABASE_URL")
  relationMode = "prisma"
}

generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["prismaSchemaFolder"]
}
'''

ORG = '''\
/// An organisation
model Org {
  id    Int    @id @default(autoincrement())
  name  String @unique @db.VarChar(100)
  teams Team[]
  items Item01[]

  @@map("orgs")
}

model Team {
  id      Int    @id @default(autoincrement())
  orgId   Int    @map("org_id")
  name    String @db.VarChar(50)
  leadId  Int?   @unique @map("lead_id") // one-to-one, and a cycle with User.team
  org     Org    @relation(fields: [orgId], references: [id], onDelete: Cascade)
  lead    User?  @relation("TeamLead", fields: [leadId], references: [id], onDelete: SetNull, map: "teams_lead_fk")
  members User[] @relation("TeamMembers")

  @@unique([orgId, name])
  @@index([orgId])
  @@map("teams")
}

model User {
  id          Int          @id @default(autoincrement())
  email       String       @unique @db.VarChar(191)
  fullName    String       @map("full_name")
  teamId      Int          @map("team_id")
  managerId   Int?         @map("manager_id")
  team        Team         @relation("TeamMembers", fields: [teamId], references: [id])
  leads       Team?        @relation("TeamLead")
  manager     User?        @relation("Management", fields: [managerId], references: [id], onDelete: NoAction, onUpdate: NoAction)
  reports     User[]       @relation("Management")
  authored    Post[]       @relation("PostAuthor")
  edited      Post[]       @relation("PostEditor")
  enrollments Enrollment[]
  profile     Profile?

  @@index([teamId])
  @@map("users")
}

model Profile {
  userId Int     @id @map("user_id")
  bio    String? @db.Text
  user   User    @relation(fields: [userId], references: [id])

  @@map("profiles")
}
'''

CONTENT = '''\
enum PostState {
  DRAFT     @map("draft")
  PUBLISHED @map("published")

  @@map("post_state")
}

model Post {
  id       Int       @id @default(autoincrement())
  title    String    @default("untitled \\"draft\\"") @db.VarChar(200)
  state    PostState @default(DRAFT)
  authorId Int       @map("author_id")
  editorId Int?      @map("editor_id")
  author   User      @relation("PostAuthor", fields: [authorId], references: [id])
  editor   User?     @relation("PostEditor", fields: [editorId], references: [id])
  tags     Tag[]

  @@index([authorId, editorId(sort: Desc)], map: "posts_people")
  @@map("posts")
}

model Tag {
  id    Int    @id @default(autoincrement())
  label String @unique @db.VarChar(40) @custom.note("kept, not understood")
  posts Post[]

  @@map("tags")
}

model Course {
  code          String       @id @db.VarChar(12)
  title         String       @db.VarChar(100)
  enrollments   Enrollment[]
  prerequisites Course[]     @relation("CoursePrereqs")
  requiredFor   Course[]     @relation("CoursePrereqs")

  @@map("courses")
}

model Enrollment {
  userId     Int      @map("user_id")
  courseCode String   @map("course_code") @db.VarChar(12)
  enrolledAt DateTime @default(now()) @map("enrolled_at")
  user       User     @relation(fields: [userId], references: [id])
  course     Course   @relation(fields: [courseCode], references: [code])
  grades     Grade[]

  @@id([userId, courseCode])
  @@map("enrollments")
}

model Grade {
  id         Int        @id @default(autoincrement())
  userId     Int        @map("user_id")
  courseCode String     @map("course_code") @db.VarChar(12)
  value      Decimal    @db.Decimal(4, 2)
  enrollment Enrollment @relation(fields: [userId, courseCode], references: [userId, courseCode])

  @@map("grades")
}

model Warehouse {
  id        Int     @id @default(autoincrement())
  name      String  @db.VarChar(40)
  mainBinId Int?    @map("main_bin_id")
  mainBin   Bin?    @relation("MainBin", fields: [mainBinId], references: [id])
  shelves   Shelf[]

  @@map("warehouses")
}

model Shelf {
  id          Int       @id @default(autoincrement())
  warehouseId Int       @map("warehouse_id")
  warehouse   Warehouse @relation(fields: [warehouseId], references: [id])
  bins        Bin[]

  @@map("shelves")
}

model Bin {
  id         Int         @id @default(autoincrement())
  shelfId    Int         @map("shelf_id")
  shelf      Shelf       @relation(fields: [shelfId], references: [id])
  mainOf     Warehouse[] @relation("MainBin")

  @@map("bins")
}

view ActiveUser {
  id    Int    @unique
  email String
}

type Address {
  street String
}
'''

CHAIN_LENGTH = 21


def chain_text() -> str:
    """Item01 -> Org, ItemNN -> Item(NN-1): a long chain of @@map'ped models."""
    parts = []
    for k in range(1, CHAIN_LENGTH + 1):
        name, prev = f"Item{k:02d}", f"Item{k - 1:02d}"
        parent = ("  orgId    Int    @map(\"org_id\")\n  org      Org    @relation(fields: [orgId], references: [id])\n"
                  if k == 1 else
                  f"  parentId Int    @map(\"parent_id\")\n  parent   {prev} @relation(fields: [parentId], references: [id])\n")
        child = f"  children Item{k + 1:02d}[]\n" if k < CHAIN_LENGTH else ""
        parts.append(f"model {name} {{\n  id       Int    @id @default(autoincrement())\n"
                     f"  itemName String @map(\"item_name\") @db.VarChar(30)\n{parent}{child}\n"
                     f"  @@map(\"item_{k:02d}\")\n}}\n")
    return "\n".join(parts)


def write_schema(directory: Path) -> Path:
    """The schema as a folder of four .prisma files; returns the folder."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "schema.prisma").write_text(MAIN)
    (directory / "org.prisma").write_text(ORG)
    (directory / "content.prisma").write_text(CONTENT)
    (directory / "items.prisma").write_text(chain_text())
    return directory


def create_statements(schema: Schema, foreign_keys: bool) -> list[str]:
    """CREATE TABLE for every table (and ALTER TABLE ... ADD FOREIGN KEY when asked)."""
    out = []
    for t in schema.tables.values():
        cols = [f"{quote_ident(c.name)} {c.column_type} {'NULL' if c.nullable else 'NOT NULL'}" for c in t.columns]
        if t.primary_key:
            cols.append(f"PRIMARY KEY ({', '.join(quote_ident(c) for c in t.primary_key)})")
        for k in t.unique_keys:
            cols.append(f"UNIQUE ({', '.join(quote_ident(c) for c in k)})")
        out.append(f"CREATE TABLE {quote_ident(t.name)} ({', '.join(cols)}) ENGINE=InnoDB")
    if foreign_keys:
        for t in schema.tables.values():
            for fk in t.foreign_keys:
                out.append(f"ALTER TABLE {quote_ident(t.name)} ADD FOREIGN KEY "
                           f"({', '.join(quote_ident(c) for c in fk.columns)}) REFERENCES {quote_ident(fk.ref_table)} "
                           f"({', '.join(quote_ident(c) for c in fk.ref_columns)})")
    return out


ROWS = 4


def _value(table: Table, col, i: int):
    t = col.data_type
    if t in ("int", "bigint", "smallint", "tinyint"):
        return i + 1
    if t == "decimal":
        return f"{i + 1}.25"
    if t in ("datetime", "timestamp"):
        return f"2024-01-0{i + 1} 08:00:00"
    if t == "enum":
        return col.column_type.split("'")[1]
    text = f"{table.name}-{col.name}-{i}"
    return text[-12:] if col.column_type.endswith("(12)") else text


def fill(conn: Connection, database: str, schema: Schema, plan: LoadPlan) -> dict[str, int]:
    """ROWS rows per table that respect every relation: a row points at a parent row
    loaded before it (a self-reference at the previous row); an FK that closes a cycle
    is NULL. Returns rows per table."""
    closing = {(fk.table, fk.columns) for c in plan.cycles for fk in c.closing if fk.ref_table != fk.table}
    rows: dict[str, list[dict]] = {}
    for name in plan.load_order:
        table = schema.tables[name]
        made = []
        for i in range(ROWS):
            row = {c.name: _value(table, c, i) for c in table.columns}
            for fk in table.foreign_keys:
                if (name, fk.columns) in closing:
                    vals = [None] * len(fk.columns)
                elif fk.ref_table == name:
                    vals = [made[i - 1][rc] for rc in fk.ref_columns] if i else [None] * len(fk.columns)
                else:
                    parent = rows[fk.ref_table][(i + 1) % ROWS if name.startswith("_") and fk.columns == ("B",)
                                                else i]
                    vals = [parent[rc] for rc in fk.ref_columns]
                for c, v in zip(fk.columns, vals):
                    row[c] = v
            made.append(row)
        rows[name] = made
        cols = [c.name for c in table.columns]
        values = ",".join("(" + ",".join("NULL" if r[c] is None else (str(r[c]) if isinstance(r[c], int)
                                                                       else quote_string(str(r[c])))
                                         for c in cols) + ")" for r in made)
        conn.execute(f"INSERT INTO {quote_ident(database)}.{quote_ident(name)} "
                     f"({', '.join(quote_ident(c) for c in cols)}) VALUES {values}")
    return {n: len(r) for n, r in rows.items()}
