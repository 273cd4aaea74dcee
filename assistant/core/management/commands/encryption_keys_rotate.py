from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction

from assistant.core.crypto import reencrypt
from assistant.core.fields import EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt every EncryptedTextField under the newest key of FIELD_ENCRYPTION_KEYS. "
        "Prepend the new key, deploy, run this, then drop the old key."
    )

    def handle(self, *args: object, **options: object) -> None:
        for model in apps.get_models():
            for field in model._meta.fields:
                if isinstance(field, EncryptedTextField):
                    count = self._rotate(model, field)
                    self.stdout.write(f"{model._meta.label}.{field.name}: {count} value(s) re-encrypted")

    @staticmethod
    def _rotate(model: type[models.Model], field: EncryptedTextField) -> int:
        """Rewrite the raw column: the field's own conversion would decrypt and re-encrypt too,
        but MultiFernet.rotate keeps each token's timestamp and never exposes the secret."""
        table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
        # Concrete fields have a column.
        assert column is not None
        assert pk is not None
        quote = connection.ops.quote_name
        select = f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} WHERE {quote(column)} IS NOT NULL"  # noqa: S608
        update = f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s"  # noqa: S608
        count = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(select)
            for row_id, ciphertext in cursor.fetchall():
                with connection.cursor() as writer:
                    writer.execute(update, [reencrypt(ciphertext), row_id])
                count += 1
        return count
