"""A deterministic sample database: a school.

students, classes, subjects, lectures, attendance_statuses and attendance (unique
per student and lecture), plus an FK cycle (classes.head_student_id -> students,
students.class_id -> classes), a self-reference (subjects.prerequisite_id) and a
keyless audit_log. The same ``scale`` and ``seed`` always give the same bytes.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from ..connect.connection import Connection, ConnectionOptions, quote_ident, quote_string
from ..errors import OutputError, UsageError

SCHOOL_DDL = [
    """CREATE TABLE attendance_statuses (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  code VARCHAR(16) NOT NULL UNIQUE,
  label VARCHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE subjects (
  id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(12) NOT NULL UNIQUE,
  name VARCHAR(100) NOT NULL,
  prerequisite_id SMALLINT UNSIGNED NULL,
  CONSTRAINT fk_subject_prereq FOREIGN KEY (prerequisite_id) REFERENCES subjects (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE classes (
  id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(32) NOT NULL UNIQUE,
  school_year YEAR NOT NULL,
  head_student_id INT UNSIGNED NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE students (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  class_id SMALLINT UNSIGNED NOT NULL,
  first_name VARCHAR(50) NOT NULL,
  last_name VARCHAR(50) NOT NULL,
  email VARCHAR(120) NOT NULL UNIQUE,
  birth_date DATE NOT NULL,
  enrolled_at DATETIME NOT NULL,
  gpa DECIMAL(4,2) NULL,
  notes TEXT NULL,
  CONSTRAINT fk_student_class FOREIGN KEY (class_id) REFERENCES classes (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """ALTER TABLE classes ADD CONSTRAINT fk_class_head FOREIGN KEY (head_student_id) REFERENCES students (id)""",
    """CREATE TABLE lectures (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  class_id SMALLINT UNSIGNED NOT NULL,
  subject_id SMALLINT UNSIGNED NOT NULL,
  starts_at DATETIME NOT NULL,
  room VARCHAR(16) NOT NULL,
  topic VARCHAR(200) NULL,
  KEY ix_lecture_time (starts_at),
  CONSTRAINT fk_lecture_class FOREIGN KEY (class_id) REFERENCES classes (id),
  CONSTRAINT fk_lecture_subject FOREIGN KEY (subject_id) REFERENCES subjects (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE attendance (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  student_id INT UNSIGNED NOT NULL,
  lecture_id INT UNSIGNED NOT NULL,
  status_id TINYINT UNSIGNED NOT NULL,
  noted_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  comment VARCHAR(255) NULL,
  UNIQUE KEY uq_attendance (student_id, lecture_id),
  CONSTRAINT fk_att_student FOREIGN KEY (student_id) REFERENCES students (id),
  CONSTRAINT fk_att_lecture FOREIGN KEY (lecture_id) REFERENCES lectures (id),
  CONSTRAINT fk_att_status FOREIGN KEY (status_id) REFERENCES attendance_statuses (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE audit_log (
  happened_at DATETIME(6) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  action VARCHAR(32) NOT NULL,
  detail JSON NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
]

FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Eve", "Farah", "Göran", "Hana", "Ivan", "Jun", "Kofi", "Lena",
         "Mateo", "Nia", "Olaf", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vik", "Wen", "Zoë"]
LAST = ["O'Brien", "Smith", "Müller", "Nakamura", "García", "Kowalski", "Dubois", "Rossi", "Andersson",
        "Okafor", "Patel", "Nguyen", "Back\\slash", "Łukasz", "Ivanova"]
STATUSES = [(1, "present", "Present"), (2, "absent", "Absent"), (3, "late", "Late"),
            (4, "excused", "Excused absence")]
INSERT_BATCH = 2000


def school_row_counts(scale: float = 1.0) -> dict[str, int]:
    """Rows per table at ``scale``: linear in it (``--scale 5`` is five times the rows of 1),
    since only the number of classes grows; each class keeps its 30 students and 80 lectures."""
    classes = max(2, round(40 * scale))
    per_class = 30
    lectures_per_class = 80
    return {
        "attendance_statuses": len(STATUSES),
        "subjects": 24,
        "classes": classes,
        "students": classes * per_class,
        "lectures": classes * lectures_per_class,
        "attendance": classes * lectures_per_class * per_class,
        "audit_log": max(10, int(2000 * scale)),
    }


def recreate_database(conn: Connection, database: str, ddl: list[str]) -> None:
    """Drop and create ``database`` (utf8mb4), make it current, and run ``ddl`` in it."""
    db = quote_ident(database)
    conn.execute(f"DROP DATABASE IF EXISTS {db}")
    conn.execute(f"CREATE DATABASE {db} CHARACTER SET utf8mb4")
    conn.execute(f"USE {db}")
    for statement in ddl:
        conn.execute(statement)


def create_school(conn: Connection, database: str, scale: float = 1.0, seed: int = 42) -> dict[str, int]:
    """(Re)create ``database`` as the sample school and fill it; returns rows per table."""
    rnd = random.Random(seed)
    counts = school_row_counts(scale)
    recreate_database(conn, database, SCHOOL_DDL)
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0, time_zone = '+00:00'")
    _insert(conn, "attendance_statuses", ["id", "code", "label"], STATUSES)
    subjects = []
    for i in range(1, counts["subjects"] + 1):
        prereq = rnd.randint(1, i - 1) if i > 3 and rnd.random() < 0.5 else None
        subjects.append((i, f"SUB{i:03d}", f"Subject {i}: {rnd.choice(['Maths', 'Física', 'History', 'Art'])}", prereq))
    _insert(conn, "subjects", ["id", "code", "name", "prerequisite_id"], subjects)
    per_class = counts["students"] // counts["classes"]
    classes = [(c, f"Class {c:03d}", 2020 + c % 6, (c - 1) * per_class + 1) for c in range(1, counts["classes"] + 1)]
    _insert(conn, "classes", ["id", "name", "school_year", "head_student_id"], classes)
    base = datetime(2024, 9, 1, 8, 0, 0)
    students = []
    for s in range(1, counts["students"] + 1):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        notes = None if rnd.random() < 0.6 else f"Note for {first}: \"quoted\", tab\there\nnew line 🎓"
        gpa = None if rnd.random() < 0.1 else f"{rnd.uniform(1, 4):.2f}"
        students.append((s, (s - 1) // per_class + 1, first, last, f"student{s}@school.example",
                         f"{2005 + s % 8}-{1 + s % 12:02d}-{1 + s % 28:02d}",
                         (base + timedelta(minutes=s)).strftime("%Y-%m-%d %H:%M:%S"), gpa, notes))
    _insert(conn, "students", ["id", "class_id", "first_name", "last_name", "email", "birth_date", "enrolled_at",
                               "gpa", "notes"], students)
    lectures_per_class = counts["lectures"] // counts["classes"]
    lectures = []
    lid = 0
    for c in range(1, counts["classes"] + 1):
        for k in range(lectures_per_class):
            lid += 1
            lectures.append((lid, c, rnd.randint(1, counts["subjects"]),
                             (base + timedelta(days=k // 4, hours=k % 4)).strftime("%Y-%m-%d %H:%M:%S"),
                             f"R{rnd.randint(100, 399)}", None if rnd.random() < 0.2 else f"Topic {lid}"))
    _insert(conn, "lectures", ["id", "class_id", "subject_id", "starts_at", "room", "topic"], lectures)
    cols = ["id", "student_id", "lecture_id", "status_id", "noted_at", "comment"]
    batch = []
    aid = 0
    for lec in lectures:
        lid, c = lec[0], lec[1]
        for s in range((c - 1) * per_class + 1, c * per_class + 1):
            aid += 1
            status = 1 if rnd.random() < 0.85 else rnd.randint(2, 4)
            batch.append((aid, s, lid, status, lec[3], None if status == 1 else "called parents"))
            if len(batch) >= INSERT_BATCH:
                _insert(conn, "attendance", cols, batch)
                batch = []
    _insert(conn, "attendance", cols, batch)
    logs = [((base + timedelta(seconds=i * 7, microseconds=i)).strftime("%Y-%m-%d %H:%M:%S.%f"),
             rnd.choice(["admin", "teacher", "system"]), rnd.choice(["login", "grade", "export"]),
             '{"ip": "10.0.0.%d", "ok": %s}' % (i % 255, "true" if i % 3 else "false"))
            for i in range(counts["audit_log"])]
    logs += logs[:3]  # a keyless table keeps duplicate rows: the dump must too
    _insert(conn, "audit_log", ["happened_at", "actor", "action", "detail"], logs)
    counts["audit_log"] = len(logs)
    conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 1, UNIQUE_CHECKS = 1")
    return counts


def school_prisma_schema() -> Path:
    """The sample school's Prisma schema: in a wheel, package data beside this package
    (``dumpcore/examples/school``); in a checkout, ``examples/school`` at the top."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "examples" / "school" / "schema.prisma",
                      package.parent / "examples" / "school" / "schema.prisma"):
        if candidate.is_file():
            return candidate
    raise OutputError("the sample school's Prisma schema is not installed (dumpcore/examples/school/schema.prisma)",
                      hint="reinstall dumpcore, or take examples/school/schema.prisma from its source")


def create_sample(options: ConnectionOptions, database: str, scale: float = 1.0,
                  write_prisma: Path | None = None) -> dict[str, int]:
    """Create the sample school as a new ``database`` on the user's own server (``dumpcore
    sample``); a database of that name already there is an OutputError, never dropped.
    ``write_prisma``: also write the school's Prisma schema there (a new file, never replaced)."""
    if scale <= 0:
        raise UsageError(f"--scale must be above 0, got {scale}")
    schema_text = None
    if write_prisma is not None:
        # checked before the database is made, so a refusal leaves nothing behind
        if write_prisma.exists():
            raise OutputError(f"{write_prisma} exists", hint="name a new file; dumpcore sample never replaces one")
        schema_text = school_prisma_schema().read_bytes()
    with options.connect() as conn:
        if conn.query("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '%s'"
                      % database.replace("\\", "\\\\").replace("'", "''")):
            raise OutputError(f"database `{database}` already exists on {options.describe()}",
                              hint="name a new database; dumpcore sample never replaces one")
        counts = create_school(conn, database, scale)
    if write_prisma is not None and schema_text is not None:
        try:
            with open(write_prisma, "xb") as f:  # "x": a file that appeared meanwhile is not replaced either
                f.write(schema_text)
        except OSError as exc:
            raise OutputError(f"{write_prisma}: cannot write the Prisma schema ({exc.strerror})",
                                      hint=f"the database `{database}` was created; copy the schema from "
                                   f"{school_prisma_schema()}") from None
    return counts


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    return quote_string(str(value))


def _insert(conn: Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    head = f"INSERT INTO {quote_ident(table)} ({', '.join(quote_ident(c) for c in columns)}) VALUES "
    for i in range(0, len(rows), INSERT_BATCH):
        part = rows[i : i + INSERT_BATCH]
        conn.execute(head + ",".join("(" + ",".join(_literal(v) for v in r) + ")" for r in part))
