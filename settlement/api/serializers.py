from rest_framework import serializers


class MeanWaitSerializer(serializers.Serializer):
    reception = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        help_text="Settled from reception: mean months from residence permit to settlement.",
    )
    em = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        help_text="Unaccompanied minors (EM): mean months from permit to settlement.",
    )
    off = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        help_text="Transfer refugees (OFF): mean months from entry permit to settlement.",
    )


def count(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        allow_null=True,
        help_text=f"{help_text} Null when suppressed (see `suppressed`).",
    )


class StatisticsSerializer(serializers.Serializer):
    """One agency's settlement figures, as `manage.py settlement_stats
    --json` prints them."""

    agency = serializers.CharField(help_text="The agency's code, e.g. ABC.")
    start = serializers.DateField(help_text="First day of the period (from).")
    end = serializers.DateField(help_text="Last day of the period (date).")
    exact = serializers.BooleanField(
        help_text="False when small counts are suppressed for the caller (no permission "
        "settlement.view_exact_figures)."
    )
    suppressed = serializers.ListField(
        child=serializers.CharField(),
        help_text="Names of the figures withheld because the count is below the threshold.",
    )
    settled = count("Persons settled in the period.")
    forecast = serializers.IntegerField(
        allow_null=True, help_text="Forecast of settled persons at the next cut-off date."
    )
    forecast_year = serializers.IntegerField(
        allow_null=True, help_text="Forecast for the whole year."
    )
    mean_wait_months = MeanWaitSerializer(help_text="Mean waiting times in months.")
    mean_wait_months_from_searched = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        help_text="Settled from reception: mean months from searched out to settled.",
    )
    ready_in_reception = count("Persons ready for settlement in reception at the end date.")
    ready_in_reception_searched = count("Of those, searched out (utsøkt).")
    waiting_over_limit = count("Persons in reception waiting longer than the limit.")
    waiting_over_limit_not_searched = count("Of those, not searched out.")
    off_settled = count("Transfer refugees (OFF) settled in the period.")
    off_special_rule = count("Of those, under a special legal ground.")
    off_not_arrived = count("OFF with an entry permit not arrived by the end date.")
    off_not_arrived_searched = count("Of those, sent to a municipality.")
    family_reunification_settled = count("Family reunification settled in the period.")


class StatisticsQuerySerializer(serializers.Serializer):
    agency = serializers.CharField(
        required=False, help_text="Only this agency (its code, e.g. ABC)."
    )
    date = serializers.DateField(
        required=False,
        help_text="End date, YYYY-MM-DD (default: the last settlement in the data).",
    )
    # "from" is a Python keyword; the field is declared below under its query name.

    def validate(self, attrs):
        for key in ("date", "from"):
            value = attrs.get(key)
            if value is not None and not 1990 <= value.year <= 2200:
                raise serializers.ValidationError({key: "A date between 1990 and 2200."})
        if attrs.get("from") and attrs.get("date") and attrs["from"] > attrs["date"]:
            raise serializers.ValidationError({"from": "Must not be after date."})
        return attrs


StatisticsQuerySerializer._declared_fields["from"] = serializers.DateField(
    required=False, help_text="Start date, YYYY-MM-DD (default: 1 January of the end date's year)."
)
