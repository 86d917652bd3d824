-- Where in the commit store's history the project's last successful fetch lies (ADR 0006):
-- commit-service's store epoch and sequence, reported with fetch.succeeded. A commit-store.checked
-- announcement with another epoch, or a lower sequence, means the store lost the project.
ALTER TABLE projects ADD COLUMN store_epoch uuid;
ALTER TABLE projects ADD COLUMN store_sequence bigint;

-- Why a fetch was requested: the project was created, someone asked for a refresh, or the commit
-- store lost the project and it is fetched again.
ALTER TABLE fetches ADD COLUMN reason varchar(16) NOT NULL DEFAULT 'REFRESH';
UPDATE fetches f SET reason = 'CREATED' FROM projects p WHERE p.id = f.project_id AND f.requested_at = p.created_at;
ALTER TABLE fetches ALTER COLUMN reason DROP DEFAULT;
ALTER TABLE fetches ADD CONSTRAINT fetches_reason_check CHECK (reason IN ('CREATED', 'REFRESH', 'STORE_RECOVERY'));
