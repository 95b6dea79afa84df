from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from imdi_reporting.services import create_api_token, revoke_all_api_tokens


class Command(BaseCommand):
    help = (
        "Create an API key for a user and print it (only the key, on standard output). "
        "The key is stored hashed and cannot be printed again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="create_api_token", help="What the key is for.")
        parser.add_argument("--days", type=int, help="Lifetime (default: API_TOKEN_DAYS).")
        parser.add_argument(
            "--rotate", action="store_true", help="Revoke the user's other keys first."
        )

    def handle(self, *args, username: str, name: str, days, rotate: bool, **options) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named '{username}'.")
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        if rotate:
            revoke_all_api_tokens(user=user)
        _token, key = create_api_token(user=user, name=name, days=days)
        self.stdout.write(key)
