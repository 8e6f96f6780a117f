import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.reporting.queries import _roles, _scopes
from gorodok_graphql.reporting.types import ReportCampaign, ReportError, ReportErrorCode, _actor
from gorodok_services.reporting import error_codes, services
from gorodok_services.reporting.models import Campaign, TemplateVersion
from gorodok_services.reporting.permissions import REGION_MANAGE

MAX_MUNICIPALITIES = 5000


def _version(template: str, version: int | None) -> TemplateVersion:
    versions = TemplateVersion.objects.select_related("template").filter(template__code=template)
    if version is None:
        found = versions.filter(published_at__isnull=False).order_by("-number").first()
    else:
        found = versions.filter(number=version).first() if version > 0 else None  # an Int is 32-bit
    if found is None:
        raise ValidationError({"template": ValidationError(_("No such published template version."),
                                                           code=error_codes.VERSION_NOT_PUBLISHED)})
    return found


def _municipalities(slugs: list[str]):
    from gorodok_tenants.models import Municipality

    if len(slugs) > MAX_MUNICIPALITIES:
        raise ValidationError({"municipalities": ValidationError(_("Too many municipalities."),
                                                                 code=error_codes.INVALID_AUDIENCE)})
    found = list(Municipality.objects.filter(slug__in=set(slugs)))
    if len(found) != len(set(slugs)):
        raise ValidationError({"municipalities": ValidationError(_("Unknown municipality."),
                                                                 code=error_codes.INVALID_AUDIENCE)})
    return found


class CreateReportCampaign(BaseMutation):
    """Send a published version of a template to municipalities for a period, with a deadline (the
    latest published version unless `version` is given); opened at once unless `open` is false."""

    campaign = graphene.Field(ReportCampaign)

    class Arguments:
        template = graphene.String(required=True, description="The template's code.")
        version = graphene.Int(description="The version's number; the latest published one by default.")
        title = graphene.String(required=True)
        period_start = graphene.Date(required=True)
        period_end = graphene.Date(required=True)
        deadline = graphene.Date(required=True)
        audience = graphene.String(default_value="all", description="all, kind or list.")
        audience_kind = graphene.String(description="With audience `kind`: urban_okrug, municipal_district, ...")
        municipalities = graphene.List(graphene.NonNull(graphene.String),
                                       description="With audience `list`: the municipalities' slugs.")
        open = graphene.Boolean(default_value=True)

    class Meta:
        error_type = ReportError
        code_enum = ReportErrorCode
        roles = _roles(REGION_MANAGE)
        scopes = _scopes(REGION_MANAGE)

    @classmethod
    def perform_mutation(cls, root, info, template, title, period_start, period_end, deadline, version=None,
                         audience="all", audience_kind="", municipalities=None, open=True):
        title = (title or "").strip()
        if not title or len(title) > Campaign._meta.get_field("title").max_length:
            raise ValidationError({"title": ValidationError(_("Give a title of up to 300 characters."),
                                                            code="invalid")})
        campaign = services.campaign_create(
            version=_version(template, version), title=title, period_start=period_start, period_end=period_end,
            deadline=deadline, audience=audience or "", audience_kind=audience_kind or "",
            municipalities=_municipalities(municipalities or []))
        if open:
            campaign = services.campaign_open(campaign=campaign, actor=_actor(info))
        return cls(campaign=Campaign.objects.select_related("version__template").get(pk=campaign.pk))
