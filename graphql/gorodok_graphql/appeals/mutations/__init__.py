import graphene

from gorodok_graphql.appeals.mutations.answer_appeal import AnswerAppeal
from gorodok_graphql.appeals.mutations.assign_appeal import AssignAppeal
from gorodok_graphql.appeals.mutations.close_appeal import CloseAppeal
from gorodok_graphql.appeals.mutations.extend_appeal import ExtendAppeal
from gorodok_graphql.appeals.mutations.forward_appeal import ForwardAppeal
from gorodok_graphql.appeals.mutations.leave_appeal_without_answer import LeaveAppealWithoutAnswer
from gorodok_graphql.appeals.mutations.link_appeal_asset import LinkAppealAsset
from gorodok_graphql.appeals.mutations.mark_appeal_considered_on_site import MarkAppealConsideredOnSite
from gorodok_graphql.appeals.mutations.receive_appeal import ReceiveAppeal
from gorodok_graphql.appeals.mutations.receive_appeal_clarification import ReceiveAppealClarification
from gorodok_graphql.appeals.mutations.register_appeal import RegisterAppeal
from gorodok_graphql.appeals.mutations.request_appeal_clarification import RequestAppealClarification
from gorodok_graphql.appeals.mutations.take_appeal_under_control import TakeAppealUnderControl
from gorodok_graphql.appeals.mutations.unlink_appeal_asset import UnlinkAppealAsset


class AppealMutations(graphene.ObjectType):
    receive_appeal = ReceiveAppeal.Field()
    register_appeal = RegisterAppeal.Field()
    assign_appeal = AssignAppeal.Field()
    extend_appeal = ExtendAppeal.Field()
    forward_appeal = ForwardAppeal.Field()
    answer_appeal = AnswerAppeal.Field()
    close_appeal = CloseAppeal.Field()
    leave_appeal_without_answer = LeaveAppealWithoutAnswer.Field()
    request_appeal_clarification = RequestAppealClarification.Field()
    receive_appeal_clarification = ReceiveAppealClarification.Field()
    take_appeal_under_control = TakeAppealUnderControl.Field()
    mark_appeal_considered_on_site = MarkAppealConsideredOnSite.Field()
    link_appeal_asset = LinkAppealAsset.Field()
    unlink_appeal_asset = UnlinkAppealAsset.Field()
