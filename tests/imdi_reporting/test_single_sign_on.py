"""Single sign-on end to end against a real OpenID Connect provider on 127.0.0.1.

The provider is oidc-provider-mock, served in a thread by the fixtures below; the site is
driven with Django's test client and the provider with requests, so that every step of
the authorization code flow (state, nonce, PKCE, the token and userinfo calls, end
session) goes over HTTP as it does in production.
"""

import base64
import hashlib
import os
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from goals.models import Agency, Ministry, OrganisationalUnit
from imdi_reporting.models import SsoIdentity, SsoRoleMapping
from imdi_reporting.roles import Role

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

CLIENT_ID = "mal-og-resultat"
CALLBACK = "http://testserver/oidc/callback/"


def _serve(**options):
    # The provider runs on plain HTTP on the loopback address.
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    return oidc_provider_mock.run_server_in_thread(require_nonce=True, **options)


@pytest.fixture(scope="module")
def provider_url():
    with _serve() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def expiring_provider_url():
    """A provider whose ID tokens have expired when they are issued."""
    with _serve(access_token_max_age=timedelta(minutes=-5)) as server:
        yield f"http://localhost:{server.server_port}"


def _configure(url: str):
    cache.clear()
    return override_settings(
        OIDC_DISCOVERY_URL=f"{url}/.well-known/openid-configuration",
        OIDC_RP_CLIENT_ID=CLIENT_ID,
        OIDC_RP_CLIENT_SECRET="client-secret",
        OIDC_PROVIDER_NAME="Ansattporten",
        ADMINS=["brukerstotte@example.org"],
    )


@pytest.fixture
def sso(provider_url, organisation):
    with _configure(provider_url):
        yield provider_url
    cache.clear()


@pytest.fixture
def ne_group(organisation):
    imdi = Agency.objects.get(code="IMDi")
    return SsoRoleMapping.objects.create(
        claim="groups",
        value="imdi-ne-redaktor",
        role=Role.UNIT_EDITOR,
        agency=imdi,
        unit=OrganisationalUnit.objects.get(agency=imdi, code="NE"),
    )


def _person(url: str, sub: str, groups: list[str], **extra) -> None:
    claims = {
        **extra,
        "email": f"{sub}@imdi.example.org",
        "preferred_username": sub,
        "name": "Kari Nordmann",
        "given_name": "Kari",
        "family_name": "Nordmann",
        "groups": groups,
    }
    requests.put(f"{url}/users/{sub}", json=claims, timeout=10).raise_for_status()


def _start(client) -> str:
    """The site's redirect to the provider's authorization endpoint."""
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302
    return response["Location"]


def _authorize(authorize_url: str, sub: str) -> dict[str, str]:
    """The person signs in at the provider; returns the query of its redirect back."""
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK)
    return {key: values[0] for key, values in parse_qs(urlparse(location).query).items()}


