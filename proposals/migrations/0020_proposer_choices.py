# The proposer's choices on the proposal form (issue 21, item 6): suggested agencies and
# publication consent with a reason.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0019_member_name_initials'),
    ]

    operations = [
        migrations.AddField(
            model_name='proposal',
            name='publication_consent',
            field=models.BooleanField(default=True, verbose_name='是否同意公开'),
        ),
        migrations.AddField(
            model_name='proposal',
            name='publication_refusal_reason',
            field=models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(1000)], verbose_name='不同意公开的理由'),
        ),
        migrations.AddField(
            model_name='proposal',
            name='suggested_agencies',
            field=models.ManyToManyField(blank=True, related_name='suggested_in', to='proposals.agency', verbose_name='建议承办单位'),
        ),
    ]
