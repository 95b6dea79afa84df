from rest_framework import serializers

from budget.models import Chapter, SubPost, SubPostLine


def money_field(help_text: str, **kwargs) -> serializers.DecimalField:
    """Whole kroner as a string, so that no client reads them as floats."""
    return serializers.DecimalField(
        max_digits=15,
        decimal_places=0,
        read_only=True,
        allow_null=True,
        coerce_to_string=True,
        help_text=help_text,
        **kwargs,
    )


class ChapterSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The agency that disposes of the chapter."
    )
    ministry = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The ministry that owns the chapter."
    )

    class Meta:
        model = Chapter
        fields = ["id", "agency", "number", "name", "kind", "ministry"]
        extra_kwargs = {
            "id": {"help_text": "The chapter's id."},
            "number": {"help_text": "Four-digit chapter number (1234, 4234 ...)."},
            "name": {"help_text": "The chapter's name."},
            "kind": {"help_text": "expense (0001-2999) or income (3000-5999)."},
        }


class PostFiguresSerializer(serializers.Serializer):
    """A post with its figures at the end of a reporting period (budget.selectors)."""

    id = serializers.IntegerField(source="post.pk", help_text="The post's id.")
    agency = serializers.CharField(
        source="post.chapter.agency.code", help_text="The code of the agency whose post it is."
    )
    period = serializers.CharField(
        source="period.slug", help_text="The period the figures are at (ABC-2006-H1 ...)."
    )
    code = serializers.CharField(source="post.code", help_text="Chapter and post: 1234.01.")
    chapter = serializers.CharField(source="post.chapter.number", help_text="Chapter number.")
    number = serializers.CharField(source="post.number", help_text="Two-digit post number.")
    name = serializers.CharField(source="post.name", help_text="The post's name.")
    stikkord = serializers.CharField(
        source="post.stikkord", help_text='Keyword such as "kan overføres".'
    )
    kind = serializers.CharField(
        source="post.chapter.kind", help_text="expense or income, from the chapter."
    )
    appropriation = money_field(
        "Sum appropriation (sum bevilgning) by the period's end; null without allocations.",
        source="sum_appropriation",
    )
    accounts = money_field(
        "Accounts in total (sum regnskap) for the period; null without accounts.",
        source="accounts_total",
    )
    remaining = money_field("Appropriation minus accounts (rest budsjett).")
    spent_share = serializers.DecimalField(
        source="share_spent",
        # No bound on the digits: a tiny appropriation gives a large share, not an error.
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        coerce_to_string=True,
        help_text="Accounts / appropriation as a fraction (0.4821 = 48.21 %).",
    )
    linear_expected = money_field(
        "What a linear spread of the appropriation would have spent by the period's end.",
        source="expected_linear",
    )
    deviation_from_linear = money_field(
        "Accounts minus the linear spend: positive is merforbruk, negative mindreforbruk.",
        source="deviation",
    )
    linear_basis = serializers.CharField(
        source="basis",
        help_text="What the expected spend is measured by: months (whole months elapsed / "
        "12), days (days elapsed / days in the year) or profile (the post's periodised "
        "budget up to the period's end month).",
    )
    linear_basis_label = serializers.CharField(
        source="basis_label", help_text="The basis in words, in the request's language."
    )


class SubPostSerializer(serializers.ModelSerializer):
    post = serializers.CharField(source="post.code", read_only=True, help_text="Post: 1234.60.")
    post_id = serializers.IntegerField(read_only=True, help_text="The post's id.")

    class Meta:
        model = SubPost
        fields = ["id", "post", "post_id", "code", "name"]
        extra_kwargs = {
            "id": {"help_text": "The sub-post's id."},
            "code": {"help_text": "Four-digit sub-post code (6010 ...)."},
            "name": {"help_text": "The sub-post's name."},
        }


class SubPostLineSerializer(serializers.ModelSerializer):
    subpost = serializers.CharField(
        source="subpost.code", read_only=True, help_text="Sub-post code (6010 ...)."
    )
    subpost_id = serializers.IntegerField(read_only=True, help_text="The sub-post's id.")
    post = serializers.CharField(
        source="subpost.post.code", read_only=True, help_text="Post: 1234.60."
    )
    period = serializers.CharField(
        source="period.slug", read_only=True, help_text="The period's key (ABC-2006-H1 ...)."
    )
    rate = money_field("Rate (sats) per person.")
    amount = money_field("Amount as reported.")
    budget_rate = money_field("Budget rate per person.")
    budget_amount = money_field("Budget amount as reported.")
    rest = money_field("Rest as reported.")
    computed_amount = money_field(
        "Persons x rate (divided by the terms for a term payment); null when not itemised.",
        source="figures.computed_amount",
    )
    computed_rest = money_field(
        "Budget amount minus amount, as computed.", source="figures.computed_rest"
    )

    class Meta:
        model = SubPostLine
        fields = [
            "id",
            "post",
            "subpost",
            "subpost_id",
            "period",
            "position",
            "label",
            "kind",
            "terms",
            "persons",
            "rate",
            "amount",
            "budget_persons",
            "budget_rate",
            "budget_amount",
            "rest",
            "footnotes",
            "budget_footnotes",
            "computed_amount",
            "computed_rest",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The line's id."},
            "position": {"help_text": "Order within the sub-post."},
            "label": {"help_text": "The line's label (settlement year, adjustment ...)."},
            "kind": {"help_text": "normal, term_payment, adjustment or other_year."},
            "terms": {"help_text": "Terms per year for a term payment."},
            "persons": {"help_text": "Persons paid for."},
            "budget_persons": {"help_text": "Persons in the budget."},
            "footnotes": {"help_text": "Footnote markers on the line."},
            "budget_footnotes": {"help_text": "Footnote markers on the budget amount."},
        }


class ControlSerializer(serializers.Serializer):
    """A stated figure of the report that differs from what the system computes."""

    where = serializers.CharField(help_text="Where in the report, in words.")
    post = serializers.CharField(help_text="Post code (1234.60), empty when not post-bound.")
    key = serializers.CharField(help_text="Machine key of the figure (remaining, ...).")
    reported = money_field("The figure as the report states it.")
    computed = money_field("The figure as computed from its parts.")
    difference = money_field("Reported minus computed.")
