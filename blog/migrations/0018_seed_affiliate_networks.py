from django.db import migrations

from blog.affiliates import seed_networks


def seed(apps, schema_editor):
    seed_networks(apps)


class Migration(migrations.Migration):
    dependencies = [("blog", "0017_sponsored")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
