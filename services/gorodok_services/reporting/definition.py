"""A report template's content: sections of typed fields, validation rules and pre-fill sources.

A template version keeps its definition as a JSON document (the shape is below); this module checks a
definition before it is saved and checks the values a municipality enters against it. Values are kept
in JSON as the exact text of their number (money and percentages are Decimals, never floats)::

    {"sections": [{"title": "...", "fields": [
        {"code": "ict_spent", "label": "...", "type": "money", "unit": "thousand_rub", "required": true,
         "help": "...", "min": "0", "max": "100000", "source": "appeals.received",
         "choices": [{"value": "...", "label": "..."}], "multiple": false,
         "columns": [<field without columns>]}]}],
     "rules": [{"kind": "not_above", "field": "a", "other": "b"},
               {"kind": "sum_equals", "fields": ["a", "b"], "total": "c"}]}
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from graphlib import CycleError, TopologicalSorter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gorodok_services.reporting import error_codes

INTEGER, MONEY, PERCENT, TEXT, DATE, CHOICE, YESNO, TABLE = (
    "integer", "money", "percent", "text", "date", "choice", "yesno", "table")
FIELD_TYPES = (INTEGER, MONEY, PERCENT, TEXT, DATE, CHOICE, YESNO, TABLE)
NUMERIC_TYPES = (INTEGER, MONEY, PERCENT)
RUB, THOUSAND_RUB = "rub", "thousand_rub"
# Decimal places that keep a money value to the kopeck: roubles 2, thousands of roubles 5.
MONEY_PLACES = {RUB: 2, THOUSAND_RUB: 5}
PERCENT_PLACES = 2
NOT_ABOVE, SUM_EQUALS = "not_above", "sum_equals"
MAX_TEXT = 10_000
MAX_ROWS = 500
MAX_NUMBER = Decimal("1e15")


def _error(message, code, /, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    type: str
    required: bool = False
    help: str = ""
    unit: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    source: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    multiple: bool = False
    columns: tuple[Field, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    def choice_label(self, value: str) -> str:
        return self.choice_labels.get(value, value)

    @cached_property
    def choice_labels(self) -> dict[str, str]:
        """Each choice's label by its value."""
        return dict(self.choices)


@dataclass(frozen=True)
class Section:
    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Rule:
    kind: str
    field: str = ""
    other: str = ""
    fields: tuple[str, ...] = ()
    total: str = ""


@dataclass(frozen=True)
class Definition:
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...] = ()
    by_code: dict[str, Field] = field(default_factory=dict, compare=False)

    @property
    def fields(self) -> list[Field]:
        return [f for section in self.sections for f in section.fields]


def _number(raw, what: str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError, TypeError):
        raise _error(_("%(what)s is not a number."), error_codes.INVALID_DEFINITION, what=what) from None
    if not value.is_finite():
        raise _error(_("%(what)s is not a number."), error_codes.INVALID_DEFINITION, what=what)
    return value


