"""The audit actions and security-event kinds that may be recorded: users' own, and those
the apps above it register from their AppConfig.ready().

`AuditEvent.action` and `SecurityEvent.kind` take their choices from here through a callable,
so the admin shows every label and validation accepts every registered value, while an app
that adds a kind never changes (or migrates) this one. The stored strings are also the
`action` and `kind` labels of `audit_log_total` and `security_event_total`.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models

_audit_actions: dict[str, str] = {}
_security_kinds: dict[str, str] = {}


def _register(registry: dict[str, str], choices: type[models.TextChoices], what: str) -> None:
    # Registering the same values again is harmless; one value meaning two things is not.
    clashes = [value for value, label in choices.choices if registry.get(value, label) != label]
    if clashes:
        raise ImproperlyConfigured(f"{choices.__qualname__} registers the {what}s {clashes} again.")
    registry.update(choices.choices)


def audit_actions_register(choices: type[models.TextChoices]) -> None:
    """Let these actions be recorded with `audit_event_record` (values of at most 32 characters)."""
    _register(_audit_actions, choices, "audit action")


def security_kinds_register(choices: type[models.TextChoices]) -> None:
    """Let these kinds be recorded with `security_event_record` (values of at most 32 characters)."""
    _register(_security_kinds, choices, "security event kind")


# The two *_choices functions are named in migrations (0006): keep them, under these names.
def audit_action_choices() -> list[tuple[str, str]]:
    return list(_audit_actions.items())


def security_kind_choices() -> list[tuple[str, str]]:
    return list(_security_kinds.items())


def audit_action_is_registered(action: str) -> bool:
    return action in _audit_actions


def security_kind_is_registered(kind: str) -> bool:
    return kind in _security_kinds
