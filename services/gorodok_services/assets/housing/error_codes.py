"""Error codes the housing and utilities services raise (ValidationError.code); the API exposes them as
an enum."""

WRONG_ASSET_KIND = "wrong_asset_kind"
ALREADY_REMOVED = "already_removed"
NOT_A_BUILDING = "not_a_building"
WEAR_OUT_OF_RANGE = "wear_out_of_range"
YEAR_OUT_OF_RANGE = "year_out_of_range"
LIVING_ABOVE_TOTAL = "living_above_total"
BELOW_ONE = "below_one"
NEGATIVE_VALUE = "negative_value"
DECISION_REQUIRED = "decision_required"
NOT_EMERGENCY = "not_emergency"
FUTURE_DATE = "future_date"
INVALID_DATES = "invalid_dates"
NETWORK_FIELDS_ON_FACILITY = "network_fields_on_facility"
FACILITY_FIELDS_ON_NETWORK = "facility_fields_on_network"
UNIT_REQUIRED = "unit_required"
INVALID_BANDS = "invalid_bands"

ALL = [value for name, value in dict(globals()).items() if name.isupper()]
