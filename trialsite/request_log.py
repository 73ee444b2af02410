"""One log line per request and per event, in a form a hospital's log collector reads.

A request line holds the time (UTC), level, user id, method, path, status and duration:
never the query string (searches and filters carry screening numbers and names), never a
form field (values and passwords). Lines are JSON objects, one per line, so a message
containing a newline or a traceback still makes one event.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

logger = logging.getLogger("trialsite.request_log")

# LogRecord attributes every record has; anything else was passed in `extra=` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class CurrentStreamHandler(logging.StreamHandler):
    """A handler writing to sys.stdout or sys.stderr as they are when each line is written.

    A plain StreamHandler keeps the stream it was configured with; a test runner (or anything
    else) that replaces and later closes sys.stdout would leave it writing to a closed file.
    """

    def __init__(self, stream_name: str = "stdout") -> None:
        self.stream_name = stream_name
        super().__init__()

    @property
    def stream(self):
        return getattr(sys, self.stream_name)

    @stream.setter
    def stream(self, value) -> None:
        """StreamHandler sets its stream once; this handler looks it up on every line."""


class JsonLineFormatter(logging.Formatter):
    """A log record as one JSON object on one line: time, level, logger, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def request_log(get_response):
    """Log each request once it is answered: who, what, the status and how long it took."""

    def middleware(request):
        started = time.perf_counter()
        response = get_response(request)
        user = getattr(request, "user", None)
        fields = {
            "user_id": user.pk if user is not None and user.is_authenticated else None,
            "method": request.method,
            # request.path, not get_full_path(): the query string stays out of the log.
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(level, "%(method)s %(path)s %(status)s", fields, extra=fields)
        return response

    return middleware
