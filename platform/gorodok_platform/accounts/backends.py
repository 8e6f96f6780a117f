"""How a person signs in and is recognised on each request: Django's model backend, reading the
person together with the names of their groups (every page asks for the person's roles)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

# What a view that signs a person in by itself names (with two backends listed, Django asks which).
SIGN_IN_BACKEND = "gorodok_platform.accounts.backends.UserWithGroupsBackend"


class UserWithGroupsBackend(ModelBackend):
    """Listed before Django's own model backend, which stays for sessions signed in before this one
    existed (a session names the backend that signed it in)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        username = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD)
        if user is None and username is not None and password is not None:
            # Refused here, refused for good: the model backend after this one would hash the same
            # password again for the same answer.
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        """The user and their group names in one query (``User.group_names`` then asks nothing). Written
        out in SQL: it runs on every request, and building it with the ORM cost more than running it."""
        model = get_user_model()
        groups = model.groups.through
        group_table = groups._meta.get_field("group").related_model._meta.db_table
        sql = (f"SELECT u.*, ARRAY(SELECT g.name FROM {group_table} g JOIN {groups._meta.db_table} ug "  # noqa: S608
               f"ON ug.group_id = g.id WHERE ug.user_id = u.id) AS group_name_list "
               f"FROM {model._meta.db_table} u WHERE u.id = %s")
        try:
            user = next(iter(model._default_manager.raw(sql, [int(user_id)])), None)
        except (TypeError, ValueError):
            return None
        if user is None or not self.user_can_authenticate(user):
            return None
        user.__dict__["_group_names"] = frozenset(user.__dict__.pop("group_name_list"))
        return user
