"""Test-only environment defaults, set before pytest-django imports the settings.

Tests run with DEBUG off, as production does; they need some secret key to start at all.
Log lines go to stderr, as under manage.py, so a command's stdout holds only its output.
A developer's .env (written by `make run`, DEBUG on) is not read: TRIALSITE_ENV_FILE is empty.
The suite runs in English (TRIALSITE_LANGUAGE=en); a test that needs Danish asks for it.
A value already in the environment (CI's DATABASE_URL, say) always wins.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("TRIALSITE_ENV_FILE", "")
os.environ.setdefault("TRIALSITE_LOG_STREAM", "stderr")
os.environ.setdefault("TRIALSITE_LANGUAGE", "en")
