"""The access matrix: every URL × method × role, the expected status asserted cell by cell.

A new URL without a row here fails ``test_every_url_has_a_row``. Empty POSTs
are used on purpose: a permitted user gets the form back with errors (200) or a
redirect, a refused one 403/404, and nothing is changed either way.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import ROLES

from .matrix import LOGIN, Row, all_admin_roles, cells, everyone


def _person(w):
    from bangfu.orgs.models import Person

    person = Person(name="张老师", organisation=w.xizi, kind="teacher")
    person.set_id_number("11010519491231002X")
    person.set_phone("13812345678")
    person.refresh_search()
    person.save()
    return person


def _agreement(w):
    from django.core.files.base import ContentFile

    from bangfu.pairings.models import Agreement

    agreement = Agreement(
        pairing=w.p_bj9_xizi,
        title="帮扶协议",
        signed_on="2019-03-01",
        term_start="2019-03-01",
        document_name="协议.pdf",
        document_type="application/pdf",
    )
    agreement.document.save("a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    agreement.save()
    return agreement


def _party(w, side):
    return w.p_bj9_xizi.parties.get(side=side)


# Who may change pairing p_bj9_xizi (active; 北京九中 helper, 汐子中学 recipient).
PAIRING_EDIT = dict(
    outsider=404,
    helper=403,
    recipient=403,
    coordinator=200,
    other_coordinator=404,
    auditor=403,
)
PAIRING_SIDE_MEMBERS = dict(
    outsider=404,
    helper=200,
    recipient=200,
    coordinator=200,
    other_coordinator=404,
    auditor=403,
)


ROWS: list[Row] = [
    # core and accounts
    # The separation-of-duties roles are sent from the home page to their own start page.
    Row("core:home", get=everyone(200, **all_admin_roles(302))),
    Row("core:healthz", get=everyone(200, anonymous=200, **all_admin_roles(200))),
    Row("accounts:login", get=everyone(302, anonymous=200, **all_admin_roles(302))),
    Row(
        "accounts:logout",
        get=everyone(405, anonymous=405, **all_admin_roles(405)),
        post=everyone(302, anonymous=302, **all_admin_roles(302)),
    ),
    Row(
        "accounts:password_change",
        get=everyone(200, **all_admin_roles(200)),
        post=everyone(200, **all_admin_roles(200)),
    ),
    Row("accounts:password_change_done", get=everyone(200, **all_admin_roles(200))),
    Row(
        "set_language",
        get=everyone(302, anonymous=302, **all_admin_roles(302)),
        post=everyone(302, anonymous=302, **all_admin_roles(302)),
    ),
    # organisations
    Row("orgs:list", get=everyone(200)),
    Row("orgs:suggest", get=everyone(200)),
    Row(
        "orgs:create",
        get=everyone(403, coordinator=200, other_coordinator=200),
        post=everyone(403, coordinator=200, other_coordinator=200),
    ),
    Row(
        "orgs:detail",
        kwargs=lambda w: {"pk": w.xizi.pk},
        get=everyone(200, outsider=404, other_coordinator=404),
    ),
    Row(
        "orgs:edit",
        label="recipient school",
        kwargs=lambda w: {"pk": w.xizi.pk},
        get=cells(
            outsider=404,
            helper=403,
            recipient=200,
            coordinator=403,
            other_coordinator=404,
            auditor=403,
        ),
        post=cells(
            outsider=404,
            helper=403,
            recipient=200,
            coordinator=403,
            other_coordinator=404,
            auditor=403,
        ),
    ),
    Row(
        "orgs:edit",
        label="helper school",
        kwargs=lambda w: {"pk": w.bj9.pk},
        get=cells(
            outsider=404,
            helper=200,
            recipient=403,
            coordinator=200,
            other_coordinator=404,
            auditor=403,
        ),
        post=cells(
            outsider=404,
            helper=200,
            recipient=403,
            coordinator=200,
            other_coordinator=404,
            auditor=403,
        ),
    ),
    Row(
        "orgs:rename",
        kwargs=lambda w: {"pk": w.bj9.pk},
        get=cells(
            outsider=404,
            helper=200,
            recipient=403,
            coordinator=200,
            other_coordinator=404,
            auditor=403,
        ),
        post=cells(
            outsider=404,
            helper=200,
            recipient=403,
            coordinator=200,
            other_coordinator=404,
            auditor=403,
        ),
    ),
    Row("orgs:person_list", get=everyone(200)),
    Row(
        "orgs:person_create",
        get=everyone(200, auditor=403),
        post=everyone(200, auditor=403),
    ),
    Row(
        "orgs:person_detail",
        kwargs=lambda w: {"pk": _person(w).pk},
        get=everyone(200, outsider=404, other_coordinator=404),
    ),
    Row(
        "orgs:person_edit",
        kwargs=lambda w: {"pk": _person(w).pk},
        get=cells(
            outsider=404,
            helper=403,
            recipient=200,
            coordinator=403,
            other_coordinator=404,
            auditor=403,
        ),
        post=cells(
            outsider=404,
            helper=403,
            recipient=200,
            coordinator=403,
            other_coordinator=404,
            auditor=403,
        ),
    ),
    Row(
        "orgs:person_reveal",
        kwargs=lambda w: {"pk": _person(w).pk},
        get=everyone(405, outsider=405, other_coordinator=405),
        post=cells(
            outsider=404,
            helper=403,
            recipient=200,
            coordinator=403,
            other_coordinator=404,
            auditor=403,
        ),
    ),
]

ROWS += [
    Row("pairings:list", get=everyone(200)),
    Row("pairings:org_options", get=everyone(200)),
    Row("pairings:create", get=everyone(200, auditor=403), post=everyone(200, auditor=403)),
    Row(
        "pairings:detail",
        kwargs=lambda w: {"pk": w.p_bj9_xizi.pk},
        get=everyone(200, outsider=404, other_coordinator=404),
    ),
    Row(
        "pairings:edit",
        kwargs=lambda w: {"pk": w.p_bj9_xizi.pk},
        get=cells(**PAIRING_EDIT),
        post=cells(**PAIRING_EDIT),
    ),
    Row(
        "pairings:status",
        kwargs=lambda w: {"pk": w.p_bj9_xizi.pk},
        get=everyone(405, outsider=405, other_coordinator=405),
        # A permitted empty POST is sent back to the detail page with a message.
        post=cells(**{k: 302 if v == 200 else v for k, v in PAIRING_EDIT.items()}),
    ),
    Row(
        "pairings:party_edit",
        label="helper side",
        kwargs=lambda w: {"pk": w.p_bj9_xizi.pk, "party_pk": _party(w, "helper").pk},
        get=cells(
            outsider=404,
            helper=200,
            recipient=403,
            coordinator=200,
            other_coordinator=404,
            auditor=403,
        ),
        post=cells(
            outsider=404,
            helper=200,
            recipient=403,
            coordinator=200,
            other_coordinator=404,
            auditor=403,
        ),
    ),
    Row(
        "pairings:party_edit",
        label="recipient side",
        kwargs=lambda w: {"pk": w.p_bj9_xizi.pk, "party_pk": _party(w, "recipient").pk},
        get=cells(
            outsider=404,
            helper=403,
            recipient=200,
            coordinator=403,
            other_coordinator=404,
            auditor=403,
        ),
        post=cells(
            outsider=404,
            helper=403,
            recipient=200,
            coordinator=403,
            other_coordinator=404,
            auditor=403,
        ),
    ),
    Row(
        "pairings:agreement_create",
        kwargs=lambda w: {"pk": w.p_bj9_xizi.pk},
        get=cells(**PAIRING_SIDE_MEMBERS),
        post=cells(**PAIRING_SIDE_MEMBERS),
    ),
    Row(
        "pairings:agreement_edit",
        kwargs=lambda w: {"pk": w.p_bj9_xizi.pk, "agreement_pk": _agreement(w).pk},
        get=cells(**PAIRING_SIDE_MEMBERS),
        post=cells(**PAIRING_SIDE_MEMBERS),
    ),
    Row(
        "pairings:agreement_document",
        kwargs=lambda w: {"pk": w.p_bj9_xizi.pk, "agreement_pk": _agreement(w).pk},
        get=everyone(200, outsider=404, other_coordinator=404),
    ),
    Row("pairings:region_list", get=everyone(200)),
    Row(
        "pairings:region_create",
        get=everyone(403, coordinator=200, other_coordinator=200),
        post=everyone(403, coordinator=200, other_coordinator=200),
    ),
    Row(
        "pairings:region_detail",
        kwargs=lambda w: {"pk": w.rp_sjs_nc.pk},
        get=everyone(200, outsider=404, other_coordinator=404),
    ),
    Row(
        "pairings:region_edit",
        kwargs=lambda w: {"pk": w.rp_sjs_nc.pk},
        get=cells(
            outsider=404,
            helper=403,
            recipient=403,
            coordinator=200,
            other_coordinator=404,
            auditor=403,
        ),
        post=cells(
            outsider=404,
            helper=403,
            recipient=403,
            coordinator=200,
            other_coordinator=404,
            auditor=403,
        ),
    ),
]

# The region registry is public reference data for every signed-in user.
ROWS += [
    Row("regions:tree", get=everyone(200)),
    Row("regions:suggest", get=everyone(200)),
    Row("regions:detail", kwargs=lambda w: {"pk": w.ningcheng.pk}, get=everyone(200)),
]

# Rows of the apps that keep their own (bangfu/<app>/tests/access_rows*.py).
for _config in apps.get_app_configs():
    if _config.name.startswith("bangfu.") and _config.label != "core":
        for _file in sorted((Path(_config.path) / "tests").glob("access_rows*.py")):
            ROWS += importlib.import_module(f"{_config.name}.tests.{_file.stem}").ROWS

# URL names that are not the application's own pages.
EXEMPT_PREFIXES = ("admin:",)


def _all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            yield from _all_url_names(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_has_a_row():
    names = {n for n in _all_url_names() if not n.startswith(EXEMPT_PREFIXES)}
    covered = {row.name for row in ROWS}
    assert sorted(names - covered) == [], "add these URLs to the access matrix"


METHODS = ("get", "post", "put", "patch", "delete")
# Methods without a form: their empty body is JSON.
JSON_METHODS = {"put", "patch", "delete"}


def _lines():
    """One test per (URL row, method); each role's request is one cell inside it."""
    for row in ROWS:
        for method in METHODS:
            expected = getattr(row, method)
            if expected is not None:
                yield pytest.param(row, method, expected, id=f"{row.id}-{method}")


