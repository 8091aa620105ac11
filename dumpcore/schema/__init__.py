"""Schema: what the database holds and the order it loads in. Tables, keys and objects read
live or from DDL (schema.py, objects.py), which column types hold another's values exactly
(typecheck.py), SQL text split and checked (sqltext.py, the only user of sqlglot), Prisma
relations (prisma.py), the FK load order (ordering.py), and the scripts built from them
(scripts.py, plan.py)."""
