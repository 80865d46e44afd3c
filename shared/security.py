"""Password hashing (argon2 via pwdlib), JWTs (PyJWT) and the Authorization header parser."""

from datetime import timedelta
from functools import lru_cache

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from shared.errors import AuthenticationFailed
from shared.settings import Settings
from shared.timestamps import utc_now

JWT_ALGORITHM = "HS256"
TOKEN_SCHEME = "Token"

MISSING_CREDENTIALS = "authorization is required: send 'Authorization: Token <jwt>'"
MALFORMED_HEADER = "authorization header must be 'Token <jwt>'"
INVALID_TOKEN = "token is invalid"
EXPIRED_TOKEN = "token has expired"


@lru_cache
def _password_hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHash:
    return PasswordHash(
        (Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism),)
    )


def _hasher(settings: Settings) -> PasswordHash:
    return _password_hasher(
        settings.password_hash_time_cost,
        settings.password_hash_memory_kib,
        settings.password_hash_parallelism,
    )


@lru_cache
def _dummy_hash(hasher: PasswordHash) -> str:
    return hasher.hash("conduit-twins-dummy-password")


def hash_password(password: str, settings: Settings) -> str:
    """Hash a password with argon2id. CPU-heavy: async callers run it in a thread."""
    return _hasher(settings).hash(password)


def verify_password(password: str, password_hash: str | None, settings: Settings) -> bool:
    """Check a password; with no hash (unknown email) spend the same time, then fail.

    The hash carries its own argon2 parameters, so older hashes still verify.
    """
    hasher = _hasher(settings)
    if password_hash is None:
        hasher.verify(password, _dummy_hash(hasher))
        return False
    return hasher.verify(password, password_hash)


def create_token(user_id: int, settings: Settings) -> str:
    """Sign a JWT naming the user, with issue and expiry times."""
    issued_at = utc_now()
    claims = {
        "sub": str(user_id),
        "iat": issued_at,
        "exp": issued_at + timedelta(seconds=settings.token_lifetime_seconds),
    }
    return jwt.encode(claims, settings.secret_key, algorithm=JWT_ALGORITHM)


def decode_token(token: str, settings: Settings) -> int:
    """Return the user id a token names; AuthenticationFailed if forged, expired or odd."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise AuthenticationFailed(EXPIRED_TOKEN) from error
    except jwt.PyJWTError as error:
        raise AuthenticationFailed(INVALID_TOKEN) from error
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject.isdigit():
        raise AuthenticationFailed(INVALID_TOKEN)
    return int(subject)


def authenticate_header(header: str | None, settings: Settings) -> tuple[int, str] | None:
    """(user id, token) from the Authorization header; None if absent, error if bad."""
    token = token_from_header(header)
    if token is None:
        return None
    return decode_token(token, settings), token


def token_from_header(header: str | None) -> str | None:
    """Parse `Authorization: Token <jwt>`: None when absent, AuthenticationFailed if malformed."""
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != TOKEN_SCHEME.lower() or not token or " " in token:
        raise AuthenticationFailed(MALFORMED_HEADER)
    return token
