from smtplib import SMTPException

from celery import shared_task

from assistant.users import services, support

# E-mails wait out a mail server's outage rather than being lost.
email_task = shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)


@email_task
def password_reset_email_send(user_id: int) -> None:
    services.password_reset_email_send(user_id=user_id)


@email_task
def registration_email_send(user_id: int, address_taken: bool) -> None:
    services.registration_email_send(user_id=user_id, address_taken=address_taken)


@email_task
def support_notice_email_send(user_id: int, notice: str) -> None:
    support.support_notice_email_send(user_id=user_id, notice=notice)


@shared_task
def auth_tokens_purge_expired() -> int:
    return services.auth_tokens_purge_expired()
