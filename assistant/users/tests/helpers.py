import pyotp
from django.utils import timezone
from rest_framework.test import APIClient

from assistant.users import services
from assistant.users.models import AuthToken, User

# The factory's default password (the `password` fixture).
DEFAULT_PASSWORD = "correct horse battery staple"


def enable_totp(user: User, password: str = DEFAULT_PASSWORD) -> pyotp.TOTP:
    """Enrol and confirm an authenticator for user; returns it so tests can make codes."""
    totp, _ = enable_totp_with_backup_codes(user, password)
    return totp


def enable_totp_with_backup_codes(
    user: User, password: str = DEFAULT_PASSWORD
) -> tuple[pyotp.TOTP, list[str]]:
    secret, _ = services.mfa_totp_enrol(user=user, password=password, ip=None)
    totp = pyotp.TOTP(secret)
    # As if confirmed from the newest session (a test's signed-in client): it stays signed in.
    newest = AuthToken.objects.filter(user=user).order_by("-created").first()
    codes = services.mfa_totp_confirm(user=user, code=totp.now(), current_token=newest, ip=None)
    return totp, codes


def fresh_code(totp: pyotp.TOTP, steps_ahead: int = 1) -> str:
    """A valid code not used yet: codes are single-use, so take the next time step's."""
    return totp.at(timezone.now(), counter_offset=steps_ahead)


def sign_in(email: str, password: str) -> APIClient:
    """A client signed in through the real login endpoint, carrying its bearer token."""
    client = APIClient()
    response = client.post("/api/v1/auth/login", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return client
