from django.db import migrations


def load(apps, schema_editor):
    """Load the bundled subset again: it gained the migration-law topic (appeals' 5-day forwarding rule).
    Existing entries are updated in place, so this is safe where the full classifier was imported."""
    from gorodok_services.classifier.services import BUNDLED, _rows

    Entry = apps.get_model("classifier", "ClassifierEntry")
    ids = dict(Entry.objects.values_list("code", "id"))
    for _number, code, title in sorted(_rows(BUNDLED.read_text(encoding="utf-8")), key=lambda r: r[1]):
        if code in ids:
            continue
        parent = code.rsplit(".", 1)[0] if "." in code else None
        entry = Entry.objects.create(code=code, title=title, level=code.count(".") + 1, parent_id=ids.get(parent))
        ids[code] = entry.id


class Migration(migrations.Migration):
    dependencies = [("classifier", "0002_bundled_subset")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
