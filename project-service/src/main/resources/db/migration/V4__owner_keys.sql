-- Who added a project and who asked for a fetch: the name of the API key (null in the open mode),
-- for the quotas per key and for deciding who may delete a project.
ALTER TABLE projects ADD COLUMN owner_key varchar(64);
ALTER TABLE fetches ADD COLUMN requested_by varchar(64);
CREATE INDEX projects_owner_key ON projects (owner_key) WHERE owner_key IS NOT NULL;
CREATE INDEX fetches_requested_by ON fetches (requested_by, requested_at) WHERE requested_by IS NOT NULL;
-- admission control counts the queued projects (their current fetch waits) every second
CREATE INDEX projects_queued ON projects (status) WHERE status = 'QUEUED';
