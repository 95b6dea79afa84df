import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import mail_admins
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from budget.loaders import load_budget_demo
from budget.models import Chapter
from goals.history import loading_fixtures
from goals.loaders import FixtureError, load_goals_demo, load_organisation, read_yaml
from goals.locking import allow_locked_period_writes
from goals.models import Agency, MainGoal, Ministry, OrganisationalUnit, ReportingPeriod
from goals.services import set_user_profile
from imdi_reporting.models import AccessibilityFeedback, ApiToken
from imdi_reporting.roles import Role, sync_roles
from imdi_reporting.selectors import FEEDBACK_WINDOW_SECONDS, feedback_cache_key
from settlement.loaders import load_settlement_demo
from settlement.models import SettlementCase

logger = logging.getLogger(__name__)

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
DEMO_PASSWORD = "demo"  # noqa: S105  (documented demo credential, created by load_demo only)


@transaction.atomic
def load_demo_users(*, path: Path) -> int:
    """Create the demo users that are missing, with their roles and where they work.

    An existing user is left exactly as it is (password, roles, profile): the demo may be
    loaded again on a site where people have changed their password or been given another
    role, and loading it must not undo that. Returns the number of users created."""
    User = get_user_model()
    sync_roles()
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    entries = (read_yaml(path) or {}).get("users", [])
    existing = set(
        User.objects.filter(username__in=[item.get("username") for item in entries]).values_list(
            "username", flat=True
        )
    )
    created = 0
    for i, item in enumerate(entries, start=1):
        role = item.get("role")
        if role not in groups:
            raise FixtureError(str(path), f"users[{i}]", f"role must be one of {Role.values}")
        if item["username"] in existing:
            continue
        _create_demo_user(item=item, group=groups[role])
        created += 1
    return created


def _create_demo_user(*, item: dict, group: Group) -> None:
    first, _, last = item.get("full_name", "").partition(" ")
    superuser = bool(item.get("superuser", False))
    user = get_user_model().objects.create_user(
        username=item["username"],
        password=DEMO_PASSWORD,
        first_name=first,
        last_name=last,
        is_staff=superuser or item.get("role") == Role.ADMINISTRATOR,
        is_superuser=superuser,
    )
    user.groups.set([group])
    ministry = Ministry.objects.get(code=item["ministry"]) if item.get("ministry") else None
    agency = Agency.objects.get(code=item["agency"]) if item.get("agency") else None
    unit = (
        OrganisationalUnit.objects.get(agency=agency, code=item["unit"])
        if item.get("unit")
        else None
    )
    set_user_profile(user=user, ministry=ministry, agency=agency, unit=unit)


def _demo_users_present(*, path: Path) -> bool:
    usernames = {item.get("username") for item in (read_yaml(path) or {}).get("users", [])}
    return get_user_model().objects.filter(username__in=usernames).count() == len(usernames)


def demo_steps() -> list[tuple[str, Callable[[], object]]]:
    """What load_demo loads, in order. Each app adds its part here as it lands."""
    return [
        ("organisation", lambda: load_organisation(path=FIXTURES_DIR / "goals/organisation.yaml")),
        ("users", lambda: load_demo_users(path=FIXTURES_DIR / "users.yaml")),
        ("periods", lambda: load_organisation(path=FIXTURES_DIR / "goals/periods.yaml")),
        ("goals content", lambda: load_goals_demo(directory=FIXTURES_DIR / "goals")),
        ("budget", lambda: load_budget_demo(directory=FIXTURES_DIR / "budget")),
        ("settlement", lambda: load_settlement_demo(directory=FIXTURES_DIR / "settlement")),
    ]


def demo_steps_present() -> dict[str, Callable[[], bool]]:
    """For each step of demo_steps, whether its data is there already.

    A step whose data is present is skipped as a whole: its loader would overwrite what
    users have changed since (a period's state and submission, status updates, figures),
    which is how a second `make run` once reopened a submitted report. A step without an
    entry here is always loaded."""
    # The demo's agency and year, as the fixture names them (no agency is named in code).
    demo = (read_yaml(FIXTURES_DIR / "goals/organisation.yaml") or {})["agencies"][0]
    agency, year = demo["code"], demo["years"][0]["year"]
    demo_year = {"budget_year__agency__code": agency, "budget_year__year": year}
    return {
        "organisation": Agency.objects.filter(code=agency).exists,
        "users": lambda: _demo_users_present(path=FIXTURES_DIR / "users.yaml"),
        "periods": ReportingPeriod.objects.filter(**demo_year).exists,
        "goals content": MainGoal.objects.filter(**demo_year).exists,
        "budget": Chapter.objects.filter(agency__code=agency).exists,
        "settlement": SettlementCase.objects.exists,
    }


