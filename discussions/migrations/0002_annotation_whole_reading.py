from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="annotation",
            name="whole_reading",
            field=models.BooleanField(default=False),
        ),
        migrations.AddConstraint(
            model_name="annotation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("whole_reading", False), ("start__isnull", True), _connector="OR"
                ),
                name="annotation_whole_reading_has_no_words",
            ),
        ),
    ]
