-- What the app role may do on TrialSite's tables, and nothing more. Run as the owner role
-- (the one that ran `manage.py migrate`) after every migrate, in one transaction:
--
--   psql "postgres://trialsite_owner@DBHOST/trialsite" --single-transaction \
--        -v app_role=trialsite_app -f deploy/postgres-roles.sql
--
-- Tables: read and write rows. Audit tables (those with an append-only trigger: decisions,
-- signatures, the access log, every history table): read and insert only, so UPDATE and
-- DELETE are refused by the privileges as well as by the trigger. No TRUNCATE, no ALTER:
-- only the owner may switch a trigger off. Tables added by a later migrate stay closed to
-- the app until this script is run again (the app then fails loudly, never writes unguarded).
\set ON_ERROR_STOP on

GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO :"app_role";

SELECT set_config('trialsite.app_role', :'app_role', false);
DO $$
DECLARE
    audit_table text;
BEGIN
    FOR audit_table IN
        SELECT c.relname FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND t.tgname = c.relname || '_append_only'
          AND NOT t.tgisinternal
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON public.%I FROM %I',
                       audit_table, current_setting('trialsite.app_role'));
    END LOOP;
END
$$;
