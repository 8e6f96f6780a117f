import graphene

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import AssetError, AssetImport
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.core.uploads import file_from_base64
from gorodok_services.assets.import_jobs import asset_import_start


class AssetImportColumnInput(graphene.InputObjectType):
    header = graphene.String(required=True, description="A column header of the file's first row.")
    field = graphene.String(required=True, description='A field code (see docs/integrators.md), or "" to ignore '
                                                       "the column.")


class StartAssetImport(BaseMutation):
    """Import a register spreadsheet (XLSX, or CSV in UTF-8 or cp1251) as a background job; follow it
    with the assetImport query. The file is checked before it is queued: unreadable, wrong encoding,
    unknown or missing columns are errors here. Every row is then checked before anything is written."""

    asset_import = graphene.Field(AssetImport)

    class Arguments:
        file_name = graphene.String(required=True, description="With its extension: .xlsx or .csv.")
        file = graphene.String(required=True, description="The file's content, base64. The request body is bounded "
                                                          "(GRAPHQL_MAX_BODY_BYTES); larger files go through the back "
                                                          "office or the management command.")
        mapping = graphene.List(graphene.NonNull(AssetImportColumnInput),
                                description="Columns whose headers are not recognised, or to ignore.")

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, file_name, file, mapping=None):
        columns = {item["header"]: item["field"] for item in mapping or ()}
        row = asset_import_start(upload=file_from_base64(file, file_name), filename=file_name, mapping=columns,
                                 actor=info.context.user, source="api")
        return cls(asset_import=row)
