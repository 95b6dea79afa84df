"""The interface language a user chose, remembered across devices.

The language switch stores the choice in the user's profile and session; at login the
profile's choice is put into the new session, where LanguageMiddleware finds it.
"""

from django.http import HttpRequest

from goals.selectors import user_profile

SESSION_LANGUAGE_KEY = "interface_language"


def restore_language_at_login(sender, *, request: HttpRequest | None, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    profile = user_profile(user=user)
    if profile is not None and profile.language:
        request.session[SESSION_LANGUAGE_KEY] = profile.language
