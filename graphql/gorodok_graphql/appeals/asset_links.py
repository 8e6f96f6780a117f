"""Appeals and the register objects they concern, in the tenant API: the ``appeals`` of an object
(``Asset.appeals``, for those who may read appeals) and ``assetsByAppeals``, the objects with the most
appeals in a period. Both read through the appeals selectors with a fixed number of queries, however
many objects a page lists."""

from __future__ import annotations

from datetime import date

import graphene
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from gorodok_graphql.appeals.permissions import MODULE, check_can_read_statistics
from gorodok_graphql.assets.permissions import MODULE as ASSETS_MODULE
from gorodok_graphql.assets.permissions import check_can_read_assets
from gorodok_graphql.core.dataloaders import get_loader, then
from gorodok_graphql.core.fields import decode_cursor, encode_cursor, invalid_cursor, total_count_requested
from gorodok_graphql.core.limits import register_field_cost
from gorodok_graphql.core.permissions import check_module, module_required, request_actor
from gorodok_services.appeals.models import Appeal as AppealModel
from gorodok_services.appeals.models import Question
from gorodok_services.appeals.permissions import READ, appeals_permit
from gorodok_services.appeals.selectors import MAX_TOP, appeal_list, assets_by_appeals
from gorodok_services.assets.permissions import READ as ASSETS_READ
from gorodok_services.assets.permissions import assets_permit
from gorodok_services.assets.selectors import asset_list
from gorodok_tenants.modules import module_enabled
from graphql import GraphQLError

MAX_PERIOD_DAYS = 3660
DEFAULT_PAGE = 10
MAX_PAGE = 100
# Appeals of an object: newest received first, as every list of appeals.
ORDERING = [(AppealModel._meta.get_field("received_at"), True), (AppealModel._meta.pk, True)]


def may_read_appeals(info) -> bool:
    request = info.context
    return module_enabled(getattr(request, "tenant", None), MODULE) and appeals_permit(request_actor(request), READ)


def may_read_assets(info) -> bool:
    request = info.context
    return module_enabled(getattr(request, "tenant", None), ASSETS_MODULE) and assets_permit(
        request_actor(request), ASSETS_READ)


# --- the appeals of each object of a page, in a fixed number of queries ---------------------------------

def _page_size(first) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0:
        raise GraphQLError(_("`%(arg)s` must not be negative.") % {"arg": "first"},
                           extensions={"code": "INVALID_PAGE_SIZE"})
    if first > MAX_PAGE:
        raise GraphQLError(_("`%(arg)s` may be at most %(limit)d.") % {"arg": "first", "limit": MAX_PAGE},
                           extensions={"code": "PAGE_SIZE_EXCEEDED", "maxPageSize": MAX_PAGE})
    return first


def _batch(first: int, after: list | None, count: bool):
    def load(asset_ids: list[int]) -> list:
        # One question per appeal and object (the first), ranked per object by the appeal's order.
        earlier = Question.objects.filter(appeal=OuterRef("appeal"), asset=OuterRef("asset"),
                                          position__lt=OuterRef("position"))
        questions = Question.objects.filter(asset_id__in=asset_ids).filter(~Exists(earlier))
        if after is not None:
            received_at, pk = after
            questions = questions.filter(Q(appeal__received_at__lt=received_at)
                                         | Q(appeal__received_at=received_at, appeal_id__lt=pk))
        ranked = (questions.annotate(rank=Window(RowNumber(), partition_by=[F("asset_id")],
                                                 order_by=[F("appeal__received_at").desc(), F("appeal_id").desc()]))
                  .filter(rank__lte=first + 1).values_list("asset_id", "appeal_id", "rank"))
        pairs = list(ranked)
        appeals = appeal_list().in_bulk({appeal_id for _, appeal_id, _ in pairs}) if pairs else {}
        totals = {}
        if count:
            totals = dict(Question.objects.filter(asset_id__in=asset_ids).values("asset_id")
                          .annotate(n=Count("appeal_id", distinct=True)).values_list("asset_id", "n"))
        grouped: dict[int, list] = {}
        for asset_id, appeal_id, _rank in sorted(pairs, key=lambda row: (row[0], row[2])):
            grouped.setdefault(asset_id, []).append(appeals[appeal_id])
        return [(grouped.get(pk, []), totals.get(pk, 0)) for pk in asset_ids]

    return load


