-- Whether a running first fetch serves a first look at its newest commits (fetch.progress events,
-- ADR 0012): once true for a fetch, it stays true.
ALTER TABLE fetches ADD COLUMN first_look boolean NOT NULL DEFAULT false;
