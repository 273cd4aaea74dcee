from smtplib import SMTPException

from celery import shared_task

from assistant.users import services


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def password_reset_email_send(user_id: int) -> None:
    services.password_reset_email_send(user_id=user_id)


@shared_task
def auth_tokens_purge_expired() -> int:
    return services.auth_tokens_purge_expired()