def _parse_field(data, *, in_table: bool) -> Field:
    if not isinstance(data, dict):
        raise _error(_("A field must be an object."), error_codes.INVALID_DEFINITION)
    code = data.get("code")
    if not isinstance(code, str) or not code.isidentifier() or len(code) > 64:
        raise _error(_("A field code must be a short identifier: %(code)s."), error_codes.INVALID_DEFINITION,
                     code=str(code)[:80])
    kind = data.get("type")
    if kind not in FIELD_TYPES or (in_table and kind == TABLE):
        raise _error(_("Field %(code)s has an unknown type."), error_codes.INVALID_DEFINITION, code=code)
    label = data.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _error(_("Field %(code)s needs a label."), error_codes.INVALID_DEFINITION, code=code)
    unit = data.get("unit", RUB if kind == MONEY else "")
    if kind == MONEY and unit not in MONEY_PLACES:
        raise _error(_("Field %(code)s has an unknown money unit."), error_codes.INVALID_DEFINITION, code=code)
    bounds = {}
    for bound in ("min", "max"):
        if data.get(bound) is not None:
            if kind not in NUMERIC_TYPES:
                raise _error(_("Field %(code)s is not a number and cannot have bounds."),
                             error_codes.INVALID_DEFINITION, code=code)
            bounds[bound] = _number(data[bound], f"{code}.{bound}")
    choices = ()
    if kind == CHOICE:
        raw = data.get("choices") if isinstance(data.get("choices"), list) else []
        choices = tuple((str(c.get("value")), str(c.get("label"))) for c in raw if isinstance(c, dict))
        if not choices or len({value for value, _label in choices}) != len(choices):
            raise _error(_("Choice field %(code)s needs distinct choices."), error_codes.INVALID_DEFINITION,
                         code=code)
    columns = ()
    if kind == TABLE:
        raw = data.get("columns") if isinstance(data.get("columns"), list) else []
        columns = tuple(_parse_field(column, in_table=True) for column in raw)
        if not columns or len({c.code for c in columns}) != len(columns):
            raise _error(_("Table field %(code)s needs columns with distinct codes."),
                         error_codes.INVALID_DEFINITION, code=code)
    source = data.get("source") or ""
    if source:
        from gorodok_tenants.modules.report_sources import report_sources

        if kind not in NUMERIC_TYPES:
            raise _error(_("Only a number can be pre-filled: %(code)s."), error_codes.INVALID_DEFINITION, code=code)
        if source not in report_sources():
            raise _error(_("No module provides the report source %(source)s."), error_codes.UNKNOWN_SOURCE,
                         source=source)
    return Field(code=code, label=label.strip(), type=kind, required=bool(data.get("required")),
                 help=str(data.get("help") or ""), unit=unit, min=bounds.get("min"), max=bounds.get("max"),
                 source=source, choices=choices, multiple=bool(data.get("multiple")), columns=columns)


def _parse_rule(data, by_code: dict[str, Field]) -> Rule:
    if not isinstance(data, dict) or data.get("kind") not in (NOT_ABOVE, SUM_EQUALS):
        raise _error(_("A rule must be not_above or sum_equals."), error_codes.INVALID_DEFINITION)
    if data["kind"] == NOT_ABOVE:
        rule = Rule(kind=NOT_ABOVE, field=str(data.get("field")), other=str(data.get("other")))
        named = [rule.field, rule.other]
    else:
        parts = data.get("fields") or []
        if not isinstance(parts, list):
            raise _error(_("A sum rule needs the fields it adds up."), error_codes.INVALID_DEFINITION)
        rule = Rule(kind=SUM_EQUALS, fields=tuple(str(c) for c in parts), total=str(data.get("total")))
        named = [*rule.fields, rule.total]
        if not rule.fields:
            raise _error(_("A sum rule needs the fields it adds up."), error_codes.INVALID_DEFINITION)
    for code in named:
        if code not in by_code or not by_code[code].numeric:
            raise _error(_("A rule names %(code)s, which is not a number field of the template."),
                         error_codes.INVALID_DEFINITION, code=code)
    return rule


