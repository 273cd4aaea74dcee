"""The embedded default's queue really works across processes: a web-side enqueue on the
filesystem transport is consumed by a separate `celery worker`, as `scripts/run` starts it."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.processes

ROOT = Path(__file__).resolve().parents[1]
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
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    return env


def test_a_task_enqueued_by_one_process_is_run_by_the_worker(embedded_env, tmp_path):
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", ENQUEUE],
            cwd=ROOT,
            env=embedded_env,
            check=True,
            timeout=60,
        )
        mailbox = tmp_path / "mail"
        deadline = time.monotonic() + 60
        while not (mailbox.exists() and any(mailbox.iterdir())) and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read().decode()
            time.sleep(0.2)

        (message,) = mailbox.iterdir()
        body = message.read_text()
        assert "To: queue@example.com" in body
        assert "/account/reset/" in body
    finally:
        worker.terminate()
        worker.wait(timeout=30)
