-- Projects: one row per repository, whatever the spelling (identity_key is the lower-cased canonical URL).
CREATE TABLE projects (
    id                  uuid PRIMARY KEY,
    url                 varchar(2048) NOT NULL,
    identity_key        varchar(2048) NOT NULL,
    owner               varchar(64)   NOT NULL,
    name                varchar(128)  NOT NULL,
    status              varchar(16)   NOT NULL,
    current_fetch_id    uuid          NOT NULL,
    commit_count        bigint,
    branch_count        integer,
    last_fetched_at     timestamptz,
    last_success_requested_at timestamptz,
    last_error_reason   varchar(32),
    last_error_message  varchar(1024),
    version             bigint        NOT NULL DEFAULT 0,
    created_at          timestamptz   NOT NULL,
    updated_at          timestamptz   NOT NULL,
    CONSTRAINT projects_status_check CHECK (status IN ('QUEUED', 'FETCHING', 'READY', 'FAILED'))
);
CREATE UNIQUE INDEX projects_identity_key ON projects (identity_key);
-- keyset pages of GET /api/projects: newest first
CREATE INDEX projects_created_at_id ON projects (created_at DESC, id DESC);

-- Fetches: every request for a project's commits, and what became of it.
CREATE TABLE fetches (
    id                  uuid PRIMARY KEY,
    project_id          uuid          NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    status              varchar(16)   NOT NULL,
    requested_at        timestamptz   NOT NULL,
    started_at          timestamptz,
    finished_at         timestamptz,
    commit_count        bigint,
    new_commit_count    bigint,
    branch_count        integer,
    duration_ms         bigint,
    error_reason        varchar(32),
    error_message       varchar(1024),
    version             bigint        NOT NULL DEFAULT 0,
    CONSTRAINT fetches_status_check CHECK (status IN ('QUEUED', 'FETCHING', 'SUCCEEDED', 'FAILED'))
);
CREATE INDEX fetches_project_id ON fetches (project_id, requested_at DESC);

-- Outbox: events written in the same transaction as the change they announce, published by the relay.
CREATE TABLE outbox (
    id                  bigserial PRIMARY KEY,
    event_id            uuid          NOT NULL UNIQUE,
    event_type          varchar(64)   NOT NULL,
    payload             text          NOT NULL,
    created_at          timestamptz   NOT NULL,
    attempts            integer       NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz   NOT NULL,
    last_error          varchar(1024)
);
CREATE INDEX outbox_next_attempt_at ON outbox (next_attempt_at, id);

-- Result events already applied: consumers are idempotent on eventId.
CREATE TABLE processed_events (
    event_id            uuid PRIMARY KEY,
    processed_at        timestamptz   NOT NULL
);
