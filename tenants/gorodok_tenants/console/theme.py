"""The admin theme of both sites (django-unfold), in one place.

A module's admin looks right on the console and on every back office without doing anything: the
sites' ``register`` gives a plain ``ModelAdmin`` (and its plain inlines) the theme's base classes.
A module that wants the theme's own options (``list_fullwidth``, tabs, ``compressed_fields``,
actions rows...) subclasses :class:`ModelAdmin`, :class:`TabularInline` or :class:`StackedInline`
from here; templates of custom pages extend ``admin/base_site.html`` (or ``admin/change_form.html``,
``admin/change_list.html``) as before, and put charts in ``gorodok_tenants/console/chart.html``.
"""

from __future__ import annotations

from django.contrib import admin
from unfold import admin as unfold_admin


class ModelAdmin(unfold_admin.ModelAdmin):
    """The themed base of every ModelAdmin on the console and the back office."""

    # Queues are read on a 1366 px screen: the table takes the width, the filters open in a sheet.
    list_fullwidth = True
    list_filter_sheet = True
    warn_unsaved_form = True


class TabularInline(unfold_admin.TabularInline):
    pass


class StackedInline(unfold_admin.StackedInline):
    pass


def _themed(cls: type, base: type) -> type:
    if issubclass(cls, base):
        return cls
    # The theme's class goes after the admin's own: the admin's attributes and methods win, the
    # theme's come before Django's own ModelAdmin in the method resolution order.
    return type(cls.__name__, (cls, base), {"__module__": cls.__module__, "__doc__": cls.__doc__})


def themed_inline(inline: type) -> type:
    if issubclass(inline, admin.StackedInline):
        return _themed(inline, StackedInline)
    if issubclass(inline, admin.TabularInline):
        return _themed(inline, TabularInline)
    return inline


def themed_admin(admin_class: type) -> type:
    """``admin_class`` with the theme's base classes, its inlines too (a class already themed is kept)."""
    themed = _themed(admin_class, ModelAdmin)
    inlines = [themed_inline(inline) for inline in getattr(themed, "inlines", ())]
    if inlines != list(getattr(themed, "inlines", ())):
        themed = type(themed.__name__, (themed,), {"__module__": themed.__module__, "__doc__": themed.__doc__,
                                                   "inlines": inlines})
    return themed
