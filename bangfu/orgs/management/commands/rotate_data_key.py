"""manage.py rotate_data_key --old-key BASE64: re-encrypt personal data under the current key.

Rotation: set BANGFU_DATA_KEY to the new key, run this command with the old key,
then discard the old key. Every person's ID and phone number is decrypted with
the old key (rows already under the new key are left alone), encrypted with the
new one and given new look-up hashes, all in one transaction: a row that cannot
be decrypted with either key stops the rotation and nothing changes.
"""

from __future__ import annotations

import base64
import binascii

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bangfu.audit.services import record
from bangfu.lib import crypto
from bangfu.orgs.models import Person


class Command(BaseCommand):
    help = "用当前密钥(BANGFU_DATA_KEY)重新加密身份证号和手机号;--old-key 为原密钥(base64)。"

    def add_arguments(self, parser):
        parser.add_argument("--old-key", required=True, help="原密钥,base64 编码")

    def handle(self, *args, old_key: str, **options):
        try:
            old = base64.b64decode(old_key, validate=True)
        except (binascii.Error, ValueError):
            raise CommandError("原密钥不是有效的 base64 编码。") from None
        current_id = crypto.key_id()
        old_id = crypto.key_id(material=old)
        if old_id == current_id:
            raise CommandError("原密钥与当前密钥相同:请先把 BANGFU_DATA_KEY 设为新密钥。")
        rotated = 0
        with transaction.atomic():
            people = Person.objects.select_for_update().exclude(phone_enc="", id_number_enc="")
            for person in people.iterator(chunk_size=2000):
                values = {}
                for field in ("phone_enc", "id_number_enc"):
                    token = getattr(person, field)
                    if not token or crypto.token_key_id(token) == current_id:
                        continue
                    try:
                        values[field] = crypto.decrypt(token, material=old)
                    except crypto.DecryptionError:
                        raise CommandError(
                            f"人员 {person.pk} 的数据无法用原密钥解密,已停止,未做任何修改。"
                        ) from None
                if not values:
                    continue
                if "phone_enc" in values:
                    person.set_phone(values["phone_enc"])
                if "id_number_enc" in values:
                    person.set_id_number(values["id_number_enc"])
                Person.objects.filter(pk=person.pk).update(
                    phone_enc=person.phone_enc,
                    phone_hash=person.phone_hash,
                    id_number_enc=person.id_number_enc,
                    id_number_hash=person.id_number_hash,
                )
                rotated += 1
            record("update", label=f"数据密钥轮换:{old_id} → {current_id},{rotated} 人")
        self.stdout.write(f"已用新密钥重新加密 {rotated} 人的个人信息。")
