-- What each key caused, kept when its projects are deleted (issue 24, finding 1): a fetch a key asked
-- for (creating a project, or a refresh) and when its result came. Deleting a project removes its
-- fetches, so counting them let add/delete churn forget every quota; this ledger does not forget.
CREATE TABLE key_fetches (
    fetch_id     uuid PRIMARY KEY,
    key_name     varchar(64) NOT NULL,
    reason       varchar(32) NOT NULL,
    requested_at timestamp with time zone NOT NULL,
    ended_at     timestamp with time zone
);
CREATE INDEX key_fetches_key ON key_fetches (key_name, requested_at);
