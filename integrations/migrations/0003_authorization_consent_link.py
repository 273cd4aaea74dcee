from django.db import migrations, models


def pending_authorizations_drop(apps, schema_editor):
    """Links made before consent pages existed lead straight to the provider: they must not
    work any more (they expire within minutes anyway; whoever was connecting starts again)."""
    apps.get_model("integrations", "AuthorizationRequest").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_preferences"),
    ]

    operations = [
        migrations.RunPython(pending_authorizations_drop, migrations.RunPython.noop),
        migrations.AddField(
            model_name="authorizationrequest",
            name="link_hash",
            field=models.CharField(
                default="", help_text="SHA-256 of the link's token", max_length=64, unique=True
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="authorizationrequest",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="authorizationrequest",
            name="state",
            field=models.CharField(blank=True, max_length=128, null=True, unique=True),
        ),
    ]
