"""The demo ledger on the tiny registry, loaded once per module (as in bangfu/demo/tests)."""

import pytest
from django.db import transaction
from django.test import override_settings

from bangfu.demo.tests.conftest import build_registry


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker):
    from bangfu.demo.loader import load_demo

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast):
        with transaction.atomic():
            build_registry()
            summary = load_demo(ensure_registry=False)
            yield summary
            transaction.set_rollback(True)
