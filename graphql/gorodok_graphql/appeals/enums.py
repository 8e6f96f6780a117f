import graphene

from gorodok_graphql.core.errors import error_code_enum
from gorodok_services.appeals import error_codes
from gorodok_services.appeals.models import (
    AppealForm,
    AppealKind,
    AppealStatus,
    ApplicantType,
    Channel,
    NoAnswerReason,
    QuestionResult,
)

AppealKindEnum = graphene.Enum.from_enum(
    AppealKind, name="AppealKind", description="What an appeal is: 59-FZ kinds, an 8-FZ request or a platform message."
)
AppealChannelEnum = graphene.Enum.from_enum(Channel, name="AppealChannel", description="How an appeal arrived.")
AppealFormEnum = graphene.Enum.from_enum(AppealForm, name="AppealForm", description="Written, electronic or oral.")
AppealStatusEnum = graphene.Enum.from_enum(
    AppealStatus, name="AppealStatus", description="Where an appeal is in its life."
)
AppealApplicantTypeEnum = graphene.Enum.from_enum(
    ApplicantType, name="AppealApplicantType", description="Who wrote: a person, an organisation or nobody named."
)
AppealNoAnswerReasonEnum = graphene.Enum.from_enum(
    NoAnswerReason, name="AppealNoAnswerReason", description="The grounds the law allows for no answer on the merits."
)
AppealQuestionResultEnum = graphene.Enum.from_enum(
    QuestionResult, name="AppealQuestionResult", description="The outcome of one question, as statistics count it."
)

# Every code the appeals services declare, plus the generic ones of input validation and lookups.
AppealErrorCode = error_code_enum("AppealErrorCode", error_codes, "Why a change to an appeal was refused.")


class AppealQueue(graphene.Enum):
    """A work queue of the back office: the same selector answers both."""

    MINE = "mine"
    WEEK = "week"
    OVERDUE = "overdue"
    UNASSIGNED = "unassigned"

    @property
    def description(self):
        return {
            "MINE": "Open appeals whose executor is the signed-in member of staff.",
            "WEEK": "Open appeals due by the end of this week (Sunday, in the municipality's time zone).",
            "OVERDUE": "Open appeals past their deadline.",
            "UNASSIGNED": "Open appeals without an executor.",
        }.get(self.name)
