import graphene

from gorodok_graphql.appeals.enums import AppealErrorCode, AppealQuestionResultEnum
from gorodok_graphql.appeals.lookup import appeal_from_global_id
from gorodok_graphql.appeals.mutations.payload import AppealPayload, reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import AppealError
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.services import appeal_answer


class AppealQuestionResultInput(graphene.InputObjectType):
    position = graphene.Int(required=True, description="The question's position in the appeal, from 1.")
    result = AppealQuestionResultEnum(required=True, description="A result of consideration on the merits.")


class AnswerAppeal(AppealPayload, BaseMutation):
    """Record the answer on the merits and each question's result (questions not listed: answer given)."""


    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")
        answer_text = graphene.String(required=True)
        results = graphene.List(graphene.NonNull(AppealQuestionResultInput))

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, answer_text, results=None):
        appeal = appeal_from_global_id(id)
        by_position = {item["position"]: enum_value(item["result"]) for item in results or []}
        appeal = appeal_answer(appeal=appeal, actor=info.context.user, answer_text=answer_text,
                               results=by_position)
        return cls(appeal=reloaded(appeal, info))
