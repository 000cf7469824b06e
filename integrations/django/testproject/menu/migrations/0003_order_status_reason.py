from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('menu', '0002_extra_fields'),
    ]

    operations = [
        migrations.AddField(
            model_name='order',
            name='status_reason',
            field=models.TextField(blank=True, default=''),
        ),
    ]
