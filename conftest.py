"""Named test users for every permission path, on a small world of their own.

World (no national registry needed):
  北京市 / 石景山区: 石景山区教委 (bureau), 北京九中 (helper school), 外语实验小学
  内蒙古 / 赤峰市 / 宁城县: 宁城县教育局, 汐子中学 (recipient), 高级中学 (recipient)
  贵州省 / 贵阳市 / 南明区: 南明区教育局, 南明小学 (helper) → 从江县 大歹小学
Region pairings: 石景山区 → 宁城县, 南明区 → 从江县.
Pairings: 北京九中 ↔ 汐子中学 (one-to-one, active); 南明小学 ↔ 大歹小学 (entrusted).
Users: anonymous (client), outsider (staff of 大歹小学's unrelated neighbour),
helper (北京九中 staff), recipient (汐子中学 staff), coordinator (石景山区教委),
other_coordinator (南明区教育局); the separation of duties (三员分立): sysadmin
(accounts), secadmin (roles, unlocking), auditor (the audit trail), none of
whom sees business data.
"""

import datetime as dt

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English must not leak into the next test."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, which outlives each test's rollback."""
    from bangfu.security.ratelimits import reset

    reset()


@pytest.fixture(autouse=True)
def _fast_hasher(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class World:
    pass


def make_region(name, level, parent=None, code=None, short_name=""):
    from bangfu.regions.models import Region

    region = Region(name=name, level=level, parent=parent, code=code, short_name=short_name)
    if parent is not None:
        region.province = parent.province if level > 1 else None
        region.prefecture = parent.prefecture if level > 2 else None
        region.county = parent.county if level > 3 else None
    region.refresh_search()
    region.save()
    field = {1: "province", 2: "prefecture", 3: "county"}.get(level)
    if field:
        setattr(region, field, region)
        region.save(update_fields=[field])
    return region


def make_org(name, region, kind="school", stage="", **extra):
    from bangfu.orgs.models import Organisation

    if kind == "school" and not stage:
        stage = "junior"
    org = Organisation(name=name, region=region, kind=kind, stage=stage, **extra)
    org.refresh_search()
    org.save()
    return org


def make_user(username, role, organisation=None, **extra):
    from bangfu.accounts.models import User

    user = User.objects.create_user(
        username=username, password="pw-Test-1234", role=role, organisation=organisation, **extra
    )
    return user


def make_pairing(helpers, recipients, mode="one_to_one", status="active", start=None, **extra):
    from bangfu.pairings.models import Pairing, PairingParty

    pairing = Pairing.objects.create(
        name=f"{'、'.join(h.name for h in helpers)} ↔ {'、'.join(r.name for r in recipients)}",
        mode=mode,
        status=status,
        start_date=start or dt.date(2019, 3, 1),
        **extra,
    )
    for i, org in enumerate(helpers):
        PairingParty.objects.create(
            pairing=pairing, organisation=org, side="helper", is_lead=i == 0
        )
    for org in recipients:
        PairingParty.objects.create(pairing=pairing, organisation=org, side="recipient")
    return pairing


@pytest.fixture
def world(db):
    from bangfu.pairings.models import RegionPairing

    w = World()
    w.beijing = make_region("北京市", 1, code="110000", short_name="北京")
    w.beijing_city = make_region("北京市", 2, w.beijing, code="110100")
    w.sjs = make_region("石景山区", 3, w.beijing_city, code="110107", short_name="石景山")
    w.nmg = make_region("内蒙古自治区", 1, code="150000", short_name="内蒙古")
    w.chifeng = make_region("赤峰市", 2, w.nmg, code="150400", short_name="赤峰")
    w.ningcheng = make_region("宁城县", 3, w.chifeng, code="150429", short_name="宁城")
    w.guizhou = make_region("贵州省", 1, code="520000", short_name="贵州")
    w.guiyang = make_region("贵阳市", 2, w.guizhou, code="520100", short_name="贵阳")
    w.nanming = make_region("南明区", 3, w.guiyang, code="520102", short_name="南明")
    w.qdn = make_region("黔东南苗族侗族自治州", 2, w.guizhou, code="522600", short_name="黔东南")
    w.congjiang = make_region("从江县", 3, w.qdn, code="522633", short_name="从江")

    w.sjs_bureau = make_org(
        "北京市石景山区教育委员会", w.sjs, kind="bureau", short_name="石景山区教委"
    )
    w.bj9 = make_org("北京市第九中学", w.sjs, stage="complete", short_name="北京九中")
    w.wyxx = make_org("石景山外语实验小学", w.sjs, stage="primary")
    w.nc_bureau = make_org("宁城县教育局", w.ningcheng, kind="bureau")
    w.xizi = make_org("宁城县汐子中学", w.ningcheng, stage="junior", short_name="汐子中学")
    w.ncgz = make_org("宁城县高级中学", w.ningcheng, stage="senior")
    w.nm_bureau = make_org("贵阳市南明区教育局", w.nanming, kind="bureau")
    w.nmxx = make_org("南明小学", w.nanming, stage="primary")
    w.daidai = make_org("从江县大歹小学", w.congjiang, stage="primary", short_name="大歹小学")
    w.outsider_school = make_org("从江县第一中学", w.congjiang, stage="junior")

    w.rp_sjs_nc = RegionPairing.objects.create(
        helper_region=w.sjs,
        recipient_region=w.ningcheng,
        level="district",
        start_date=dt.date(2018, 1, 1),
    )
    w.rp_nm_cj = RegionPairing.objects.create(
        helper_region=w.nanming,
        recipient_region=w.congjiang,
        level="district",
        start_date=dt.date(2018, 1, 1),
    )
    w.p_bj9_xizi = make_pairing([w.bj9], [w.xizi], region_pairing=w.rp_sjs_nc)
    w.p_nm_daidai = make_pairing([w.nmxx], [w.daidai], mode="entrusted", region_pairing=w.rp_nm_cj)

    w.sysadmin = make_user("sysadmin", "sysadmin", is_staff=True)
    w.secadmin = make_user("secadmin", "secadmin")
    w.auditor = make_user("auditor", "auditor")
    w.coordinator = make_user("coord", "coordinator", w.sjs_bureau)
    w.other_coordinator = make_user("nm_coord", "coordinator", w.nm_bureau)
    w.helper = make_user("helper", "school_staff", w.bj9)
    w.recipient = make_user("recipient", "school_staff", w.xizi)
    w.outsider = make_user("outsider", "school_staff", w.outsider_school)
    return w


ROLES = [
    "anonymous",
    "outsider",
    "helper",
    "recipient",
    "coordinator",
    "other_coordinator",
    "auditor",
    "sysadmin",
    "secadmin",
]
# The roles of the separation of duties: 403 on every business URL.
ADMIN_ROLES = ("auditor", "sysadmin", "secadmin")


@pytest.fixture
def client_for(world):
    """client_for("helper") → a logged-in Client; "anonymous" → a plain one."""

    def _client(role):
        client = Client()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        return client

    return _client
