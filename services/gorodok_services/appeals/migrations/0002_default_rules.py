from django.db import migrations

# 59-FZ: register in 3 days, forward by competence in 7, unclear text noticed
# in 7, answer in 30, one extension by up to 30. 8-FZ information requests: 30 days, notice of delay
# in 7, extension by up to 15. Feedback platform messages: at most 10 days (check per region).
# Migration-law questions are forwarded within 5 days: a municipality adds a rule with that
# theme's classifier prefix (rules with a prefix win over the general one).
DEFAULTS = [
    {"kind": kind, "category_prefix": "", "register_days": 3, "forward_days": 7, "unclear_notice_days": 7,
     "answer_days": 30, "max_extension_days": 30}
    for kind in ("proposal", "statement", "complaint", "other")
] + [
    {"kind": "information_request", "category_prefix": "", "register_days": 3, "forward_days": 7,
     "unclear_notice_days": 7, "answer_days": 30, "max_extension_days": 15},
    {"kind": "platform_message", "category_prefix": "", "register_days": 1, "forward_days": 7,
     "unclear_notice_days": 7, "answer_days": 10, "max_extension_days": 0},
]


def seed(apps, schema_editor):
    if getattr(schema_editor.connection, "schema_name", "public") == "public":
        return
    Rule = apps.get_model("appeals", "DeadlineRule")
    Settings = apps.get_model("appeals", "AppealsSettings")
    for values in DEFAULTS:
        Rule.objects.get_or_create(kind=values["kind"], category_prefix=values["category_prefix"], defaults=values)
    if not Settings.objects.exists():
        Settings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
