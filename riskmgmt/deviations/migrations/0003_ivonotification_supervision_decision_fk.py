"""The IVO notification's supervision decision becomes a real foreign key.

Before this, `supervision_decision_id` was a bare number: the supervision app did not exist, so
no stored value can name a decision. The column is dropped and recreated as a protected foreign
key (same column name); a notification already at "supervision_opened" keeps its status and
gets its decision linked again from the IVO panel.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('deviations', '0002_deviation_search_vector'),
        ('supervision', '0001_initial'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='historicalivonotification',
            name='supervision_decision_id',
        ),
        migrations.RemoveField(
            model_name='ivonotification',
            name='supervision_decision_id',
        ),
        migrations.AddField(
            model_name='historicalivonotification',
            name='supervision_decision',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='supervision.supervisiondecision', verbose_name='tillsynsärende'),
        ),
        migrations.AddField(
            model_name='ivonotification',
            name='supervision_decision',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ivo_notifications', to='supervision.supervisiondecision', verbose_name='tillsynsärende'),
        ),
    ]
