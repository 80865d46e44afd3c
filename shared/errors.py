"""Domain errors. Services raise these; each app maps them to HTTP in one place."""


class DomainError(Exception):
    """A rule of the domain refused the operation; `messages` are safe to show to clients."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages: tuple[str, ...] = messages


class ValidationFailed(DomainError):
    """Input is well-formed but breaks a rule (blank, too long, already taken...)."""


class AuthenticationFailed(DomainError):
    """Credentials or token are missing, malformed, expired, forged or unknown."""


class PermissionDenied(DomainError):
    """The authenticated user may not act on this resource (not the owner)."""


class NotFound(DomainError):
    """The article, profile or comment does not exist."""
