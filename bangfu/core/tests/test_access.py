import pytest

from bangfu.orgs.models import Organisation
from bangfu.pairings.models import Pairing, RegionPairing


@pytest.mark.parametrize(
    "role, expected",
    [
        ("coordinator", {"p_bj9_xizi"}),
        # The separation-of-duties roles see no business data.
        ("auditor", set()),
        ("sysadmin", set()),
        ("secadmin", set()),
        ("other_coordinator", {"p_nm_daidai"}),
        ("helper", {"p_bj9_xizi"}),
        ("recipient", {"p_bj9_xizi"}),
        ("outsider", set()),
    ],
)
def test_pairing_visibility_by_role(world, role, expected):
    visible = set(Pairing.objects.visible_to(getattr(world, role)).values_list("pk", flat=True))
    assert visible == {getattr(world, name).pk for name in expected}


def test_coordinator_sees_partner_region_organisations_but_not_other_programmes(world):
    orgs = set(Organisation.objects.visible_to(world.coordinator))
    assert {world.bj9, world.xizi, world.ncgz, world.nc_bureau} <= orgs
    assert world.nmxx not in orgs and world.daidai not in orgs


def test_region_pairings_scoped_to_coordinator_subtree(world):
    assert list(RegionPairing.objects.visible_to(world.coordinator)) == [world.rp_sjs_nc]
    assert list(RegionPairing.objects.visible_to(world.other_coordinator)) == [world.rp_nm_cj]


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Pairing.objects.visible_to(AnonymousUser()).exists()
    assert not Organisation.objects.visible_to(AnonymousUser()).exists()


def test_home_requires_login_and_shows_scope(client_for):
    assert client_for("anonymous").get("/").status_code == 302
    response = client_for("coordinator").get("/")
    assert response.status_code == 200
    assert response.context["pairing_count"] == 1