def parse_definition(data) -> Definition:
    """The checked definition, or a ValidationError saying what is wrong with it."""
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list) or not data["sections"]:
        raise _error(_("A template needs at least one section."), error_codes.INVALID_DEFINITION)
    sections = []
    by_code: dict[str, Field] = {}
    for raw_section in data["sections"]:
        if not isinstance(raw_section, dict) or not str(raw_section.get("title") or "").strip():
            raise _error(_("Each section needs a title."), error_codes.INVALID_DEFINITION)
        if not isinstance(raw_section.get("fields") or [], list):
            raise _error(_("A section's fields must be a list."), error_codes.INVALID_DEFINITION)
        fields = tuple(_parse_field(raw, in_table=False) for raw in raw_section.get("fields") or [])
        for f in fields:
            if f.code in by_code:
                raise _error(_("Field code %(code)s is used twice."), error_codes.INVALID_DEFINITION, code=f.code)
            by_code[f.code] = f
        sections.append(Section(title=str(raw_section["title"]).strip(), fields=fields))
    if not by_code:
        raise _error(_("A template needs at least one field."), error_codes.INVALID_DEFINITION)
    if not isinstance(data.get("rules") or [], list):
        raise _error(_("The rules must be a list."), error_codes.INVALID_DEFINITION)
    rules = tuple(_parse_rule(raw, by_code) for raw in data.get("rules") or [])
    # A rule relates a field to the ones it is checked against; a cycle (a ≤ b ≤ a, or a total among
    # its own parts) makes the rules say nothing a clerk could satisfy on purpose.
    graph: dict[str, set[str]] = {}
    for rule in rules:
        if rule.kind == NOT_ABOVE:
            graph.setdefault(rule.field, set()).add(rule.other)
        else:
            graph.setdefault(rule.total, set()).update(rule.fields)
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise _error(_("The validation rules go round in a circle: %(cycle)s."), error_codes.RULE_CYCLE,
                     cycle=" → ".join(exc.args[1])) from None
    return Definition(sections=tuple(sections), rules=rules, by_code=by_code)


# --- values -------------------------------------------------------------------------------------------------

def _value_error(f: Field, message, code, **params) -> ValidationError:
    return ValidationError({f.code: ValidationError(message, code=code, params=params or None)})


