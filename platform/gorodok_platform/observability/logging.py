"""Structured logs: JSON lines in production, readable lines in development.

Every record carries the tenant and request id bound in structlog's context variables, including
records from the standard ``logging`` module (Django, Dramatiq), which go through the same renderer.
"""

from __future__ import annotations

import logging
import logging.config
import sys

import structlog

_SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(*, log_format: str = "console", level: str = "INFO") -> dict:
    """The ``logging.config.dictConfig`` of every process (gunicorn's own loggers included: gunicorn_conf)."""
    renderer = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": _SHARED_PROCESSORS,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    renderer,
                ],
            },
        },
        "handlers": {
            "stream": {"class": "logging.StreamHandler", "stream": sys.stderr, "formatter": "structured"},
        },
        "root": {"handlers": ["stream"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "pika": {"level": "WARNING"},
            "pgserver": {"level": "WARNING"},
        },
    }


def configure_logging(*, log_format: str = "console", level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(log_format=log_format, level=level))
    structlog.configure(
        processors=[
            *_SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
