import graphene

from gorodok_services.assets import error_codes
from gorodok_services.assets.models import (
    AssetKind,
    AssetStatus,
    DocumentKind,
    DocumentRole,
    EncumbranceKind,
    HolderKind,
    ImportStatus,
    LifecycleStatus,
    RightType,
    Section,
)

AssetSectionEnum = graphene.Enum.from_enum(
    Section, name="AssetSection", description="Section 1 (real estate) or 2 (movable property, shares and stakes).")
AssetKindEnum = graphene.Enum.from_enum(AssetKind, name="AssetKind", description="The kind of a register object.")
AssetRightTypeEnum = graphene.Enum.from_enum(
    RightType, name="AssetRightType", description="The right the holder has to the object.")
AssetStatusEnum = graphene.Enum.from_enum(
    AssetStatus, name="AssetStatus", description="In the register, or removed from it (with a basis document).")
AssetLifecycleStatusEnum = graphene.Enum.from_enum(
    LifecycleStatus, name="AssetLifecycleStatus",
    description="Where an object is in its working life (in use, in reserve, under repair, ...).")
AssetHolderKindEnum = graphene.Enum.from_enum(
    HolderKind, name="AssetHolderKind", description="What kind of organisation a right holder is.")
AssetDocumentRoleEnum = graphene.Enum.from_enum(
    DocumentRole, name="AssetDocumentRole",
    description="Whether a document is the basis of acquiring or ending a right.")
AssetDocumentKindEnum = graphene.Enum.from_enum(
    DocumentKind, name="AssetDocumentKind", description="A document's kind.")
AssetEncumbranceKindEnum = graphene.Enum.from_enum(
    EncumbranceKind, name="AssetEncumbranceKind", description="The kind of an encumbrance (restriction) of an object.")

AssetImportStatusEnum = graphene.Enum.from_enum(
    ImportStatus, name="AssetImportStatus",
    description="Where a register import is: queued, running (checking every row, then writing), done, failed.")

# Every code the assets services raise, plus the generic ones of input validation and lookups.
GENERIC_ERROR_CODES = ("INVALID", "REQUIRED", "NOT_FOUND", "INVALID_CHOICE", "MAX_LENGTH")
ERROR_CODES = tuple(dict.fromkeys([*GENERIC_ERROR_CODES, *(code.upper() for code in error_codes.ALL)]))

AssetErrorCode = graphene.Enum(
    "AssetErrorCode", [(code, code) for code in ERROR_CODES],
    description="Why a change to the property register was refused.",
)
