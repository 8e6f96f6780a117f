"""Who may do what in the regional console: admins act, analysts only read."""

from gorodok_platform.accounts.roles import REGIONAL_ROLES, Role


def is_regional_admin(request) -> bool:
    user = request.user
    return user.is_active and user.has_role(Role.REGIONAL_ADMIN)


def is_regional_staff(request) -> bool:
    user = request.user
    return user.is_active and user.has_role(*REGIONAL_ROLES)


class RegionalPermissionsMixin:
    """ModelAdmin permissions by regional role instead of per-model Django permissions."""

    def has_module_permission(self, request):
        return is_regional_staff(request)

    def has_view_permission(self, request, obj=None):
        return is_regional_staff(request)

    def has_add_permission(self, request):
        return is_regional_admin(request)

    def has_change_permission(self, request, obj=None):
        return is_regional_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False
