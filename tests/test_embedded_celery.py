"""The embedded default's queue really works across processes: a web-side enqueue on the
filesystem transport is consumed by a separate `celery worker`, as `scripts/run` starts it."""

import os
import sys

import pytest

from deploy.local.processes import Process, run

pytestmark = pytest.mark.processes

ENQUEUE = """
from assistant.users import services
from assistant.users.tasks import password_reset_email_send
user = services.user_register(email="queue@example.com", password="a long passphrase")
password_reset_email_send.delay(user.pk)
"""


@pytest.fixture
def embedded_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_FILESYSTEM_DIR=str(tmp_path / "queue"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        LOG_LEVEL="WARNING",
    )
    run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], env=env, timeout=120)
    return env


def test_a_task_enqueued_by_one_process_is_run_by_the_worker(embedded_env, tmp_path):
    worker = Process(
        "celery worker",
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
        env=embedded_env,
        log=tmp_path / "worker.log",
    )
    with worker:
        run([sys.executable, "manage.py", "shell", "-c", ENQUEUE], env=embedded_env, timeout=60)
        mailbox = tmp_path / "mail"

        def reset_emails() -> list[str]:
            # Registration itself sends a welcome e-mail from the shell's process: only the reset
            # link comes from the worker.
            sent = [message.read_text() for message in mailbox.iterdir()] if mailbox.exists() else []
            return [body for body in sent if "/account/reset/" in body]

        worker.wait_until(reset_emails, "the worker to send the reset e-mail", timeout=60)

        (body,) = reset_emails()
        assert "To: queue@example.com" in body
