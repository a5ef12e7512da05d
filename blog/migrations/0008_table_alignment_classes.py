"""HTML stored before the Content-Security-Policy aligned table cells with style="…", which the
policy now blocks: give those cells the classes rendering now produces. A pure rewrite of the
stored HTML (the pattern is frozen here), so no text is rendered again."""

import re

from django.db import migrations

ALIGN_STYLE = re.compile(
    r'<(t[hd])((?:\s+[a-z-]+="[^"]*")*?) style="text-align: (left|right|center);"'
)
FIELDS = [
    ("blog", "Post", "body_html"),
    ("blog", "FAQ", "answer_html"),
    ("accounts", "User", "bio_html"),
]


def align_with_classes(apps, schema_editor):
    for app_label, model_name, field in FIELDS:
        model = apps.get_model(app_label, model_name)
        rows = model.objects.filter(**{f"{field}__contains": 'style="text-align:'})
        for pk, html in rows.values_list("pk", field).iterator():
            fixed = ALIGN_STYLE.sub(r'<\1\2 class="align-\3"', html)
            model.objects.filter(pk=pk).update(**{field: fixed})


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0007_markdown_limits"),
        ("accounts", "0004_bio_markdown_limits"),
    ]

    operations = [migrations.RunPython(align_with_classes, migrations.RunPython.noop)]
