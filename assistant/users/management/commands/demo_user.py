import secrets

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from assistant.users import services
from assistant.users.models import Role, User

DEMO_EMAIL = "demo@example.com"


class Command(BaseCommand):
    help = "Create (or reset) a demo account with staff rights and print its credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", default=DEMO_EMAIL)

    @transaction.atomic
    def handle(self, *args: object, email: str, **options: object) -> None:
        password = secrets.token_urlsafe(12)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = services.user_register(email=email, password=password, display_name="Demo")
            if user is None:
                raise CommandError(f"{email} was registered meanwhile: run the command again.")
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        # Staff and admin roles so the demo account can also open /admin/.
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
        user.groups.add(*services.role_groups([Role.STAFF, Role.ADMIN]))
        self.stdout.write(
            self.style.SUCCESS("Demo account ready:") + f"\n  email:    {email}\n  password: {password}\n"
        )
