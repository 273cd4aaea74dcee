import factory

from assistant.users import services
from assistant.users.models import User


class UserFactory(factory.django.DjangoModelFactory):
    """Users made the way the API makes them: through the registration service."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password = "correct horse battery staple"
    display_name = factory.Faker("first_name")
    timezone_name = "Europe/Paris"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.user_register(**kwargs)
