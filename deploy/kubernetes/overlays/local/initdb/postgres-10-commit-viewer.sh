#!/bin/sh
# Run once by the postgres image's entrypoint on an empty volume (as the superuser "postgres").
# project-service gets its own role, owner of its database and nothing more: no superuser, no
# other database, no roles. Flyway's migrations run as that role.
set -eu
: "${COMMITVIEWER_DB_USER:?}" "${COMMITVIEWER_DB_PASSWORD:?}"
database="${COMMITVIEWER_DB_NAME:-commitviewer}"
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
     -v app_user="$COMMITVIEWER_DB_USER" -v app_password="$COMMITVIEWER_DB_PASSWORD" -v app_db="$database" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE DATABASE :"app_db" OWNER :"app_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"app_db" TO :"app_user";
SQL
