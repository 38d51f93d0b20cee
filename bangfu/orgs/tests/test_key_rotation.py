"""manage.py rotate_data_key: personal data re-encrypted under the new key, all or nothing."""

import base64
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bangfu.lib import crypto
from bangfu.orgs.models import Person
from bangfu.orgs.tests.factories import make_person

pytestmark = pytest.mark.django_db

OLD = base64.b64encode(b"o" * 32).decode()
NEW = base64.b64encode(b"n" * 32).decode()
ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


def _rotate(key=OLD):
    out = io.StringIO()
    call_command("rotate_data_key", old_key=key, stdout=out)
    return out.getvalue()


def test_rotation_re_encrypts_and_rehashes_under_the_new_key(world, settings):
    settings.BANGFU_DATA_KEY = OLD
    person = make_person(world.bj9, id_number=ID_NUMBER, phone=PHONE)
    before = Person.objects.get(pk=person.pk)
    settings.BANGFU_DATA_KEY = NEW
    with pytest.raises(crypto.DecryptionError):
        before.phone()  # the new key cannot read the old rows yet
    assert "1 人" in _rotate()
    after = Person.objects.get(pk=person.pk)
    assert after.phone() == PHONE and after.id_number() == ID_NUMBER
    assert after.phone_hash == crypto.lookup_hash(PHONE) != before.phone_hash
    assert after.id_number_enc != before.id_number_enc
    assert ID_NUMBER not in after.id_number_enc and PHONE not in after.phone_enc
    # Run again: everything is under the new key already; nothing changes.
    assert "0 人" in _rotate()
    assert Person.objects.get(pk=person.pk).phone_enc == after.phone_enc


def test_a_wrong_old_key_changes_nothing(world, settings):
    settings.BANGFU_DATA_KEY = OLD
    person = make_person(world.bj9, phone=PHONE)
    settings.BANGFU_DATA_KEY = NEW
    stored = Person.objects.get(pk=person.pk).phone_enc
    with pytest.raises(CommandError, match="无法用原密钥解密"):
        _rotate(base64.b64encode(b"x" * 32).decode())
    assert Person.objects.get(pk=person.pk).phone_enc == stored
    with pytest.raises(CommandError, match="相同"):
        _rotate(NEW)
    with pytest.raises(CommandError, match="base64"):
        _rotate("not base64!")
