"""The load test's database side, run in child processes with the database in their settings.

``prepare``: migrate, load the demo, and plan who signs in as which account and
may do what. ``verify``: look every write the server acknowledged up in the
database itself, not through the server.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path


def _django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    django.setup()


def load_demo_registry() -> None:
    """Only the regions the demo names, with their ancestors, from the packaged source.

    A few seconds instead of the whole country's minute; for the load test's
    own test, where the registry's size is not what is measured.
    """
    from bangfu.demo import registry
    from bangfu.regions.importer import RegionImporter

    codes = {code for code, _name in registry.CODES.values()} | {registry.XIONGAN[0]}
    towns = {(registry.CODES[county][0], name) for county, name in registry.TOWNS.values()}
    importer = RegionImporter.from_package()

    def keep(node) -> bool:
        node.children = [child for child in node.children if keep(child)]
        parent_code = node.parent.source_code if node.parent is not None else ""
        return bool(node.children or node.source_code in codes or (parent_code, node.name) in towns)

    importer.roots = [root for root in importer.roots if keep(root)]
    importer.run()


def child_prepare(registry: str) -> dict:
    """Migrate, load the demo; the plan: each account's pairings and activities."""
    _django()
    from django.core.management import call_command

    log = io.StringIO()
    call_command("migrate", interactive=False, verbosity=0, stdout=log)
    if registry == "demo":
        load_demo_registry()
    call_command("load_demo", skip_regions=registry == "demo", stdout=log)
    print(log.getvalue(), file=sys.stderr)
    return build_plan()


def build_plan() -> dict:
    """Coordinators read; helper-school staff record; recipient-school staff confirm.

    Accounts are interleaved so that any number of virtual users gets a mix.
    """
    from bangfu.accounts.middleware import password_expired
    from bangfu.accounts.models import User
    from bangfu.activities.models import Activity
    from bangfu.core import access
    from bangfu.demo.accounts import DEMO_ACCOUNTS_SPEC, DEMO_PASSWORD
    from bangfu.pairings.models import Pairing

    groups: dict[str, list[dict]] = {"writer": [], "reader": [], "confirmer": []}
    for username, *_rest in DEMO_ACCOUNTS_SPEC:
        user = User.objects.select_related("organisation").get(username=username)
        # Coordinators and school staff: the roles that work on the business data.
        if not (user.is_active and (user.is_coordinator or user.is_school_staff)):
            continue
        if password_expired(user):
            raise SystemExit(
                f"{username} would be sent to change its password at sign-in; "
                "the load test signs in with the demo password as it is"
            )
        pairings = list(
            Pairing.objects.visible_to(user).prefetch_related("parties__organisation__region")
        )
        sides = {p.pk: access.side_of(user, p) for p in pairings}
        account = {
            "username": username,
            "pairings": sorted(sides),
            "activities": list(
                Activity.objects.visible_to(user).order_by("-pk").values_list("pk", flat=True)[:200]
            ),
            "record": [],
            "confirm": [],
        }
        if user.is_school_staff:
            account["record"] = [pk for pk, side in sides.items() if side == "helper"]
            account["confirm"] = [pk for pk, side in sides.items() if side == "recipient"]
        kind = "writer" if account["record"] else "confirmer" if account["confirm"] else "reader"
        groups[kind].append({**account, "kind": kind})
    if not groups["writer"]:
        raise SystemExit("no demo account of a helper school may record activities")
    order = []
    for i in range(max(len(g) for g in groups.values())):
        order.extend(g[i] for g in groups.values() if i < len(g))
    return {"password": DEMO_PASSWORD, "accounts": order}


def child_verify(writes_path: Path) -> dict:
    """Look every acknowledged write up in the database, not through the server."""
    _django()
    from bangfu.activities.models import Activity

    acked = json.loads(writes_path.read_text("utf-8"))
    lost: list[str] = []
    creates = {w["pk"]: w for w in acked["writes"]}
    found = {
        row["pk"]: row
        for row in Activity.objects.filter(pk__in=creates).values(
            "pk", "title", "pairing_id", "created_by__username"
        )
    }
    for pk, w in creates.items():
        row = found.get(pk)
        if row is None:
            lost.append(f"activity {pk} ({w['title']}): no such row")
        elif (row["title"], row["pairing_id"], row["created_by__username"]) != (
            w["title"],
            w["pairing"],
            w["username"],
        ):
            lost.append(f"activity {pk}: expected {w}, found {row}")
    confirms = {c["pk"]: c for c in acked["confirms"]}
    states = {
        row["pk"]: row
        for row in Activity.objects.filter(pk__in=confirms).values(
            "pk", "confirmation", "confirmed_by__username"
        )
    }
    for pk, c in confirms.items():
        row = states.get(pk)
        if row is None or (row["confirmation"], row["confirmed_by__username"]) != (
            Activity.Confirmation.CONFIRMED,
            c["username"],
        ):
            lost.append(f"confirmation of activity {pk} by {c['username']}: found {row}")
    unacknowledged = (
        Activity.objects.filter(title__startswith=acked["prefix"]).exclude(pk__in=creates).count()
    )
    return {
        "activities_acked": len(creates),
        "confirms_acked": len(confirms),
        "writes_acked": len(creates) + len(confirms),
        "lost": len(lost),
        "lost_detail": lost,
        "unacknowledged": unacknowledged,
    }
