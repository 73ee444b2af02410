-- The TrialSite database and its two roles. Run once, as a PostgreSQL superuser:
--
--   psql -h DBHOST -U postgres -v owner_role=trialsite_owner -v app_role=trialsite_app \
--        -v database=trialsite -f deploy/postgres-database.sql
--
-- The owner role owns the tables: `manage.py migrate` runs as it, nothing else does.
-- The app role is what the app servers connect as: it owns nothing, and what it may do on
-- the tables is granted by deploy/postgres-roles.sql after every migrate. An owner can
-- switch a trigger off or TRUNCATE an audit table; the app role can do neither.
-- Give both roles passwords afterwards: \password trialsite_owner, \password trialsite_app.
\set ON_ERROR_STOP on

CREATE ROLE :"owner_role" LOGIN;
CREATE ROLE :"app_role" LOGIN;
CREATE DATABASE :"database" OWNER :"owner_role" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO :"app_role";

-- Before PostgreSQL 15 every role may create tables in the public schema: not the app role.
\connect :"database"
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
