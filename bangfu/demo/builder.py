"""Find-or-create primitives for the demo: each row by a natural key, never updated.

A second load therefore adds and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bangfu.lib import idcard
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Agreement, Pairing, PairingParty, RegionPairing

from . import registry

K = Organisation.Kind
S = Organisation.Stage
Mode = Pairing.Mode
SUFFIX = "(示例)"

STAGE_WORD = {
    S.KINDERGARTEN: "幼儿园",
    S.PRIMARY: "小学",
    S.JUNIOR: "中学",
    S.SENIOR: "高级中学",
    S.COMPLETE: "中学",
    S.VOCATIONAL: "职业学校",
}


@dataclass
class Summary:
    created: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str, n: int = 1) -> None:
        if n:
            self.created[kind] = self.created.get(kind, 0) + n


class DemoBuilder:
    def __init__(self, regions: registry.Regions):
        self.r = regions
        self.summary = Summary(notes=list(regions.notes))
        self.orgs: dict[str, Organisation] = {}
        self.pairings: dict[str, Pairing] = {}
        self._generated_seq: dict[tuple[int, str], int] = {}

    def org(
        self, key, name, region, kind=K.SCHOOL, stage="", short_name="", note="", generated=False
    ) -> Organisation:
        org = Organisation.objects.filter(region=region, name=name).first()
        if org is None:
            org = Organisation(
                name=name,
                short_name=short_name,
                region=region,
                kind=kind,
                stage=stage if kind == K.SCHOOL else "",
                note=note,
                is_generated=generated,
            )
            org.refresh_search()
            org.save()
            self.summary.count("organisations")
        self.orgs[key] = org
        return org

    def generated_school(self, region, stage, place: str) -> Organisation:
        """The next "(示例)" school of this stage in this region: 湖里区第3小学(示例)."""
        seq_key = (region.pk, stage)
        n = self._generated_seq.get(seq_key, 0) + 1
        self._generated_seq[seq_key] = n
        name = f"{place}第{n}{STAGE_WORD[stage]}{SUFFIX}"
        return self.org(name, name, region, stage=stage, generated=True)

    def region_pairing(self, helper, recipient, level, start, note="") -> RegionPairing:
        rp, created = RegionPairing.objects.get_or_create(
            helper_region=helper,
            recipient_region=recipient,
            start_date=start,
            defaults={"level": level, "note": note},
        )
        if created:
            self.summary.count("region_pairings")
        return rp

    def pairing(
        self,
        name,
        helpers,
        recipients,
        *,
        mode=Mode.ONE_TO_ONE,
        start,
        region_pairing=None,
        parent=None,
        status=Pairing.Status.ACTIVE,
        note="",
        generated=False,
    ) -> Pairing:
        pairing = Pairing.objects.filter(name=name, mode=mode).first()
        if pairing is None:
            pairing = Pairing.objects.create(
                name=name,
                mode=mode,
                status=status,
                start_date=start,
                region_pairing=region_pairing,
                parent=parent,
                note=note,
                is_generated=generated,
            )
            self.summary.count("pairings")
        existing = set(pairing.parties.values_list("organisation_id", flat=True))
        parties = [(o, PairingParty.Side.HELPER, i == 0) for i, o in enumerate(helpers)]
        parties += [(o, PairingParty.Side.RECIPIENT, False) for o in recipients]
        new = [
            PairingParty(pairing=pairing, organisation=o, side=side, is_lead=lead)
            for o, side, lead in parties
            if o.pk not in existing
        ]
        PairingParty.objects.bulk_create(new)
        self.pairings[name] = pairing
        return pairing

    def agreement(self, pairing, title, signed_on, *, principles="", method="paper", note=""):
        _, created = Agreement.objects.get_or_create(
            pairing=pairing,
            title=title,
            defaults={
                "signed_on": signed_on,
                "term_start": signed_on,
                "principles": principles,
                "method": method,
                "note": note,
            },
        )
        if created:
            self.summary.count("agreements")

    def person(
        self, name, org, kind=Person.Kind.TEACHER, position="", subjects="", backbone=""
    ) -> Person:
        person = Person.objects.filter(organisation=org, name=name).first()
        if person is None:
            person = Person(
                name=name,
                organisation=org,
                kind=kind,
                position=position,
                subjects=subjects,
                backbone_level=backbone,
                is_generated=name.endswith(SUFFIX),
            )
            if person.is_generated:
                seq = Person.objects.filter(is_generated=True).count() + 1
                person.set_id_number(fake_id_number(org.region, seq))
                person.set_phone(f"1390000{seq:04d}")
            person.refresh_search()
            person.save()
            self.summary.count("people")
        return person


def fake_id_number(region, seq: int) -> str:
    """A check-digit-valid ID number for a generated person (born 1975-1994)."""
    code = region.code if region.code and region.code.isdigit() and len(region.code) == 6 else ""
    if not code:
        county = region.county or region.prefecture or region.province
        code = county.code if county and county.code else "110000"
    birth = dt.date(1975 + seq % 20, 1 + seq % 12, 1 + seq % 28)
    first17 = f"{code}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + idcard.check_digit(first17)
