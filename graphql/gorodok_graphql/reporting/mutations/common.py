"""What the reporting mutations share."""

from gorodok_graphql.reporting.types import _actor
from gorodok_services.reporting import services


def _submission(campaign_id: int, info):
    return services.submission_start(campaign_id=campaign_id, actor=_actor(info))
