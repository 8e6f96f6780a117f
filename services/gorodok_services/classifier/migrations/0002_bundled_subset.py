from django.db import migrations


def load(apps, schema_editor):
    from gorodok_services.classifier.services import BUNDLED, _rows

    Entry = apps.get_model("classifier", "ClassifierEntry")
    ids = {}
    for _number, code, title in sorted(_rows(BUNDLED.read_text(encoding="utf-8")), key=lambda r: r[1]):
        parent = code.rsplit(".", 1)[0] if "." in code else None
        entry, _ = Entry.objects.update_or_create(
            code=code, defaults={"title": title, "level": code.count(".") + 1, "parent_id": ids.get(parent)})
        ids[code] = entry.id


class Migration(migrations.Migration):
    dependencies = [("classifier", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
