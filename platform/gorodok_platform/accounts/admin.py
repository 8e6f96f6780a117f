from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import role_label


class RoleChoiceField(forms.ModelMultipleChoiceField):
    """Roles are groups named by their code; people read the role's name."""

    def label_from_instance(self, obj: Group) -> str:
        return str(role_label(obj.name))


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(name, role_label(name)) for name in Group.objects.order_by("name").values_list("name", flat=True)]

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()).distinct() if self.value() else queryset


class StaffUserChangeForm(UserChangeForm):
    groups = RoleChoiceField(queryset=Group.objects.order_by("name"), required=False, label=_("roles"),
                             widget=admin.widgets.FilteredSelectMultiple(_("roles"), is_stacked=False))

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class StaffUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class StaffUserAdmin(UserAdmin):
    """Staff of the schema the site serves; roles are groups."""

    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "roles", "is_active", "last_login")
    list_filter = ("is_active", RoleFilter)
    search_fields = ("email", "full_name")
    filter_horizontal = ("groups",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name",)}),
        (_("Access"), {"fields": ("is_active", "is_staff", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(sorted(str(role_label(group.name)) for group in obj.groups.all())) or "—"


class RoleGroupAdmin(GroupAdmin):
    """Roles (groups named by their code), listed with the name people read."""

    list_display = ("role", "name")
    search_fields = ("name",)

    @admin.display(description=_("role"), ordering="name")
    def role(self, obj: Group) -> str:
        return str(role_label(obj.name))
