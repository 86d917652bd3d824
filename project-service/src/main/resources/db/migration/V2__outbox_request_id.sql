-- The HTTP request that caused an event (X-Request-Id), sent with it as a message header so that
-- both services' log lines of that request carry it, also when the relay publishes it later.
ALTER TABLE outbox ADD COLUMN request_id varchar(128);
