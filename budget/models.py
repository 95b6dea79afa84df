"""State-budget chapters and posts, with appropriations, accounts and the report's tables.

Every figure the reference report prints as a total or a remainder is stored "as reported"
next to the parts it is made of; budget.selectors computes it again and budget.controls
lists where the two disagree.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from budget.choices import (
    SUBPOST_MEASURES,
    AccountsCategory,
    AllocationKind,
    ChapterKind,
    FootnoteScope,
    LineKind,
    Measure,
    StatisticRole,
    StatisticTable,
    TransferKind,
)
from goals.locking import Guarded, PeriodLock, YearDateLock, YearLock, register_lock
from goals.models import Agency, BudgetYear, Ministry, ReportingPeriod


def money(verbose_name, **kwargs) -> models.DecimalField:
    """Whole kroner."""
    return models.DecimalField(verbose_name, max_digits=15, decimal_places=0, **kwargs)


def check_same_agency(post, owner, *, field: str) -> None:
    """Refuse a row whose post belongs to one agency and whose budget year or period (the
    owner, reached by ``field``) to another: each agency's figures use its own chapters."""
    if post is None or owner is None:
        return
    budget_year = owner if isinstance(owner, BudgetYear) else owner.budget_year
    if post.chapter.agency_id != budget_year.agency_id:
        raise ValidationError(
            {
                field: _(
                    "The post %(post)s belongs to %(post_agency)s, but the %(what)s "
                    "%(owner)s belongs to %(owner_agency)s."
                )
                % {
                    "post": post.code,
                    "post_agency": post.chapter.agency.code,
                    "what": owner._meta.verbose_name,
                    "owner": owner,
                    "owner_agency": budget_year.agency.code,
                }
            }
        )


class PostScopedModel(models.Model):
    """A row of a post in one of its agency's reporting periods."""

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.post_id and self.period_id:
            check_same_agency(self.post, self.period, field="period")


