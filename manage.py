#!/usr/bin/env python
"""Django's command-line utility for Gorodok."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
for source_root in ("platform", "tenants", "services", "graphql"):
    path = str(ROOT / source_root)
    if path not in sys.path:
        sys.path.insert(1, path)

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gorodok_platform.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
