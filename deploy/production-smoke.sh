#!/usr/bin/env bash
# The production path, end to end, from a clean clone of this repository's HEAD with DEBUG
# off (docs/operations.md, "Deploying to a server" says the same steps for a real server):
# install, npm ci, collectstatic, a database with an owner role and an app role, migrate as
# the owner, grants, load the protocol, first users, gunicorn as the app role, then over HTTP:
# log in, register, screen, record a decision, sign off; verify_audit; the logs checked.
# Exits non-zero at the first failure. Needs git, python3, npm, psql and a local PostgreSQL
# where SMOKE_PG_ADMIN may create roles and databases.
#
# SMOKE_NAME     database name and role prefix (default trialsite_prod_smoke); dropped after
# SMOKE_VENV     use this virtualenv instead of installing one (a quicker local run)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NAME="${SMOKE_NAME:-trialsite_prod_smoke}"
OWNER="${NAME}_owner"
APP="${NAME}_app"
PG_ADMIN="${SMOKE_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_HOST="127.0.0.1:5432"
WORK="$(mktemp -d)"
SERVER_PID=""

step() { printf '\n== %s\n' "$*"; }

cleanup() {
  status=$?
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ] && [ -f "$WORK/app.log" ]; then
    echo "-- last app log lines"; tail -n 20 "$WORK/app.log" "$WORK/gunicorn.log" || true
  fi
  psql "$PG_ADMIN" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$NAME\" WITH (FORCE)" \
    -c "DROP ROLE IF EXISTS \"$APP\"" -c "DROP ROLE IF EXISTS \"$OWNER\"" >/dev/null || true
  rm -rf "$WORK"
  if [ "$status" -eq 0 ]; then echo "production smoke: PASSED"; else echo "production smoke: FAILED ($status)"; fi
  exit "$status"
}
trap cleanup EXIT

# Production has no development .env and no DEBUG: nothing from the caller's shell leaks in.
unset DJANGO_DEBUG DATABASE_URL TRIALSITE_ENV_FILE TRIALSITE_LOG_STREAM
secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(int("'"$1"'")))'; }
export DJANGO_SECRET_KEY="$(secret 50)"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
# The smoke client reads the pages' English wording (a Danish site sets da, the default).
export TRIALSITE_LANGUAGE=en
export DJANGO_SECURE_SSL_REDIRECT=1
export WHITENOISE_USE_FINDERS=0
OWNER_URL="postgres://$OWNER@$PG_HOST/$NAME"
APP_URL="postgres://$APP@$PG_HOST/$NAME"

step "clean clone of $(git -C "$ROOT" rev-parse --short HEAD)"
if [ -n "$(git -C "$ROOT" status --porcelain)" ]; then
  echo "note: uncommitted changes in $ROOT are not part of this run"
fi
git clone --quiet --no-checkout "$ROOT" "$WORK/trialsite"
cd "$WORK/trialsite"
git checkout --quiet --detach "$(git -C "$ROOT" rev-parse HEAD)"
test ! -e .env

step "install: Python packages, npm ci"
if [ -n "${SMOKE_VENV:-}" ]; then
  ln -s "$SMOKE_VENV" .venv
else
  python3 -m venv .venv
  .venv/bin/pip install --quiet -r requirements.txt
fi
npm ci --no-audit --no-fund --loglevel=error

step "collectstatic, translations"
.venv/bin/python manage.py collectstatic --no-input -v 0
.venv/bin/python -m trialsite.translations compile
.venv/bin/python manage.py check --deploy --fail-level WARNING

step "database $NAME, roles $OWNER (owner) and $APP (app)"
psql "$PG_ADMIN" -q -c "DROP DATABASE IF EXISTS \"$NAME\" WITH (FORCE)" \
  -c "DROP ROLE IF EXISTS \"$APP\"" -c "DROP ROLE IF EXISTS \"$OWNER\""
psql "$PG_ADMIN" -q -v owner_role="$OWNER" -v app_role="$APP" -v database="$NAME" \
  -f deploy/postgres-database.sql

step "migrate as the owner, then the app role's grants"
DATABASE_URL="$OWNER_URL" .venv/bin/python manage.py migrate --no-input -v 0
psql "$OWNER_URL" -q --single-transaction -v app_role="$APP" -f deploy/postgres-roles.sql >/dev/null

# From here on everything runs as the app role, as the app servers do.
export DATABASE_URL="$APP_URL"

step "load the protocol, create the first users"
.venv/bin/python manage.py load_protocol criteria/protocols/NCT01387295.json
export SMOKE_NURSE_PASSWORD="$(secret 18)" SMOKE_INVESTIGATOR_PASSWORD="$(secret 18)"
printf '%s\n' "$SMOKE_NURSE_PASSWORD" | .venv/bin/python manage.py create_user smoke-nurse \
  --role nurse --first-name Sara --last-name Smoke --password-stdin 2>/dev/null
printf '%s\n' "$SMOKE_INVESTIGATOR_PASSWORD" | .venv/bin/python manage.py create_user \
  smoke-investigator --role investigator --first-name Ib --last-name Smoke --password-stdin 2>/dev/null
.venv/bin/python manage.py screen --trial NCT01387295 deploy/smoke-case.json \
  | python3 -c 'import json, sys; o = json.load(sys.stdin)["outcome"]; print("screen:", o); sys.exit(o != "eligible")'

step "gunicorn against PostgreSQL as $APP"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
.venv/bin/gunicorn trialsite.wsgi --bind "127.0.0.1:$PORT" --workers 2 \
  >"$WORK/app.log" 2>"$WORK/gunicorn.log" &
SERVER_PID=$!
up=""
for _ in $(seq 60); do
  if python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/health/', timeout=2)" \
    2>/dev/null; then up=1; break; fi
  sleep 1
done
[ -n "$up" ] || { echo "gunicorn did not answer /health/ within 60 s"; exit 1; }

step "over HTTP: log in, register, screen, record a decision, sign off"
.venv/bin/python deploy/smoke_client.py "http://127.0.0.1:$PORT" deploy/smoke-case.json

step "verify_audit"
.venv/bin/python manage.py verify_audit

step "logs: one JSON line per request, no password, no entered value"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
python3 - "$WORK/app.log" <<'PY'
import json, os, sys
lines = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
requests = [line for line in lines if line["logger"] == "trialsite.request_log"]
needed = {"time", "level", "user_id", "method", "path", "status", "duration_ms"}
assert requests and all(needed <= set(line) for line in requests), "request lines incomplete"
assert any(line["method"] == "POST" and line["path"] == "/login/" for line in requests)
text = open(sys.argv[1], encoding="utf-8").read()
for secret in ("SMOKE_NURSE_PASSWORD", "SMOKE_INVESTIGATOR_PASSWORD"):
    assert os.environ[secret] not in text, f"{secret} appears in the log"
assert "Herlev, Oncology" not in text, "a form value appears in the log"
print(f"{len(requests)} request lines, e.g.:")
print(json.dumps(requests[-1]))
PY
