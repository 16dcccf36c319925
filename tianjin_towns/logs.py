"""Log format helpers, importable before Django's apps load (settings.LOGGING names them).

Every line carries its time in UTC and the id of the request it belongs to (RequestIdMiddleware),
so a line can be matched with nginx's access log and with the audit trail.
"""

import contextvars
import logging
import time

# Set by tianjin_towns.middleware.RequestIdMiddleware for the duration of a request: its id and the client's address
# (tianjin_towns.security.client_ip), for the log and the security audit (coordination.security_audit).
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
client_ip_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


class UTCFormatter(logging.Formatter):
    """ISO 8601 times in UTC: one clock for every server and every log."""

    converter = time.gmtime

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + f".{int(record.msecs):03d}Z"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
