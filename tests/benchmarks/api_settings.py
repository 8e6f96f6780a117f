"""Settings for tests/benchmarks/api.py only: Gorodok's own, plus a plain Django JSON view of the appeals
list on every municipality's host, behind the same middleware (bearer-token authentication included).

django-tenants routes a municipality's host with ``ROOT_URLCONF``, so the baseline view is added there,
in a URLconf of the benchmark's own; production code is untouched. Database connections are kept
between requests, as in production (the test environment closes them after each request).
"""

from gorodok_platform.settings import API_CLIENT_AUTH_PATHS
from tests.benchmarks.kept_connections_settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.api_urls"
PLAIN_PATH = "/bench/plain-appeals/"
API_CLIENT_AUTH_PATHS = [*API_CLIENT_AUTH_PATHS, PLAIN_PATH]
