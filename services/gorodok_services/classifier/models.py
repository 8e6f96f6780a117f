"""Classifier codes live once, in the public schema. Municipalities store the code itself on each
question (not a foreign key), so a municipality's data stays self-contained for export and restore."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_PATTERN = re.compile(r"^\d{4}(\.\d{4}){0,3}$")


class ClassifierLevel(models.IntegerChoices):
    SECTION = 1, _("section")
    THEME = 2, _("theme")
    TOPIC = 3, _("topic")
    QUESTION = 4, _("question")


def validate_code(value: str) -> None:
    if not CODE_PATTERN.match(value or ""):
        raise ValidationError(_("A classifier code is four-digit blocks separated by dots, e.g. 0005.0005.0056.1149."),
                              code="invalid_classifier_code")


class ClassifierEntry(models.Model):
    code = models.CharField(_("code"), max_length=19, unique=True, validators=[validate_code])
    title = models.CharField(_("title"), max_length=500)
    level = models.PositiveSmallIntegerField(_("level"), choices=ClassifierLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("classifier entry")
        verbose_name_plural = _("classifier")
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @staticmethod
    def level_of(code: str) -> int:
        return code.count(".") + 1

    @staticmethod
    def parent_code(code: str) -> str | None:
        return code.rsplit(".", 1)[0] if "." in code else None

    @staticmethod
    def section_of(code: str) -> str:
        return code[:4]
