import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.appeals.lookup import appeal_from_global_id, department_from_global_id
from gorodok_graphql.appeals.mutations.payload import AppealPayload, reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import AppealError
from gorodok_graphql.core.errors import in_input_terms
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_platform.accounts.models import User
from gorodok_services.appeals.services import appeal_assign


class AssignAppeal(AppealPayload, BaseMutation):
    """Route a registered appeal to a department, an executor or both; it is then in progress."""


    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")
        department_id = graphene.ID(description="Global ID of the department.")
        executor_email = graphene.String(description="E-mail of the member of staff who prepares the answer.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, department_id=None, executor_email=None):
        appeal = appeal_from_global_id(id)
        department = department_from_global_id(department_id) if department_id else None
        executor = None
        if executor_email and executor_email.strip():
            executor = User.objects.filter(email__iexact=executor_email.strip()).first()
            if executor is None:
                raise ValidationError({"executor_email": ValidationError(
                    _("No member of staff with this e-mail."), code="not_found")})
        try:
            appeal = appeal_assign(appeal=appeal, actor=info.context.user, department=department, executor=executor)
        except ValidationError as error:
            raise in_input_terms(error, {"executor": "executor_email", "department": "department_id"}) from error
        return cls(appeal=reloaded(appeal, info))
