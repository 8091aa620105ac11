-- What `prisma migrate reset` applies after the schema change in schema.prisma: every table
-- re-created in its new shape, empty, and the migration history in _prisma_migrations.
-- (Written as ALTERs and DELETEs on the sample school; the result is the same.)
ALTER TABLE students ADD COLUMN nickname VARCHAR(50) NOT NULL DEFAULT '';
ALTER TABLE lectures DROP COLUMN topic;
RENAME TABLE audit_log TO audit_events;
SET FOREIGN_KEY_CHECKS = 0;
DELETE FROM attendance; DELETE FROM lectures; DELETE FROM students; DELETE FROM classes;
DELETE FROM subjects; DELETE FROM attendance_statuses; DELETE FROM audit_events;
SET FOREIGN_KEY_CHECKS = 1;
INSERT INTO _prisma_migrations VALUES
  ('7f0c2a8e-0002-4d1e-9a51-000000000002', 'd4e5f6', '2026-12-01 10:00:01.000',
   '20261201100000_nickname_no_topic_audit_events', NULL, NULL, '2026-12-01 10:00:00.000', 1),
  ('7f0c2a8e-0003-4d1e-9a51-000000000003', 'a7b8c9', '2026-12-01 10:00:02.000',
   '20261201100001_audit_events_index', NULL, NULL, '2026-12-01 10:00:01.000', 1);
