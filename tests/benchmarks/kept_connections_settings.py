"""Gorodok's settings with database connections kept between requests, as in production (the test
environment closes them after each request), for benchmarks that send requests in-process."""

from gorodok_platform.settings import *  # noqa: F403
from gorodok_platform.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 60
DEBUG = False
