-- The app's migration history as Prisma keeps it (what `prisma migrate dev` made when the
-- school was first created): one applied migration.
CREATE TABLE _prisma_migrations (
  id VARCHAR(36) NOT NULL PRIMARY KEY,
  checksum VARCHAR(64) NOT NULL,
  finished_at DATETIME(3) NULL,
  migration_name VARCHAR(255) NOT NULL,
  logs TEXT NULL,
  rolled_back_at DATETIME(3) NULL,
  started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  applied_steps_count INT UNSIGNED NOT NULL DEFAULT 0
);
INSERT INTO _prisma_migrations VALUES
  ('7f0c2a8e-0001-4d1e-9a51-000000000001', 'a1b2c3', '2026-11-02 09:00:01.000', '20261102090000_init', NULL,
   NULL, '2026-11-02 09:00:00.000', 1);
