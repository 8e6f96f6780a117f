from __future__ import annotations

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gorodok_platform.accounts.roles import role_codes


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: regional staff in the public schema, municipal staff in theirs."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_staff = models.BooleanField(
        _("back-office access"), default=False, help_text=_("May sign in to the back office.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ("email",)

    def __str__(self) -> str:
        return self.email

    @property
    def role_codes(self) -> list[str]:
        valid = role_codes()
        return sorted(name for name in self.group_names() if name in valid)

    def group_names(self) -> frozenset[str]:
        """The names of the user's groups, read once per user object (that is, once per request: a console
        page asks every section whether the person may see it). Changing this object's groups forgets them."""
        cached = self.__dict__.get("_group_names")
        if cached is None:
            cached = self.__dict__["_group_names"] = frozenset(self.groups.values_list("name", flat=True))
        return cached

    def has_role(self, *roles: str) -> bool:
        if not self.is_active:
            return False
        return bool(self.group_names() & {str(role) for role in roles})


def _forget_group_names(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_") or action.startswith("pre_clear"):
        instance.__dict__.pop("_group_names", None)
        instance.__dict__.pop("_gorodok_role_codes", None)


models.signals.m2m_changed.connect(_forget_group_names, sender=User.groups.through,
                                   dispatch_uid="gorodok_forget_group_names")
