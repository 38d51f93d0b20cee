import secrets
import string

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bangfu.accounts.models import User
from bangfu.audit.services import record

ROLES = (
    ("sysadmin", User.Role.SYSADMIN),
    ("secadmin", User.Role.SECADMIN),
    ("auditor", User.Role.AUDITOR),
)


def generate_password(length: int = 16) -> str:
    """Random, with every character class the password policy asks for."""
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, "#%+-=@_"]
    alphabet = "".join(classes)
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(ch in cls for ch in password) for cls in classes):
            return password


class Command(BaseCommand):
    help = (
        "Create the first system administrator, security administrator and security auditor "
        "(separation of duties) for each role that has no active account yet. Each gets a "
        "random password, printed once, to be changed at the first sign-in. bangfu has no "
        "superusers: use this instead of createsuperuser."
    )

    def add_arguments(self, parser):
        for option, role in ROLES:
            parser.add_argument(
                f"--{option}",
                default=option,
                metavar="USERNAME",
                help=f"user name of the first {role.label} (default {option})",
            )

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        for option, role in ROLES:
            username = options[option].strip()
            existing = User.objects.filter(role=role, is_active=True).first()
            if existing is not None:
                self.stdout.write(f"{option}: {existing.username} exists, nothing created")
                continue
            if User.objects.filter(username__iexact=username).exists():
                raise CommandError(
                    f"user name {username!r} is taken by another account; choose another "
                    f"with --{option}"
                )
            password = generate_password()
            user = User.objects.create_user(
                username=username,
                password=password,
                role=role,
                is_staff=role == User.Role.SYSADMIN,
            )
            User.objects.filter(pk=user.pk).update(must_change_password=True)
            record(
                "create",
                instance=user,
                label="manage.py create_first_admins",
                changes={"username": [None, username], "role": [None, role.value]},
            )
            self.stdout.write(f"{option}: created {username} with password {password}")
            created += 1
        if created:
            self.stdout.write("Each password must be changed at the first sign-in.")