def load_demo(*, report: Callable[[str], None] = lambda line: None) -> int:
    """Load the demo data that is missing, in one transaction: a failing step leaves
    nothing behind. Returns the number of steps loaded (0: everything was there)."""
    loaded = 0
    # The demo reproduces an already submitted report: the one writer the lock lets in.
    with transaction.atomic(), allow_locked_period_writes(), loading_fixtures():
        present = demo_steps_present()
        for name, step in demo_steps():
            if present.get(name, lambda: False)():
                report(f"{name}: already loaded, left as it is")
                continue
            report(f"{name}: {step()}")
            loaded += 1
    return loaded


def submit_accessibility_feedback(
    *, description: str, url: str = "", name: str = "", email: str = "", user=None
) -> AccessibilityFeedback:
    """Store a reported accessibility problem and tell the site's administrators by e-mail."""
    feedback = AccessibilityFeedback(
        description=description,
        url=url,
        name=name,
        email=email,
        user=user if user is not None and user.is_authenticated else None,
    )
    feedback.full_clean()
    feedback.save()
    mail_feedback_to_admins(feedback=feedback)
    return feedback


def mail_feedback_to_admins(*, feedback: AccessibilityFeedback) -> None:
    """One mail to ADMINS. The report is stored already, so a mail server that is down
    costs the notice only: the administrators still find it in the admin."""
    # The administrators read bokmål whatever language the reporter chose.
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("Page: %s") % (feedback.url or "-"),
            _("Name: %s") % (feedback.name or "-"),
            _("E-mail: %s") % (feedback.email or "-"),
            _("Signed-in user: %s") % (feedback.user.get_username() if feedback.user else "-"),
            _("Received: %s") % timezone.localtime(feedback.created).strftime("%d.%m.%Y %H:%M"),
            "",
            feedback.description,
            "",
            _("Mark it handled in the administration: %s")
            % reverse("admin:imdi_reporting_accessibilityfeedback_change", args=[feedback.pk]),
        ]
        subject = _("Accessibility feedback")
    try:
        mail_admins(subject, "\n".join(lines))
    except (SMTPException, OSError):
        logger.exception("Could not mail the accessibility feedback %s", feedback.pk)


def count_feedback(*, client: str) -> None:
    """Count one report against the client's hourly allowance (feedback_limit_reached)."""
    key = feedback_cache_key(client=client)
    # add() starts the hour at the first report; incr() keeps that expiry.
    cache.add(key, 0, timeout=FEEDBACK_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=FEEDBACK_WINDOW_SECONDS)


# --- API tokens ------------------------------------------------------------------------

# A key's last use is written at most this often, so that a busy client does not cost a
# database write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_KEY_LENGTH = 100


class ApiTokenRefused(Exception):
    """The key is unknown, expired or revoked; the message says which, for the caller."""


def hash_api_key(key: str) -> str:
    # SHA-256 without salt or stretching is enough: the key is 256 random bits, not a
    # password a person chose, so the hash cannot be reversed by guessing.
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for the user and return it with its key. The key is not stored and
    cannot be shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the key a name.")})
    key = secrets.token_urlsafe(32)
    lifetime = timedelta(days=settings.API_TOKEN_DAYS if days is None else days)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:8],
        key_hash=hash_api_key(key),
        expires_at=timezone.now() + lifetime,
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, user, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens. Another user's token is not found
    (ApiToken.DoesNotExist), so that its existence is not given away."""
    token = ApiToken.objects.select_for_update().get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def revoke_all_api_tokens(*, user) -> int:
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


def authenticate_api_token(*, key: str) -> ApiToken:
    """The token with this key, if it may be used now; its last use is recorded.

    Raises ApiTokenRefused for an unknown, expired or revoked key, or an inactive user."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiTokenRefused(_("Invalid token."))
    wanted = hash_api_key(key)
    candidates = ApiToken.objects.select_related("user").filter(prefix=key[:8])
    token = next((t for t in candidates if hmac.compare_digest(t.key_hash, wanted)), None)
    if token is None:
        raise ApiTokenRefused(_("Invalid token."))
    now = timezone.now()
    if token.revoked_at is not None:
        raise ApiTokenRefused(_("The token has been revoked."))
    if token.expires_at <= now:
        raise ApiTokenRefused(_("The token has expired."))
    if not token.user.is_active:
        raise ApiTokenRefused(_("User inactive or deleted."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
