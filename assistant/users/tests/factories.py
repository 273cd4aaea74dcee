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
        # Verification is the SMS app's job; tests that need a verified phone say so.
        phone_verified = kwargs.pop("phone_verified", False)
        user = services.user_register(**kwargs)
        assert user is not None, f"{kwargs.get('email')} has an account already"
        if phone_verified:
            user.phone_verified = True
            user.save(update_fields=["phone_verified"])
        return user
