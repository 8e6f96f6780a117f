"""The toy module's tests run only where the toy module is installed: in their own run with
``tests.toy_module.settings`` (``tests/test_tenants/test_module_contract.py`` starts it)."""

from django.conf import settings

if "tests.toy_module" not in settings.INSTALLED_APPS:
    collect_ignore = ["test_toy_module.py"]
