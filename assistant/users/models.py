from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.timezone import now
from django_prometheus.models import ExportModelOperationsMixin
from knox.models import AbstractAuthToken

from assistant.core.fields import EncryptedTextField
from assistant.users.events import audit_action_choices, security_kind_choices
from assistant.users.validators import validate_e164, validate_timezone


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    CHAT = "chat", "Chat"


class Language(models.TextChoices):
    """The languages people are written to in (settings.LANGUAGES), named in themselves."""

    EN = "en", "English"
    FR = "fr", "Français"
    ES = "es", "Español"
    PT = "pt", "Português"


# Until a person's language is known (it is set at registration or from their first messages).
DEFAULT_LANGUAGE: str = Language.EN.value


class Role(models.TextChoices):
    """Roles are Django groups of these names (see roles.py for their permissions; other apps
    grant theirs from ready())."""

    USER = "user", "User"
    STAFF = "staff", "Staff"
    OPS = "ops", "Operations"
    ADMIN = "admin", "Administrator"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class User(ExportModelOperationsMixin("user"), AbstractBaseUser, PermissionsMixin):  # type: ignore[misc]
    email = models.EmailField("email address", unique=True, max_length=254)
    display_name = models.CharField(max_length=150, blank=True)
    # E.164 ("+33612345678"); NULL rather than "" for none. Unique only among verified numbers
    # (see Meta): a number belongs to whoever proves it, so claiming one unverified blocks nobody.
    phone_number = models.CharField(
        max_length=16, null=True, blank=True, db_index=True, validators=[validate_e164]
    )
    phone_verified = models.BooleanField(default=False)
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone], help_text="IANA time zone name"
    )
    preferred_channel = models.CharField(max_length=8, choices=Channel, default=Channel.CHAT)
    # "" until known: set at registration (asked, or the browser's Accept-Language) or from the
    # person's first messages; every text we send them is in it (see effective_language).
    language = models.CharField(
        max_length=8,
        choices=Language,
        blank=True,
        default="",
        help_text="en, fr, es or pt; empty until known (English is used meanwhile)",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=now)
    # Raised to sign every browser session out (a second factor turned on): it is part of the
    # session's auth hash, as the password is.
    session_generation = models.PositiveIntegerField(default=0, editable=False)
    # Set when support reset a lost second factor: until the person enrols a new one, their
    # sign-ins reach only the enrolment endpoints (access.MfaEnrolled).
    mfa_enrolment_required = models.BooleanField(default=False, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["id"]
        # Support actions staff take on a person's account (assistant/users/support.py), each
        # its own permission so a role can be given some and not others.
        permissions = [
            ("support_unlock", "Can unlock a locked-out account"),
            ("support_sign_out", "Can sign a person out everywhere"),
            ("support_mfa_reset", "Can reset a person's two-factor authentication"),
            ("support_deactivate", "Can deactivate an account"),
            ("support_reactivate", "Can reactivate an account"),
            ("support_phone_code_resend", "Can resend a phone verification code"),
            ("erase_user", "Can erase an account on its owner's written request"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_number"],
                condition=Q(phone_verified=True),
                name="user_verified_phone_number_unique",
                violation_error_message="This phone number is verified on another account.",
            )
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        # Forms submit "" for an empty number; NULL is what "no number" is stored as.
        self.phone_number = self.phone_number or None

    def get_session_auth_hash(self) -> str:
        return self._session_auth_hash(secret=None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=secret)

    def _session_auth_hash(self, *, secret: str | bytes | None) -> str:
        """Django's HMAC of the password, with the session generation in it once raised (at 0 it
        is Django's very hash, so sessions opened before this field stay valid)."""
        value = f"{self.password}:{self.session_generation}" if self.session_generation else self.password
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            value,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def effective_language(self) -> str:
        """The language to write to this person in: theirs, or English while it is not known."""
        return self.language or DEFAULT_LANGUAGE

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@")[0]


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class AuthToken(ExportModelOperationsMixin("auth_token"), AbstractAuthToken):  # type: ignore[misc]
    """knox's token (stored as a hash), instrumented like every other model."""

    class Meta:
        ordering = ["-created"]


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class TOTPDevice(ExportModelOperationsMixin("totp_device"), models.Model):  # type: ignore[misc]
    """A user's authenticator app. The seed is encrypted with the field-encryption keys."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = EncryptedTextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last accepted time step, so an observed code cannot be replayed.
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "TOTP device"

    def __str__(self) -> str:
        return f"TOTP for {self.user}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class MFABackupCode(ExportModelOperationsMixin("mfa_backup_code"), models.Model):  # type: ignore[misc]
    """A one-time code for signing in without the authenticator app. Only a salted HMAC of it is
    stored (the code itself is shown once); it goes with the device it was issued for."""

    device = models.ForeignKey(TOTPDevice, on_delete=models.CASCADE, related_name="backup_codes")
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "MFA backup code"

    def __str__(self) -> str:
        return f"backup code of {self.device.user} ({'used' if self.used_at else 'unused'})"


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class AuditEvent(ExportModelOperationsMixin("audit_event"), models.Model):  # type: ignore[misc]
    """Who did what to what, from where: the trail staff read when something is questioned."""

    class Action(models.TextChoices):
        """This app's actions; other apps register theirs (see events.py)."""

        REGISTER = "register"
        LOGIN = "login"
        LOGOUT = "logout"
        TOKEN_REVOKED = "token_revoked"
        PASSWORD_CHANGED = "password_changed"
        PASSWORD_RESET = "password_reset"
        PROFILE_UPDATED = "profile_updated"
        ROLE_ADDED = "role_added"
        ROLE_REMOVED = "role_removed"
        PERMISSION_ADDED = "permission_added"
        PERMISSION_REMOVED = "permission_removed"
        PRIVILEGE_FLAG_CHANGED = "privilege_flag_changed"
        MFA_ENABLED = "mfa_enabled"
        MFA_DISABLED = "mfa_disabled"
        MFA_BACKUP_CODE_USED = "mfa_backup_code_used"
        MFA_BACKUP_CODES_REGENERATED = "mfa_backup_codes_regenerated"
        ADMIN_CHANGE = "admin_change"
        DATA_EXPORT = "data_export"
        # Staff's support actions on an account (the actor is the staff member).
        SUPPORT_UNLOCK = "support_unlock"
        SUPPORT_SIGN_OUT = "support_sign_out"
        SUPPORT_MFA_RESET = "support_mfa_reset"
        SUPPORT_DEACTIVATE = "support_deactivate"
        SUPPORT_REACTIVATE = "support_reactivate"
        SUPPORT_PHONE_CODE_RESEND = "support_phone_code_resend"
        ACCOUNT_ERASED = "account_erased"

    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    action = models.CharField(max_length=32, choices=audit_action_choices, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # Set when the person was erased: a keyed one-way hash of their id (data_rights.subject_hash)
    # instead of the link, the address and the details.
    subject_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id or 'system'} on {self.target_repr or '-'}"


# The mixin is a class django-prometheus makes at run time: no static base for mypy.
class SecurityEvent(ExportModelOperationsMixin("security_event"), models.Model):  # type: ignore[misc]
    """Something a defender should know about: failures, lockouts, forgeries, denials."""

    class Kind(models.TextChoices):
        """This app's kinds; other apps register theirs (see events.py)."""

        LOGIN_FAILED = "login_failed"
        MFA_FAILED = "mfa_failed"
        LOCKOUT = "lockout"
        INVALID_TOKEN = "invalid_token"
        ACCESS_DENIED = "access_denied"
        FORGED_REQUEST = "forged_request"
        PASSWORD_RESET_LIMITED = "password_reset_limited"

    class Severity(models.TextChoices):
        INFO = "info"
        WARNING = "warning"
        CRITICAL = "critical"

    kind = models.CharField(max_length=32, choices=security_kind_choices, db_index=True)
    severity = models.CharField(max_length=16, choices=Severity, db_index=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="security_events"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # Set when the person was erased: a keyed one-way hash of their id (data_rights.subject_hash)
    # instead of the link, the address and the details.
    subject_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.severity} {self.kind}"
