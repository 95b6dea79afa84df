from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from goals.models import ReportingPeriod


class ReportingPeriodSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(
        source="budget_year.agency.code", read_only=True, help_text="The agency's code."
    )
    year = serializers.IntegerField(
        source="budget_year.year", read_only=True, help_text="The budget year."
    )
    slug = serializers.SerializerMethodField(help_text="The period's key, e.g. 2006-H1 or 2006.")
    submitted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Who submitted the period."
    )

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "slug",
            "agency",
            "year",
            "kind",
            "start",
            "end",
            "deadline",
            "state",
            "submitted_at",
            "submitted_by",
        ]
        extra_kwargs = {
            "kind": {"help_text": "T1 (1. tertial), H1 (halvår), T2 (2. tertial) or Y (år)."},
            "start": {"help_text": "First day of the period."},
            "end": {"help_text": "Last day of the period."},
            "deadline": {"help_text": "When the report is due at the ministry."},
            "state": {"help_text": "open, submitted or locked; only open periods accept changes."},
            "submitted_at": {"help_text": "When the period was submitted to the ministry."},
        }

    @extend_schema_field(serializers.CharField)
    def get_slug(self, period: ReportingPeriod) -> str:
        return period.slug
