"""Depreciation in the tenant API: an object's figures for a month, the municipality's totals, and the
error type of the refresh of residual values."""

from __future__ import annotations

import graphene

from gorodok_graphql.core.errors import error_code_enum, error_type
from gorodok_services.assets.depreciation import error_codes

AssetDepreciationErrorCode = error_code_enum(
    "AssetDepreciationErrorCode", error_codes, "Why a depreciation request was refused.")
AssetDepreciationError = error_type("AssetDepreciationError", AssetDepreciationErrorCode,
                                    "Why a depreciation request was refused.")


class AssetNetBookValue(graphene.ObjectType):
    """An object's depreciation for a month: the month's charge and the net book value at its end, in
    roubles with kopecks (accumulated depreciation rounded half up to kopecks)."""

    month = graphene.Date(required=True, description="The first day of the month.")
    depreciation = graphene.Decimal(required=True, description="Depreciation charged in the month.")
    net_book_value = graphene.Decimal(required=True, description="The net book value at the month's end.")


class AssetDepreciationSummary(graphene.ObjectType):
    """The municipality's depreciation for a month, over every object with depreciation terms."""

    month = graphene.Date(required=True, description="The first day of the month.")
    objects = graphene.Int(required=True, description="Objects depreciated (on the books in the month).")
    balance_value = graphene.Decimal(required=True, description="Their balance value.")
    depreciation = graphene.Decimal(required=True, description="Depreciation charged in the month.")
    net_book_value = graphene.Decimal(required=True, description="The net book value at the month's end.")
