import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def test_staff_and_ops_may_read_the_alerts_history_and_users_may_not():
    granted = {
        group.name: set(
            group.permissions.filter(content_type__app_label="monitoring").values_list("codename", flat=True)
        )
        for group in Group.objects.all()
    }

    assert granted["staff"] == granted["ops"] == {"view_alertevent"}
    assert granted["user"] == set()
