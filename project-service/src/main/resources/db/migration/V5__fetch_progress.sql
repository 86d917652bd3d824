-- How far a running fetch is (fetch.progress events): its phase, the commits it stored so far, and
-- the sequence number of the last progress event applied (a late one changes nothing).
ALTER TABLE fetches ADD COLUMN phase varchar(16);
ALTER TABLE fetches ADD COLUMN commits_stored bigint;
ALTER TABLE fetches ADD COLUMN progress_sequence bigint;