class Chapter(models.Model):
    """Kapittel: a chapter of the state budget (0651, 3650 ...) that an agency disposes of
    under its allocation letter; the ministry is the agency's, unless the agency charges
    another ministry's chapter under a charge authorisation (belastningsfullmakt).

    Chapters 0001-2999 are expenses (utgiftskapitler), 3000-5999 income (inntektskapitler).
    The number is unique within an agency: each agency's chapters are its own rows.
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="chapters", verbose_name=_("agency")
    )
    number = models.CharField(_("number"), max_length=4)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ChapterKind.choices)
    ministry = models.ForeignKey(
        Ministry, on_delete=models.PROTECT, related_name="chapters", verbose_name=_("ministry")
    )
    under_authorisation = models.BooleanField(
        _("charged under an authorisation"),
        default=False,
        help_text=_(
            "The agency charges another ministry's chapter under a charge authorisation "
            "(belastningsfullmakt); only then may the chapter's ministry differ from the "
            "agency's."
        ),
    )

    class Meta:
        ordering = ["number", "agency"]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number"], name="budget_chapter_unique_number_per_agency"
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{4}$"), name="budget_chapter_four_digits"
            ),
            models.CheckConstraint(
                condition=(Q(kind=ChapterKind.EXPENSE) & Q(number__lt="3000"))
                | (Q(kind=ChapterKind.INCOME) & Q(number__gte="3000")),
                name="budget_chapter_kind_matches_number",
            ),
        ]
        permissions = [
            ("view_controls", "Can see the control list of reported and computed figures"),
            ("import_budget", "Can import budget and accounts from spreadsheets"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def natural_key(self) -> tuple[str, str]:
        return (self.agency.code, self.number)

    def clean(self) -> None:
        super().clean()
        if not self.agency_id:
            return
        if not self.ministry_id:
            self.ministry_id = self.agency.ministry_id
        elif self.ministry_id != self.agency.ministry_id and not self.under_authorisation:
            raise ValidationError(
                {
                    "ministry": _(
                        "The chapter's agency %(agency)s belongs to %(agency_ministry)s, "
                        "not to %(ministry)s; another ministry's chapter needs a charge "
                        "authorisation."
                    )
                    % {
                        "agency": self.agency.code,
                        "agency_ministry": self.agency.ministry.code,
                        "ministry": self.ministry.code,
                    }
                }
            )


class Post(models.Model):
    """Post: a post of a chapter (01 Driftsutgifter, 60 Integreringstilskudd ...).

    The stikkord ("kan overføres") lets unspent money carry over to next year. An income
    post may be credited against an expense post (refusjoner: 3650.16 against 0650.01).
    """

    chapter = models.ForeignKey(
        Chapter, on_delete=models.PROTECT, related_name="posts", verbose_name=_("chapter")
    )
    number = models.CharField(_("number"), max_length=2)
    name = models.CharField(_("name"), max_length=200)
    stikkord = models.CharField(_("keyword (stikkord)"), max_length=100, blank=True)
    credited_against = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credited_income_posts",
        verbose_name=_("income credited against"),
    )

    class Meta:
        ordering = ["chapter__number", "number"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "number"], name="budget_post_unique"),
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{2}$"), name="budget_post_two_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chapter.number}.{self.number} {self.name}"

    @property
    def code(self) -> str:
        return f"{self.chapter.number}.{self.number}"

    def clean(self) -> None:
        super().clean()
        target = self.credited_against if self.credited_against_id else None
        if target is None or not self.chapter_id:
            return
        if target.chapter.agency_id != self.chapter.agency_id:
            raise ValidationError(
                {
                    "credited_against": _(
                        "The post %(post)s of %(agency)s cannot be credited against "
                        "%(target)s of %(target_agency)s."
                    )
                    % {
                        "post": self.code,
                        "agency": self.chapter.agency.code,
                        "target": target.code,
                        "target_agency": target.chapter.agency.code,
                    }
                }
            )


class AllocationEntry(Guarded):
    """Bevilgning: one amount of a post's appropriation for a year (tildelingsbrev,
    overføring fra fjoråret, RNB, omdisponering, supplerende tildelingsbrev)."""

    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("post")
    )
    budget_year = models.ForeignKey(
        BudgetYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("budget year")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AllocationKind.choices)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=1)
    amount = money(_("amount"))
    date = models.DateField(_("date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["post__chapter__number", "post__number", "budget_year", "date", "pk"]
        verbose_name = _("allocation entry")
        verbose_name_plural = _("allocation entries")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "budget_year", "kind", "sequence"],
                name="budget_allocationentry_unique",
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="budget_allocationentry_sequence_positive"
            ),
        ]

    def __str__(self) -> str:
        # The label as get_kind_display() gives it, from a table read once: an import
        # names 100 000 allocations in their history.
        return f"{self.post.code} {_ALLOCATION_KINDS.get(self.kind, self.kind)} {self.amount}"

    def clean(self) -> None:
        super().clean()
        if self.post_id and self.budget_year_id:
            check_same_agency(self.post, self.budget_year, field="budget_year")


_ALLOCATION_KINDS = dict(AllocationKind.choices)


class AccountsEntry(Guarded, PostScopedModel):
    """Regnskap: what is booked on a post up to the end of a reporting period, by category
    (lønn/arbeidsgiveravgift, refusjoner, kjøp av varer og tjenester, utbetalinger, inntekter)."""

    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("post")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    category = models.CharField(_("category"), max_length=20, choices=AccountsCategory.choices)
    amount = money(_("amount"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["post__chapter__number", "post__number", "period", "category"]
        verbose_name = _("accounts entry")
        verbose_name_plural = _("accounts entries")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "period", "category"], name="budget_accountsentry_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post.code} {self.get_category_display()} {self.amount}"


class SubPost(models.Model):
    """Underpost: a sub-post of a post (6010 Tilskudd År-1, 6020 Tilskudd År-2 til 5 ...)."""

    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="subposts", verbose_name=_("post")
    )
    code = models.CharField(_("code"), max_length=4)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["post", "code"]
        verbose_name = _("sub-post")
        verbose_name_plural = _("sub-posts")
        constraints = [
            models.UniqueConstraint(fields=["post", "code"], name="budget_subpost_unique"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{4}$"), name="budget_subpost_four_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SubPostLine(Guarded):
    """Linje i underpost: one line of attachment 1 (utbetalinger på post 60).

    Amounts are stored as reported. A normal line's amount is persons x rate (sats); a term
    payment's (terminutbetaling) is persons x rate / terms; adjustments (stopp/trekk,
    tilleggsutbetaling) and other years' lines carry an amount only. The budget columns come
    from the allocation letter; footnote markers name the footnotes on the line and on its
    budget amount.
    """

    subpost = models.ForeignKey(
        SubPost, on_delete=models.PROTECT, related_name="lines", verbose_name=_("sub-post")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=LineKind.choices, default=LineKind.NORMAL
    )
    terms = models.PositiveSmallIntegerField(_("terms per year"), default=4)
    persons = models.PositiveIntegerField(_("persons"), null=True, blank=True)
    rate = money(_("rate"), null=True, blank=True)
    amount = money(_("amount as reported"), null=True, blank=True)
    budget_persons = models.PositiveIntegerField(_("budget persons"), null=True, blank=True)
    budget_rate = money(_("budget rate"), null=True, blank=True)
    budget_amount = money(_("budget amount as reported"), null=True, blank=True)
    rest = money(_("rest as reported"), null=True, blank=True)
    footnotes = models.CharField(_("footnote markers"), max_length=10, blank=True)
    budget_footnotes = models.CharField(
        _("footnote markers on the budget amount"), max_length=10, blank=True
    )

    class Meta:
        ordering = ["subpost__post", "subpost__code", "period", "position"]
        verbose_name = _("sub-post line")
        verbose_name_plural = _("sub-post lines")
        constraints = [
            models.UniqueConstraint(
                fields=["subpost", "period", "label"], name="budget_subpostline_unique_label"
            ),
            models.UniqueConstraint(
                fields=["subpost", "period", "position"],
                name="budget_subpostline_unique_position",
            ),
            models.CheckConstraint(condition=Q(terms__gte=1), name="budget_subpostline_terms"),
        ]

    def __str__(self) -> str:
        return f"{self.subpost.code} {self.label}"

    def clean(self) -> None:
        super().clean()
        if self.subpost_id and self.period_id:
            check_same_agency(self.subpost.post, self.period, field="period")


class Footnote(Guarded, PostScopedModel):
    """Fotnote: one sentence of a footnote to a post's table, by its marker (* or **).

    A sentence that moves money (trukket fra, overført, inkludert) states that amount as
    budget_adjustment; it applies to the budget amounts that carry the marker.
    """

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="footnotes", verbose_name=_("post")
    )
    scope = models.CharField(
        _("table"), max_length=20, choices=FootnoteScope.choices, default=FootnoteScope.LINES
    )
    marker = models.CharField(_("marker"), max_length=5)
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))
    budget_adjustment = money(_("budget adjustment"), null=True, blank=True)

    class Meta:
        ordering = ["post", "period", "scope", "marker", "position"]
        verbose_name = _("footnote")
        verbose_name_plural = _("footnotes")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "post", "scope", "marker", "position"],
                name="budget_footnote_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.marker} {self.text[:40]}"


class DispositionPart(Guarded, PostScopedModel):
    """Del av post: a part of a post's appropriation (post 62 del 1A, 2A ...; post 71's three
    parts) with its budget (ramme), what is disposed (disponert) and booked (regnskapsført).

    The budget and the undisposed amount (udisponert) are stored as reported; the budget is
    also computed from the original budget (opprinnelig ramme) and the transfers.
    """

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="parts", verbose_name=_("post")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"))
    original_budget = money(_("original budget"))
    budget = money(_("budget as reported"))
    disposed = money(_("disposed"))
    booked = money(_("booked"), null=True, blank=True)
    undisposed = money(_("undisposed as reported"), null=True, blank=True)

    class Meta:
        ordering = ["post", "period", "position"]
        verbose_name = _("disposition part")
        verbose_name_plural = _("disposition parts")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "post", "code"], name="budget_dispositionpart_unique"
            ),
            models.CheckConstraint(
                condition=Q(disposed__gte=0), name="budget_dispositionpart_disposed_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post.code} {self.code}"


class DispositionTransfer(Guarded, PostScopedModel):
    """Omdisponering: money moved into or out of a part (between parts, by RNB, or carried
    over from last year)."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("post")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=TransferKind.choices)
    from_part = models.ForeignKey(
        DispositionPart,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="transfers_out",
        verbose_name=_("from part"),
    )
    to_part = models.ForeignKey(
        DispositionPart,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="transfers_in",
        verbose_name=_("to part"),
    )
    amount = money(_("amount"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["post", "period", "position"]
        verbose_name = _("disposition transfer")
        verbose_name_plural = _("disposition transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "post", "position"], name="budget_dispositiontransfer_unique"
            ),
            models.CheckConstraint(
                condition=Q(from_part__isnull=False) | Q(to_part__isnull=False),
                name="budget_dispositiontransfer_has_a_part",
            ),
            models.CheckConstraint(
                condition=~Q(kind=TransferKind.BETWEEN_PARTS)
                | (Q(from_part__isnull=False) & Q(to_part__isnull=False) & Q(amount__gt=0)),
                name="budget_dispositiontransfer_between_two_parts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post.code} {self.get_kind_display()} {self.amount}"

    def clean(self) -> None:
        super().clean()
        for field in ("from_part", "to_part"):
            check_part_of(
                self, getattr(self, field) if getattr(self, f"{field}_id") else None, field
            )


def check_part_of(row, part: "DispositionPart | None", field: str) -> None:
    """A transfer or a commentary names parts of its own post in its own period only."""
    if part is None:
        return
    if part.post_id != row.post_id or part.period_id != row.period_id:
        raise ValidationError(
            {
                field: _(
                    "The part %(part)s belongs to post %(part_post)s in %(part_period)s, not "
                    "to post %(post)s in %(period)s."
                )
                % {
                    "part": part.code,
                    "part_post": part.post.code,
                    "part_period": part.period,
                    "post": row.post.code if row.post_id else "-",
                    "period": row.period if row.period_id else "-",
                }
            }
        )


class Authorisation(Guarded, PostScopedModel):
    """Belastningsfullmakt: leave from another ministry or agency to charge its chapter and
    post up to a limit (kap. 0690 post 21 from UDI, kap. 0854 post 64 from BLD)."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="authorisations", verbose_name=_("post")
    )
    granted_by = models.CharField(_("granted by"), max_length=50)
    limit = money(_("limit"))
    charged = money(_("charged"))
    remaining = money(_("remaining as reported"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["post", "period"]
        verbose_name = _("charge authorisation")
        verbose_name_plural = _("charge authorisations")
        constraints = [
            models.UniqueConstraint(fields=["period", "post"], name="budget_authorisation_unique"),
            models.CheckConstraint(
                condition=Q(limit__gte=0), name="budget_authorisation_limit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post.code} ({self.granted_by})"


class GrantStatistic(Guarded):
    """Statistikk for integreringstilskudd: one count of attachment 2 (bosatte, utbetalt
    voksne/barn, bosatt ikke utbetalt, per bosettingsår), with the sums as reported."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    table = models.CharField(_("table"), max_length=30, choices=StatisticTable.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    row_label = models.CharField(_("row"), max_length=200)
    column_label = models.CharField(_("column"), max_length=100)
    settlement_year = models.PositiveSmallIntegerField(_("settlement year"), null=True, blank=True)
    role = models.CharField(
        _("role"), max_length=10, choices=StatisticRole.choices, default=StatisticRole.COUNT
    )
    count = models.IntegerField(_("count"))
    footnotes = models.CharField(_("footnote markers"), max_length=10, blank=True)

    class Meta:
        ordering = ["period", "table", "position"]
        verbose_name = _("grant statistic")
        verbose_name_plural = _("grant statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "table", "row_label", "column_label"],
                name="budget_grantstatistic_unique",
            ),
            models.CheckConstraint(
                condition=Q(count__gte=0), name="budget_grantstatistic_count_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.row_label} / {self.column_label}: {self.count}"


class ReportedFigure(Guarded, PostScopedModel):
    """Rapportert sum: a total or remainder as the report prints it (sum bevilgning, sum
    regnskap, restbudsjett, Sum 6020 ...), kept to be checked against the computed figure."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="reported_figures", verbose_name=_("post")
    )
    subpost = models.ForeignKey(
        SubPost,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_figures",
        verbose_name=_("sub-post"),
    )
    measure = models.CharField(_("measure"), max_length=30, choices=Measure.choices)
    value = money(_("value"))
    footnotes = models.CharField(_("footnote markers"), max_length=10, blank=True)

    class Meta:
        ordering = ["post", "period", "subpost", "measure"]
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "post", "measure"],
                condition=Q(subpost__isnull=True),
                name="budget_reportedfigure_unique_post",
            ),
            models.UniqueConstraint(
                fields=["period", "subpost", "measure"],
                condition=Q(subpost__isnull=False),
                name="budget_reportedfigure_unique_subpost",
            ),
            models.CheckConstraint(
                condition=(Q(measure__in=SUBPOST_MEASURES) & Q(subpost__isnull=False))
                | (~Q(measure__in=SUBPOST_MEASURES) & Q(subpost__isnull=True)),
                name="budget_reportedfigure_subpost_measures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post.code} {self.get_measure_display()} {self.value}"

    def clean(self) -> None:
        super().clean()
        if self.subpost_id and self.post_id and self.subpost.post_id != self.post_id:
            raise ValidationError(
                {
                    "subpost": _("The sub-post %(subpost)s is not of the post %(post)s.")
                    % {"subpost": self.subpost.code, "post": self.post.code}
                }
            )


class Commentary(Guarded, PostScopedModel):
    """Kommentar: a paragraph of the report's prose on a post (part VI and attachments 3-4),
    optionally about one part of the post."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="commentary", verbose_name=_("post")
    )
    part = models.ForeignKey(
        DispositionPart,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="commentary",
        verbose_name=_("part"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["post", "period", "position"]
        verbose_name = _("commentary")
        verbose_name_plural = _("commentary")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "post", "position"], name="budget_commentary_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post.code} {self.position}"

    def clean(self) -> None:
        super().clean()
        check_part_of(self, self.part if self.part_id else None, "part")


class BudgetProfile(Guarded):
    """Periodisert budsjett: what a post's appropriation plans to spend in each month of a
    budget year. Where a post has one, expected spend at a period's end is the sum of its
    months up to the period's end month instead of a linear share."""

    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="profile", verbose_name=_("post")
    )
    budget_year = models.ForeignKey(
        BudgetYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("budget year")
    )
    month = models.PositiveSmallIntegerField(_("month"))
    amount = money(_("amount"))

    class Meta:
        ordering = ["post", "budget_year", "month"]
        verbose_name = _("periodised budget month")
        verbose_name_plural = _("periodised budget")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "budget_year", "month"], name="budget_budgetprofile_unique_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="budget_budgetprofile_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post.code} {self.budget_year} {self.month:02d}: {self.amount}"

    def clean(self) -> None:
        super().clean()
        if self.post_id and self.budget_year_id:
            check_same_agency(self.post, self.budget_year, field="budget_year")


# The tables of a period freeze with it; an appropriation with the submitted period its date
# (or 1 January) lies in, the periodised budget with the year's first submitted period
# (goals.locking). Chapters, posts and sub-posts are the
# agency's list of accounts, the same in every year.
for _model in (
    AccountsEntry,
    SubPostLine,
    Footnote,
    DispositionPart,
    DispositionTransfer,
    Authorisation,
    GrantStatistic,
    ReportedFigure,
    Commentary,
):
    register_lock(_model, PeriodLock("period"))
register_lock(AllocationEntry, YearDateLock("budget_year", dated_by="date"))
register_lock(BudgetProfile, YearLock("budget_year"))
