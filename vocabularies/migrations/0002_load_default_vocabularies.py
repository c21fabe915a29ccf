from django.db import migrations


def load_defaults(apps, schema_editor):
    from vocabularies.loader import load_default_vocabularies

    load_default_vocabularies(apps.get_model("vocabularies", "VocabularyEntry"))


class Migration(migrations.Migration):
    dependencies = [("vocabularies", "0001_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
