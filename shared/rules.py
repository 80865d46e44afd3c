"""Pure rules of the domain: no database, no framework. Tested without either."""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from shared.errors import ValidationFailed

USERNAME_MAX = 40
EMAIL_MAX = 254
PASSWORD_MIN = 8
PASSWORD_MAX = 128
BIO_MAX = 1000
IMAGE_MAX = 2048
TITLE_MAX = 200
DESCRIPTION_MAX = 500
ARTICLE_BODY_MAX = 100_000
COMMENT_BODY_MAX = 10_000
TAG_MAX = 50
TAGS_PER_ARTICLE_MAX = 10
SLUG_MAX = 100
LIMIT_DEFAULT = 20
LIMIT_MAX = 100
# Ids above this cannot exist (PostgreSQL BIGINT); refuse them before they reach SQL.
ID_MAX = 2**63 - 1

_USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")
# Deliberately loose: one @, a dot in the domain, no spaces. Delivery is the real check.
_EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DIGITS = re.compile(r"[0-9]+")


class Unset:
    """Marks a field the client did not send, as opposed to one sent as null."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset()


class Problems:
    """Collects validation messages in the order fields are checked, then raises once."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationFailed(*self.messages)


def check_text(
    problems: Problems, field: str, value: str | None, *, maximum: int, required: bool = True
) -> None:
    """Record 'can't be blank' or 'is too long' for one text field."""
    if value is None or not value.strip():
        if required:
            problems.add(f"{field} can't be blank")
        return
    if len(value) > maximum:
        problems.add(f"{field} is too long (maximum is {maximum} characters)")


def check_username(problems: Problems, username: str | None) -> None:
    check_text(problems, "username", username, maximum=USERNAME_MAX)
    if username and username.strip() and not _USERNAME_PATTERN.fullmatch(username):
        problems.add("username may only contain letters, digits, '.', '_' and '-'")


def check_email(problems: Problems, email: str | None) -> None:
    check_text(problems, "email", email, maximum=EMAIL_MAX)
    if email and email.strip() and not _EMAIL_PATTERN.fullmatch(email.strip()):
        problems.add("email is invalid")


def check_password(problems: Problems, password: str | None) -> None:
    if password is None or password == "":
        problems.add("password can't be blank")
    elif len(password) < PASSWORD_MIN:
        problems.add(f"password is too short (minimum is {PASSWORD_MIN} characters)")
    elif len(password) > PASSWORD_MAX:
        problems.add(f"password is too long (maximum is {PASSWORD_MAX} characters)")


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively: store them trimmed and lower-cased."""
    return email.strip().lower()


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Trim, collapse inner whitespace, lower-case, drop empties and duplicates; sorted."""
    cleaned = {" ".join(tag.split()).lower() for tag in tags}
    cleaned.discard("")
    return tuple(sorted(cleaned))


def check_tags(problems: Problems, tags: tuple[str, ...]) -> None:
    if len(tags) > TAGS_PER_ARTICLE_MAX:
        problems.add(f"tagList is too long (maximum is {TAGS_PER_ARTICLE_MAX} tags)")
    if any(len(tag) > TAG_MAX for tag in tags):
        problems.add(f"tag is too long (maximum is {TAG_MAX} characters)")


def slugify(title: str) -> str:
    """Make a URL-safe slug from a title: ASCII, lower case, hyphen-separated."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "article"


def numbered_slug(base: str, taken: Iterable[str]) -> str:
    """Return `base`, or `base-2`, `base-3`... the first that is not taken."""
    taken_set = set(taken)
    if base not in taken_set:
        return base
    number = 2
    while f"{base}-{number}" in taken_set:
        number += 1
    return f"{base}-{number}"


@dataclass(frozen=True, slots=True)
class Page:
    """Validated pagination: limit 1..100, offset >= 0."""

    limit: int = LIMIT_DEFAULT
    offset: int = 0


LIMIT_MESSAGE = f"limit must be an integer between 1 and {LIMIT_MAX}"
OFFSET_MESSAGE = "offset must be an integer greater than or equal to 0"


def parse_limit(raw: str) -> int:
    """Parse ?limit=: plain ASCII digits only (no sign, spaces or decimals), 1..100."""
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= LIMIT_MAX:
        raise ValueError(LIMIT_MESSAGE)
    return int(raw)


def parse_offset(raw: str) -> int:
    """Parse ?offset=: plain ASCII digits only, >= 0 and within the id range."""
    if not _DIGITS.fullmatch(raw) or int(raw) > ID_MAX:
        raise ValueError(OFFSET_MESSAGE)
    return int(raw)
