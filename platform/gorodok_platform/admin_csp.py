"""The script policy of the admin pages.

The admin theme's interface (django-unfold) runs on Alpine.js, which evaluates the expressions of its
``x-*`` attributes with the Function constructor; without ``'unsafe-eval'`` its menus, filters and
tabs stay dead. Only the admin pages get it. Inline scripts stay forbidden there as everywhere (the
hostile-strings test walks every admin page for them), and every admin page is escaped (the same test).
"""

from __future__ import annotations

from django.conf import settings


class AdminScriptPolicyMiddleware:
    """Placed after ``csp.middleware.CSPMiddleware``: its response hook runs first and marks the
    response, the CSP middleware then writes the header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        prefixes = tuple(getattr(settings, "ADMIN_PATH_PREFIXES", ()))
        if prefixes and request.path_info.startswith(prefixes) and not hasattr(response, "_csp_update"):
            response._csp_update = {"script-src": ["'unsafe-eval'"]}
        return response
