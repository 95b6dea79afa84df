from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseCategory(models.TextChoices):
    """How a person comes to be settled (bosettingskategori)."""

    RECEPTION = "reception", _("From reception (mottak)")
    TRANSFER_REFUGEE = "transfer_refugee", _("Transfer refugee (OFF)")
    UNACCOMPANIED_MINOR = "unaccompanied_minor", _("Unaccompanied minor (EM)")
    FAMILY_REUNIFICATION = "family_reunification", _("Family reunification")
    DIRECT_SETTLEMENT = "direct_settlement", _("Direct settlement")


# Categories whose persons wait in a reception centre (mottak) until they are settled.
RECEPTION_CATEGORIES = (
    CaseCategory.RECEPTION,
    CaseCategory.UNACCOMPANIED_MINOR,
    CaseCategory.FAMILY_REUNIFICATION,
)


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class SpecialLegalGround(models.TextChoices):
    """Særskilt hjemmel: permits granted under a special rule."""

    NONE = "", _("None")
    VIETNAMESE_PHILIPPINES = (
        "vietnamese_philippines",
        _("Special rule for Vietnamese in the Philippines"),
    )


class AgeGroup(models.TextChoices):
    CHILD = "0-5", _("0-5 years")
    SCHOOL = "6-17", _("6-17 years")
    YOUNG = "18-29", _("18-29 years")
    ADULT = "30-49", _("30-49 years")
    OLDER = "50-66", _("50-66 years")
    ELDERLY = "67+", _("67 years and older")


class FamilyComposition(models.TextChoices):
    SINGLE = "single", _("Single person")
    SMALL = "2-3", _("Family of 2-3")
    MEDIUM = "4-5", _("Family of 4-5")
    LARGE = "6+", _("Family of 6 or more")