def _clean_number(f: Field, raw) -> str:
    if isinstance(raw, bool) or not isinstance(raw, int | str | Decimal | float):
        raise _value_error(f, _("Enter a number."), error_codes.INVALID_TYPE)
    try:
        value = Decimal(str(raw).strip().replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        raise _value_error(f, _("Enter a number."), error_codes.INVALID_TYPE) from None
    if not value.is_finite() or abs(value) >= MAX_NUMBER:
        raise _value_error(f, _("Enter a number."), error_codes.INVALID_TYPE)
    if f.type == INTEGER:
        if value != value.to_integral_value():
            raise _value_error(f, _("Enter a whole number."), error_codes.INVALID_TYPE)
        value = value.quantize(Decimal(1))
    elif f.type == MONEY:
        places = MONEY_PLACES[f.unit]
        quantum = Decimal(1).scaleb(-places)
        if value != value.quantize(quantum):
            raise _value_error(f, _("Money is kept to the kopeck: no fraction of a kopeck."),
                               error_codes.FRACTION_OF_KOPECK)
        value = value.quantize(quantum)
    else:  # percent
        quantum = Decimal(1).scaleb(-PERCENT_PLACES)
        if value != value.quantize(quantum):
            raise _value_error(f, _("A percentage has at most two decimal places."), error_codes.INVALID_TYPE)
        if not Decimal(0) <= value <= Decimal(100):
            raise _value_error(f, _("A percentage is between 0 and 100."), error_codes.OUT_OF_RANGE)
        value = value.quantize(quantum)
    if f.min is not None and value < f.min:
        raise _value_error(f, _("The value is below %(min)s."), error_codes.OUT_OF_RANGE, min=f.min)
    if f.max is not None and value > f.max:
        raise _value_error(f, _("The value is above %(max)s."), error_codes.OUT_OF_RANGE, max=f.max)
    return str(value)


def clean_value(f: Field, raw):
    """The value ``raw`` entered for ``f``, normalised for storage (None for empty)."""
    if raw is None or raw == "" or raw == []:
        return None
    if f.numeric:
        return _clean_number(f, raw)
    if f.type == TEXT:
        if not isinstance(raw, str):
            raise _value_error(f, _("Enter text."), error_codes.INVALID_TYPE)
        if len(raw) > MAX_TEXT:
            raise _value_error(f, _("The text is too long."), error_codes.OUT_OF_RANGE)
        return raw.strip() or None
    if f.type == DATE:
        if isinstance(raw, datetime.date) and not isinstance(raw, datetime.datetime):
            return raw.isoformat()
        try:
            return datetime.date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise _value_error(f, _("Enter a date as YYYY-MM-DD."), error_codes.INVALID_TYPE) from None
    if f.type == YESNO:
        if not isinstance(raw, bool):
            raise _value_error(f, _("Answer yes or no."), error_codes.INVALID_TYPE)
        return raw
    if f.type == CHOICE:
        values = raw if isinstance(raw, list) else [raw]
        allowed = {value for value, _label in f.choices}
        if (not f.multiple and len(values) != 1) or not all(isinstance(v, str) and v in allowed for v in values):
            raise _value_error(f, _("Choose from the list."), error_codes.INVALID_CHOICE)
        ordered = [value for value, _label in f.choices if value in values]
        return ordered if f.multiple else ordered[0]
    # table
    if not isinstance(raw, list) or len(raw) > MAX_ROWS or not all(isinstance(row, dict) for row in raw):
        raise _value_error(f, _("A table is a list of rows."), error_codes.INVALID_TYPE)
    rows = []
    known = {column.code for column in f.columns}
    for number, row in enumerate(raw, start=1):
        unknown = set(row) - known
        if unknown:
            raise _value_error(f, _("Row %(row)s has an unknown column %(column)s."), error_codes.UNKNOWN_FIELD,
                               row=number, column=sorted(unknown)[0])
        cleaned = {}
        for column in f.columns:
            try:
                value = clean_value(column, row.get(column.code))
            except ValidationError as exc:
                message = exc.message_dict[column.code][0]
                code = exc.error_dict[column.code][0].code
                raise _value_error(f, _("Row %(row)s, %(column)s: %(problem)s"), code, row=number,
                                   column=column.label, problem=message) from None
            if value is None and column.required:
                raise _value_error(f, _("Row %(row)s misses the required column %(column)s."),
                                   error_codes.REQUIRED, row=number, column=column.label)
            cleaned[column.code] = value
        rows.append(cleaned)
    return rows


def clean_values(definition: Definition, values: dict) -> dict:
    """Every value of ``values`` checked against its field (unknown codes refused); all errors at once."""
    if not isinstance(values, dict):
        raise ValidationError(_("Values must be an object."), code=error_codes.INVALID_TYPE)
    errors: dict[str, list] = {}
    cleaned = {}
    for code, raw in values.items():
        f = definition.by_code.get(code)
        if f is None:
            errors[str(code)[:80]] = [ValidationError(_("The template has no such field."),
                                                      code=error_codes.UNKNOWN_FIELD)]
            continue
        try:
            cleaned[code] = clean_value(f, raw)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_complete(definition: Definition, values: dict) -> None:
    """Required fields filled and every rule holds (a submission's check)."""
    errors: dict[str, list] = {}
    for f in definition.fields:
        if f.required and values.get(f.code) in (None, "", []):
            errors[f.code] = [ValidationError(_("This field is required."), code=error_codes.REQUIRED)]
    for rule in definition.rules:
        if rule.kind == NOT_ABOVE:
            a, b = values.get(rule.field), values.get(rule.other)
            if a is not None and b is not None and Decimal(a) > Decimal(b):
                errors.setdefault(rule.field, []).append(ValidationError(
                    _("%(field)s may not be above %(other)s."), code=error_codes.RULE_FAILED,
                    params={"field": definition.by_code[rule.field].label,
                            "other": definition.by_code[rule.other].label}))
        else:
            total = values.get(rule.total)
            parts = [values.get(code) for code in rule.fields]
            complete = total is not None and all(part is not None for part in parts)
            if complete and sum((Decimal(part) for part in parts), Decimal(0)) != Decimal(total):
                errors.setdefault(rule.total, []).append(ValidationError(
                    _("%(total)s must equal the sum of its parts."), code=error_codes.RULE_FAILED,
                    params={"total": definition.by_code[rule.total].label}))
    if errors:
        raise ValidationError(errors)