def resolve_asset_appeals(root, info, first=None, after=None):
    """``Asset.appeals``: null unless the caller may read appeals."""
    from gorodok_graphql.appeals.types import Appeal

    if not may_read_appeals(info):
        return None
    size = _page_size(first)
    values = decode_cursor(after, ORDERING, "after") if after is not None else None
    if isinstance(values, int):  # an offset cursor: not a cursor of this list
        raise invalid_cursor("after")
    count = total_count_requested(info)
    name = f"asset_appeals:{size}:{after or ''}:{int(count)}"
    loader = get_loader(info.context, name, _batch(size, values, count))
    connection = Appeal._meta.connection

    def build(result):
        rows, total = result
        page = rows[:size]
        edges = [connection.Edge(node=row, cursor=encode_cursor(row, ORDERING)) for row in page]
        built = connection(edges=edges, page_info=graphene.relay.PageInfo(
            start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=after is not None, has_next_page=len(rows) > size))
        built.length = total if count else None
        built.iterable = page
        return built

    return then(loader.load(root.pk), build)


# --- objects with the most appeals --------------------------------------------------------------------

class AssetAppealCount(graphene.ObjectType):
    """A register object and how many questions (and appeals) of a period concern it."""

    asset = graphene.Field("gorodok_graphql.assets.types.Asset", required=True)
    register_number = graphene.String(required=True)
    name = graphene.String(required=True)
    address = graphene.String()
    questions = graphene.Int(required=True, description="Questions about the object (the statistics' unit).")
    appeals = graphene.Int(required=True, description="Appeals with at least one such question.")


def assets_by_appeals_cost(argument) -> int:
    try:
        days = (date.fromisoformat(str(argument("dateTo"))) - date.fromisoformat(str(argument("dateFrom")))).days
    except (TypeError, ValueError):
        days = MAX_PERIOD_DAYS
    return 500 + min(max(days, 0), MAX_PERIOD_DAYS) // 10


register_field_cost("Query", "assetsByAppeals", assets_by_appeals_cost)


class AssetAppealsQueries(graphene.ObjectType):
    assets_by_appeals = graphene.List(
        graphene.NonNull(AssetAppealCount), required=True,
        date_from=graphene.Date(required=True), date_to=graphene.Date(required=True),
        classifier_section=graphene.String(description="Only questions of this classifier section, e.g. 0005 "
                                                       "(housing and utilities), or a longer code beginning."),
        first=graphene.Int(description=f"How many objects (default 10, at most {MAX_TOP})."),
        description="The register objects with the most appeal questions received in the period (local dates, "
                    "inclusive), most first: where to repair first. Needs appeals statistics and the register.",
    )

    @module_required(MODULE)
    def resolve_assets_by_appeals(root, info, date_from, date_to, classifier_section=None, first=None):
        check_module(info.context, ASSETS_MODULE)
        check_can_read_statistics(info)
        check_can_read_assets(info)
        if (date_to - date_from).days > MAX_PERIOD_DAYS:
            raise GraphQLError(_("The period is at most ten years."), extensions={"code": "INVALID_PERIOD"})
        section = (classifier_section or "").strip() or None
        try:
            rows = assets_by_appeals(date_from=date_from, date_to=date_to, section=section,
                                     limit=DEFAULT_PAGE if first is None else first)
        except ValidationError as error:
            code = "INVALID_PERIOD" if "date_to" in getattr(error, "error_dict", {}) else "INVALID_INPUT"
            raise GraphQLError("; ".join(error.messages), extensions={"code": code}) from error
        assets = asset_list().in_bulk([row.asset_id for row in rows])
        return [AssetAppealCount(asset=assets[row.asset_id], register_number=row.register_number, name=row.name,
                                 address=row.address or None, questions=row.questions, appeals=row.appeals)
                for row in rows]
