#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings")
    # A command's stdout is its output (`screen` answers JSON there, `export_protocol` a file):
    # its log lines go to stderr. The web server (gunicorn) logs to stdout.
    os.environ.setdefault("TRIALSITE_LOG_STREAM", "stderr")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
