import assistant.core.fields
from django.db import migrations


class Migration(migrations.Migration):
    """The seed was already stored encrypted; the field now does it, so the column keeps its data."""

    dependencies = [("users", "0002_roles")]

    operations = [
        migrations.RenameField(model_name="totpdevice", old_name="encrypted_secret", new_name="secret"),
        migrations.AlterField(
            model_name="totpdevice", name="secret", field=assistant.core.fields.EncryptedTextField()
        ),
    ]