def _with_query(url: str, **changes) -> str:
    parts = urlparse(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunparse(parts._replace(query=urlencode({**query, **changes})))


def _login(client, sub: str) -> object:
    answer = _authorize(_start(client), sub)
    return client.get(reverse("oidc_authentication_callback"), answer)


def test_it_offers_the_provider_on_the_login_page_only_when_configured(client, sso):
    assert "Logg inn med Ansattporten" in client.get(reverse("login")).content.decode()
    with override_settings(OIDC_DISCOVERY_URL="", OIDC_RP_CLIENT_ID=""):
        assert "Logg inn med" not in client.get(reverse("login")).content.decode()
        assert client.get(reverse("oidc_authentication_init")).status_code == 404


def test_it_sends_state_nonce_and_a_pkce_challenge(client, sso):
    query = parse_qs(urlparse(_start(client)).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == ["openid profile email"]
    assert query["code_challenge_method"] == ["S256"]
    stored = client.session["oidc_states"][query["state"][0]]
    assert stored["nonce"] == query["nonce"][0]
    digest = hashlib.sha256(stored["code_verifier"].encode()).digest()
    assert query["code_challenge"] == [base64.urlsafe_b64encode(digest).decode().rstrip("=")]


def test_it_creates_the_mapped_user_with_name_role_agency_and_unit(client, sso, ne_group):
    _person(sso, "kari", ["imdi-ne-redaktor", "alle-ansatte"])
    response = _login(client, "kari")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")

    identity = SsoIdentity.objects.select_related("user__profile").get(subject="kari")
    user = identity.user
    assert identity.issuer == sso
    assert (user.username, user.first_name, user.last_name, user.email) == (
        "kari",
        "Kari",
        "Nordmann",
        "kari@imdi.example.org",
    )
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [Role.UNIT_EDITOR]
    assert (user.profile.agency.code, user.profile.unit.code) == ("IMDi", "NE")
    assert client.get(reverse("home")).context["user"] == user


def test_it_takes_the_role_from_the_mapping_at_every_login(client, sso, ne_group):
    _person(sso, "kari", ["imdi-ne-redaktor"])
    _login(client, "kari")
    ne_group.role = Role.APPROVER
    ne_group.unit = None
    ne_group.save()
    client.post(reverse("logout"))
    assert _login(client, "kari").status_code == 302
    user = get_user_model().objects.get(sso_identity__subject="kari")
    assert list(user.groups.values_list("name", flat=True)) == [Role.APPROVER]
    assert user.profile.unit is None
    assert get_user_model().objects.filter(sso_identity__isnull=False).count() == 1


def test_it_maps_a_ministry_reader_to_the_ministry(client, sso):
    SsoRoleMapping.objects.create(
        claim="groups",
        value="aid-lesere",
        role=Role.MINISTRY_READER,
        ministry=Ministry.objects.get(code="AID"),
    )
    _person(sso, "ola", ["aid-lesere"])
    assert _login(client, "ola").status_code == 302
    user = get_user_model().objects.get(sso_identity__subject="ola")
    assert user.profile.ministry.code == "AID"
    assert user.groups.get().name == Role.MINISTRY_READER


def test_it_maps_a_value_nested_in_structured_claims(client, sso):
    imdi = Agency.objects.get(code="IMDi")
    SsoRoleMapping.objects.create(
        claim="authorization_details.reportees.ID",
        value="0192:974795825",
        role=Role.APPROVER,
        agency=imdi,
    )
    details = [
        {"type": "ansattporten:altinn:service", "reportees": [{"ID": "0192:974795825"}]},
        {"type": "ansattporten:altinn:service", "reportees": [{"ID": "0192:000000000"}]},
    ]
    _person(sso, "lise", [], authorization_details=details)
    assert _login(client, "lise").status_code == 302
    user = get_user_model().objects.get(sso_identity__subject="lise")
    assert user.groups.get().name == Role.APPROVER
    assert user.profile.agency == imdi


def test_it_never_takes_over_a_local_account_with_the_same_name(client, sso, ne_group):
    _person(sso, "ne", ["imdi-ne-redaktor"])
    _login(client, "ne")
    local = get_user_model().objects.get(username="ne")
    assert not SsoIdentity.objects.filter(user=local).exists()
    assert SsoIdentity.objects.get(subject="ne").user.username == "ne-2"


def test_it_refuses_an_unmapped_user_with_a_page_saying_whom_to_ask(client, sso, ne_group):
    _person(sso, "per", ["alle-ansatte"])
    response = _login(client, "per")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Du har ikke tilgang ennå" in page
    assert "per" in page
    assert "mailto:brukerstotte@example.org" in page
    assert not response.wsgi_request.user.is_authenticated
    assert not get_user_model().objects.filter(username="per").exists()
    assert client.get(reverse("home")).status_code == 302


def test_refused_logins_do_not_lock_out_the_next_person_at_the_same_address(
    client, sso, ne_group, settings
):
    _person(sso, "per", ["alle-ansatte"])
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        assert _login(client, "per").status_code == 403
    _person(sso, "kari", ["imdi-ne-redaktor"])
    assert _login(client, "kari").status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert not AccessAttempt.objects.exists()


def test_it_refuses_a_tampered_state(client, sso, ne_group):
    _person(sso, "kari", ["imdi-ne-redaktor"])
    answer = _authorize(_start(client), "kari")
    response = client.get(
        reverse("oidc_authentication_callback"), {**answer, "state": answer["state"] + "x"}
    )
    assert response.status_code == 400
    assert "Innloggingen mislyktes" in response.content.decode()
    assert not SsoIdentity.objects.exists()
    assert client.get(reverse("home")).status_code == 302


def test_it_refuses_a_code_issued_for_another_nonce(client, sso, ne_group, caplog):
    _person(sso, "kari", ["imdi-ne-redaktor"])
    # The code comes from an authorization request with another nonce than the one this
    # browser's session holds, as a code injected from another login would.
    answer = _authorize(_with_query(_start(client), nonce="another-nonce"), "kari")
    response = client.get(reverse("oidc_authentication_callback"), answer)
    assert response.status_code == 400
    assert "Nonce verification failed" in caplog.text
    assert not SsoIdentity.objects.exists()
    assert client.get(reverse("home")).status_code == 302


def test_it_refuses_a_state_used_twice(client, sso, ne_group):
    _person(sso, "kari", ["imdi-ne-redaktor"])
    answer = _authorize(_start(client), "kari")
    assert client.get(reverse("oidc_authentication_callback"), answer).status_code == 302
    client.post(reverse("logout"))
    assert client.get(reverse("oidc_authentication_callback"), answer).status_code == 400


def test_it_refuses_an_expired_id_token(
    client, expiring_provider_url, organisation, ne_group, caplog
):
    _person(expiring_provider_url, "kari", ["imdi-ne-redaktor"])
    with _configure(expiring_provider_url):
        response = _login(client, "kari")
        assert response.status_code == 400
        assert "Signature has expired" in caplog.text
        assert client.get(reverse("home")).status_code == 302
    assert not SsoIdentity.objects.exists()


def test_it_logs_out_here_and_at_the_provider(client, sso, ne_group):
    _person(sso, "kari", ["imdi-ne-redaktor"])
    _login(client, "kari")
    id_token = client.session["oidc_id_token"]

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    end_session = urlparse(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == (
        f"{sso}/oauth2/end_session"
    )
    query = parse_qs(end_session.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver" + reverse("login")]
    assert client.get(reverse("home")).status_code == 302
    assert requests.get(response["Location"], timeout=10).status_code == 200


def test_it_logs_a_local_user_out_without_the_provider(client, sso):
    assert client.post(reverse("login"), {"username": "ne", "password": "demo"}).status_code == 302
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302
