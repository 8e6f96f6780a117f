"""Error codes the stock-taking services raise (ValidationError.code); the API exposes them as an enum."""

CAMPAIGN_CLOSED = "campaign_closed"
ALREADY_MARKED = "already_marked"
NOT_MARKED = "not_marked"
OUTSIDE_CAMPAIGN = "outside_campaign"
PLACE_REQUIRED = "place_required"
REASON_REQUIRED = "reason_required"
INVALID_DATES = "invalid_dates"
EMPTY_SCOPE = "empty_scope"
NOT_REAL_ESTATE = "not_real_estate"
NUMBER_REQUIRED = "number_required"

ALL = [value for name, value in dict(globals()).items() if name.isupper()]
