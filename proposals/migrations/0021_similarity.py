"""Similar proposals (issue 21, item 4): the similarity index and the pairs marked 不相似."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0020_proposer_choices"),
    ]

    operations = [
        migrations.CreateModel(
            name="SimilarityDismissal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间")),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
                (
                    "other",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="proposals.proposal",
                        verbose_name="另一提案",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="proposals.proposal",
                        verbose_name="提案",
                    ),
                ),
            ],
            options={
                "verbose_name": "不相似标记",
                "verbose_name_plural": "不相似标记",
                "constraints": [
                    models.UniqueConstraint(fields=("proposal", "other"), name="similarity_dismissal_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("proposal__lt", models.F("other"))), name="similarity_dismissal_ordered"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SimilarityDocFreq",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("term", models.CharField(max_length=2, verbose_name="字符二元组")),
                ("df", models.PositiveIntegerField(default=0, verbose_name="文档频数")),
                (
                    "committee",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="proposals.committee",
                        verbose_name="政协委员会",
                    ),
                ),
            ],
            options={
                "verbose_name": "相似度文档频数",
                "verbose_name_plural": "相似度文档频数",
                "constraints": [models.UniqueConstraint(fields=("committee", "term"), name="similarity_df_unique")],
            },
        ),
        migrations.CreateModel(
            name="SimilarityTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("meeting_order", models.PositiveIntegerField(verbose_name="会议内排序")),
                ("term", models.CharField(max_length=2, verbose_name="字符二元组")),
                ("weight", models.FloatField(verbose_name="权重")),
                (
                    "committee",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="proposals.committee",
                        verbose_name="政协委员会",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="proposals.proposal",
                        verbose_name="提案",
                    ),
                ),
            ],
            options={
                "verbose_name": "相似度索引项",
                "verbose_name_plural": "相似度索引项",
                "indexes": [
                    models.Index(
                        fields=["committee", "term", "meeting_order", "proposal", "weight"],
                        name="similarity_term_lookup",
                    )
                ],
                "constraints": [models.UniqueConstraint(fields=("proposal", "term"), name="similarity_term_unique")],
            },
        ),
        migrations.CreateModel(
            name="SimilarityVector",
            fields=[
                (
                    "proposal",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="proposals.proposal",
                        verbose_name="提案",
                    ),
                ),
                ("text_key", models.CharField(max_length=32, verbose_name="文本摘要")),
                ("grams", models.TextField(blank=True, verbose_name="字符二元组")),
                ("indexed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="索引时间")),
                (
                    "committee",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="proposals.committee",
                        verbose_name="政协委员会",
                    ),
                ),
            ],
            options={
                "verbose_name": "相似度索引",
                "verbose_name_plural": "相似度索引",
                "indexes": [models.Index(fields=["committee", "proposal"], name="similarity_vector_committee")],
            },
        ),
    ]