MATRIX_LINES = list(_lines())
MATRIX_CELLS = len(MATRIX_LINES) * len(ROLES)


def test_matrix_size_is_reported(capsys):
    # Quoted in the issue notes; every (row, method, role) is one cell.
    assert MATRIX_CELLS >= len(ROWS) * len(ROLES)
    with capsys.disabled():
        print(f"\naccess matrix: {len(ROWS)} rows, {MATRIX_CELLS} cells")


@pytest.mark.parametrize("row, method, expected", MATRIX_LINES)
def test_access_line(row, method, expected, world, client_for):
    """Every role on one URL and method; each request runs in a savepoint rolled back after it,
    so a permitted POST cannot change what the next role sees."""
    url = reverse(row.name, kwargs=row.kwargs(world))
    wrong = []
    for role in ROLES:
        with transaction.atomic():
            client = client_for(role)
            extra = {"content_type": "application/json"} if method in JSON_METHODS else {}
            response = getattr(client, method)(url, {}, **extra)
            status = response.status_code
            location = response.get("Location", "")
            transaction.set_rollback(True)
        if status != expected[role]:
            wrong.append(f"{method.upper()} {url} as {role}: {status}, expected {expected[role]}")
        elif expected[role] == LOGIN and role == "anonymous":
            if (
                row.name not in {"accounts:logout", "set_language"}
                and "/accounts/login/" not in location
            ):
                wrong.append(f"{method.upper()} {url} as anonymous: redirected to {location}")
    assert wrong == []
