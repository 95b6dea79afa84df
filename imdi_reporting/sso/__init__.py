"""Single sign-on with OpenID Connect (mozilla-django-oidc), beside the local accounts.

``provider`` reads the provider's discovery document, ``backend`` checks the tokens and
finds the user, ``selectors`` and ``services`` map the claims to a role and a place, and
``views`` are the login, callback, refusal and logout pages.
"""
