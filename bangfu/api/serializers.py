"""What the API shows of each record: read-only serializers.

Personal data leaves only in masked form (110101********1234, 138****5678);
the encrypted numbers, their hashes and the activity's sign-in token never do.
"""

from __future__ import annotations

from rest_framework import serializers

from bangfu.activities.models import Activity
from bangfu.dispatch.models import Dispatch
from bangfu.needs.models import Need
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, PairingParty
from bangfu.plans.models import Plan, PlanTask
from bangfu.regions.models import Region
from bangfu.support.models import Support, SupportItem

from .fields import RefSerializer, RegionRefSerializer


class ReadOnlyModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.read_only = True
        return fields


class RegionSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "short_name", "full_name", "level", "parent"]


class OrganisationSerializer(ReadOnlyModelSerializer):
    region = RegionRefSerializer(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "stage",
            "region",
            "parent",
            "address",
            "is_generated",
            "version",
            "updated_at",
        ]


class PersonSerializer(ReadOnlyModelSerializer):
    organisation = RefSerializer(read_only=True)

    class Meta:
        model = Person
        # Only the masked numbers; the full ones are shown, audited, on the person page.
        fields = [
            "id",
            "name",
            "kind",
            "organisation",
            "position",
            "subjects",
            "backbone_level",
            "id_number_masked",
            "phone_masked",
            "is_generated",
            "version",
        ]


class PartySerializer(ReadOnlyModelSerializer):
    organisation = RefSerializer(read_only=True)

    class Meta:
        model = PairingParty
        fields = ["organisation", "side", "is_lead"]


class PairingSerializer(ReadOnlyModelSerializer):
    parties = PartySerializer(many=True, read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "name",
            "mode",
            "status",
            "region_pairing",
            "parent",
            "start_date",
            "end_date",
            "note",
            "parties",
            "is_generated",
            "version",
            "updated_at",
        ]


class NeedSerializer(ReadOnlyModelSerializer):
    organisation = RefSerializer(read_only=True)
    category = RefSerializer(read_only=True)
    claimed_by = RefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "pairing",
            "organisation",
            "category",
            "title",
            "description",
            "subject",
            "priority",
            "wished_start",
            "wished_end",
            "status",
            "claimed_by",
            "claimed_at",
            "is_generated",
            "version",
            "created_at",
            "updated_at",
        ]


class PlanTaskSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = PlanTask
        fields = [
            "id",
            "order",
            "title",
            "description",
            "target_value",
            "target_unit",
            "due_date",
            "needs",
        ]


class PlanSerializer(ReadOnlyModelSerializer):
    tasks = PlanTaskSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "pairing",
            "academic_year",
            "term",
            "title",
            "goals",
            "status",
            "version_no",
            "previous",
            "helper_confirmed_at",
            "recipient_confirmed_at",
            "tasks",
            "is_generated",
            "version",
            "updated_at",
        ]


class ActivitySerializer(ReadOnlyModelSerializer):
    organiser = RefSerializer(read_only=True)
    session_unit = serializers.CharField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "type",
            "title",
            "start_date",
            "end_date",
            "mode",
            "direction",
            "place",
            "pairing",
            "region_pairing",
            "organiser",
            "receivers",
            "helper_region",
            "recipient_region",
            "sessions",
            "session_unit",
            "helper_headcount",
            "recipient_headcount",
            "person_times",
            "count_source",
            "backbone_count",
            "subjects",
            "lesson_titles",
            "led_by",
            "leaders",
            "outcome",
            "plan_tasks",
            "projects",
            "needs",
            "recorded_side",
            "confirmation",
            "rating",
            "feedback",
            "confirmed_at",
            "signin_open",
            "is_generated",
            "version",
            "created_at",
            "updated_at",
        ]


class DispatchSerializer(ReadOnlyModelSerializer):
    # The person by name only, as on the dispatch pages.
    person = RefSerializer(read_only=True)
    sender = RefSerializer(read_only=True)
    host = RefSerializer(read_only=True, allow_null=True)
    host_region = RegionRefSerializer(read_only=True)

    class Meta:
        model = Dispatch
        fields = [
            "id",
            "person",
            "batch",
            "sender",
            "host",
            "host_region",
            "pairing",
            "role",
            "term",
            "start_date",
            "end_date",
            "status",
            "subjects",
            "was_backbone",
            "note",
            "is_generated",
            "version",
        ]


class SupportItemSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = SupportItem
        fields = ["id", "name", "quantity", "unit", "value_yuan", "is_approximate"]


class SupportSerializer(ReadOnlyModelSerializer):
    donor = RefSerializer(read_only=True)
    recipient = RefSerializer(read_only=True, allow_null=True)
    recipient_region = RegionRefSerializer(read_only=True)
    items = SupportItemSerializer(many=True, read_only=True)

    class Meta:
        model = Support
        fields = [
            "id",
            "kind",
            "title",
            "date",
            "donor",
            "recipient",
            "recipient_region",
            "pairing",
            "region_pairing",
            "amount_yuan",
            "is_approximate",
            "beneficiaries",
            "description",
            "items",
            "is_generated",
            "version",
        ]
