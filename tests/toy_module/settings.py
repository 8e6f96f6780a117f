"""Gorodok's settings plus one line: the toy module, switched on by settings alone."""

from gorodok_platform.settings import *  # noqa: F403
from gorodok_platform.settings import DATABASES, SHARED_APPS, TENANT_APPS

TENANT_APPS = [*TENANT_APPS, "tests.toy_module"]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]
# A test database of its own, so this run never meets the main suite's.
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_toy"}
