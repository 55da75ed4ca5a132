"""Log-in and log-out."""

from auth import bp  # noqa: F401
from auth.models import User
from extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None
