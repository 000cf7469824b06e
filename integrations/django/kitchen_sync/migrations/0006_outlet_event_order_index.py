from django.db import migrations, models


class Migration(migrations.Migration):
    """One order's events in log order, for the recall rule (outlet_had_central_changes), which
    otherwise read the outlet's whole log inside an upload's transaction."""

    dependencies = [("kitchen_sync", "0005_outlet_downlink_contact")]

    operations = [
        migrations.AddIndex(
            model_name="outletevent",
            index=models.Index(fields=["outlet_id", "order_id", "seq"], name="ks_outlet_event_order"),
        ),
    ]
