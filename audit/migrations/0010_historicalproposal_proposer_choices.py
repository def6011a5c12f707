# The versions of a proposal keep the proposer's publication choice (proposals 0020).

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0009_chinese_labels'),
        ('proposals', '0020_proposer_choices'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalproposal',
            name='publication_consent',
            field=models.BooleanField(default=True, verbose_name='是否同意公开'),
        ),
        migrations.AddField(
            model_name='historicalproposal',
            name='publication_refusal_reason',
            field=models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(1000)], verbose_name='不同意公开的理由'),
        ),
    ]
