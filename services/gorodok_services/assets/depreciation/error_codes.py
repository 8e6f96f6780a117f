"""Error codes the depreciation services raise (ValidationError.code); the API exposes them as an enum."""

INVALID_USEFUL_LIFE = "invalid_useful_life"
INVALID_COEFFICIENT = "invalid_coefficient"
INVALID_METHOD = "invalid_method"
FUTURE_MONTH = "future_month"
INVALID_MONTH_RANGE = "invalid_month_range"
RESIDUAL_KEPT_FROM_ACCOUNTING = "residual_kept_from_accounting"
ALREADY_REMOVED = "already_removed"
FUTURE_DATE = "future_date"
DUPLICATE = "duplicate"

ALL = [value for name, value in dict(globals()).items() if name.isupper()]
