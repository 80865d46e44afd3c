"""Deterministic demo content for a migrated database: `python -m shared.seed`.

Everything goes through the domain services, so the demo data obeys the same rules as the API.
"""

import random
import sys
from dataclasses import dataclass

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from shared.db import create_sync_engine
from shared.errors import NotFound
from shared.security import hash_password
from shared.services import articles
from shared.services import comments
from shared.services import profiles
from shared.services import users
from shared.settings import get_settings

SEED = 42
DEMO_PASSWORD = "password123"
USER_COUNT = 30
ARTICLE_COUNT = 60
COMMENT_COUNT = 150
MAX_FOLLOWS_PER_USER = 6
MAX_FAVORITES_PER_USER = 8

FIRST_NAMES = (
    "alice", "bruno", "chloe", "dmitri", "elena", "farid", "grace", "hiro", "ines", "jonas",
    "kemi", "lucas", "maya", "nadia", "oscar", "priya", "quentin", "rosa", "samir", "tess",
    "umar", "vera", "wendell", "xiomara", "yusuf", "zoe", "amara", "bastian", "carmen", "diego",
)  # fmt: skip
LAST_NAMES = (
    "adams", "becker", "costa", "dubois", "evans", "fischer", "garcia", "hughes", "ivanova",
    "jensen", "kowalski", "lindqvist", "moreau", "novak", "okafor", "petrov", "quinn", "rossi",
)  # fmt: skip
TAGS = (
    "python", "flask", "fastapi", "sqlalchemy", "testing", "devops", "databases", "security",
    "performance", "architecture", "career", "open-source", "web", "async", "tooling",
)  # fmt: skip
BIOS = (
    "Backend developer. Coffee first, then code.",
    "I write about the boring parts of software that keep everything running.",
    "Open-source maintainer and occasional conference speaker.",
    "Learning in public, one article at a time.",
    "Databases, queues and the people who keep them healthy.",
    None,
)
TOPICS = (
    "database migrations", "API design", "code review", "connection pooling", "password hashing",
    "pagination", "error handling", "contract testing", "async Python", "dependency injection",
    "structured logging", "rate limiting", "schema validation", "background jobs", "caching",
    "feature flags", "type hints", "load testing", "on-call rotations", "technical writing",
)  # fmt: skip
ADJECTIVES = (
    "practical", "gentle", "pragmatic", "short", "blunt", "careful", "complete", "lazy",
)  # fmt: skip
TITLE_TEMPLATES = (
    "A {adjective} guide to {topic}",
    "What nobody tells you about {topic}",
    "Lessons from {years} years of {topic}",
    "Why {topic} matters more than you think",
    "{Topic} without the tears",
    "Getting {topic} right the first time",
    "The {adjective} engineer's notes on {topic}",
    "Ten mistakes I made with {topic}",
)
# Demo links use the reserved .example domain (RFC 2606): they never resolve, so opening an
# article's link previews on a demo server sends no traffic off the machine.
LINKS = (
    ("the Python documentation", "https://docs.python.example/3/"),
    ("the SQLAlchemy tutorial", "https://docs.sqlalchemy.example/en/20/tutorial/"),
    ("the RealWorld project", "https://realworld.example/"),
    ("the Flask docs", "https://flask.example/"),
    ("the FastAPI docs", "https://fastapi.example/"),
    ("RFC 9110", "https://rfc-editor.example/rfc/rfc9110"),
    ("the twelve-factor app", "https://12factor.example/"),
)
PARAGRAPHS = (
    "When I first ran into {topic}, I assumed it was a solved problem. It mostly is, but the "
    "details are where production incidents come from.",
    "The trick is to keep the happy path boring. Measure first, then change one thing at a time, "
    "and write down what you expected before you look at the numbers.",
    "Most teams get {topic} wrong in the same way: they optimise for the demo instead of the "
    "third week in production.",
    "A small checklist beats a large framework here. Ours fits on an index card and has saved us "
    "more than once.",
    "If you only remember one thing, make it this: **make the failure visible** before you try to "
    "make it rare.",
    "We rolled this out behind a flag, watched the error rate for a week, and only then removed "
    "the old code path.",
)
BULLETS = (
    "Start with the simplest thing that works.",
    "Write the test that would have caught last month's bug.",
    "Keep configuration in the environment.",
    "Prefer one obvious way over three clever ones.",
    "Log the decision, not just the outcome.",
    "Delete code you no longer need.",
)
COMMENTS = (
    "Great write-up, thanks for sharing!",
    "We hit exactly this last quarter. Wish I had read this sooner.",
    "Could you expand on the second point? I am not sure I follow.",
    "Bookmarked. The checklist alone is worth it.",
    "I disagree slightly: in our case the simple approach did not scale past a few hundred users.",
    "Clear and to the point. More of this, please.",
    "Do you have numbers for the before and after?",
    "This matches my experience, especially the part about making failures visible.",
    "Nice. How does this interact with connection pooling?",
    "Sharing this with my team tomorrow.",
)


@dataclass(frozen=True, slots=True)
class SeedResult:
    """What the seed created."""

    users: int
    articles: int
    comments: int
    tags: int
    follows: int
    favorites: int


def demo_usernames() -> list[str]:
    """The demo usernames, in creation order; the first marks a seeded database."""
    return [
        f"{first}.{LAST_NAMES[index % len(LAST_NAMES)]}"
        for index, first in enumerate(FIRST_NAMES[:USER_COUNT])
    ]


def _title(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    """A title not used yet, and the topic it is about."""
    while True:
        topic = rng.choice(TOPICS)
        title = rng.choice(TITLE_TEMPLATES).format(
            adjective=rng.choice(ADJECTIVES),
            topic=topic,
            Topic=topic[0].upper() + topic[1:],
            years=rng.randint(2, 15),
        )
        if title not in taken:
            taken.add(title)
            return title, topic


def _body(rng: random.Random, topic: str) -> str:
    paragraphs = [p.format(topic=topic) for p in rng.sample(PARAGRAPHS, rng.randint(2, 4))]
    bullets = "\n".join(f"- {item}" for item in rng.sample(BULLETS, rng.randint(2, 4)))
    parts = [paragraphs[0], "## What worked", bullets, *paragraphs[1:]]
    if rng.random() < 0.6:
        label, url = rng.choice(LINKS)
        parts.append(f"Further reading: [{label}]({url}).")
    return "\n\n".join(parts)


def seed(session: Session, rng: random.Random) -> SeedResult:
    """Create users, follows, articles, favorites and comments through the services."""
    print(f"seed: hashing the demo password once for {USER_COUNT} users")
    password_hash = hash_password(DEMO_PASSWORD, get_settings())

    print(f"seed: registering {USER_COUNT} users (password: {DEMO_PASSWORD!r})")
    user_ids: dict[str, int] = {}
    for username in demo_usernames():
        new_user = users.prepare_registration(
            username=username, email=f"{username}@example.com", password=DEMO_PASSWORD
        )
        user = users.register(session, new_user=new_user, password_hash=password_hash)
        bio = rng.choice(BIOS)
        if bio is not None:
            users.update_user(
                session,
                user_id=user.id,
                changes=users.prepare_update(bio=bio),
                password_hash=None,
            )
        user_ids[username] = user.id
    usernames = list(user_ids)

    print("seed: following")
    follow_count = 0
    for username, user_id in user_ids.items():
        others = [name for name in usernames if name != username]
        for followed in rng.sample(others, rng.randint(0, MAX_FOLLOWS_PER_USER)):
            profiles.follow(session, username=followed, follower_id=user_id)
            follow_count += 1

    print(f"seed: publishing {ARTICLE_COUNT} articles")
    titles: set[str] = set()
    slugs: list[str] = []
    tags_used: set[str] = set()
    for index in range(ARTICLE_COUNT):
        title, topic = _title(rng, titles)
        # The first tag cycles through all of them, so every tag is in use.
        tag_list = {TAGS[index % len(TAGS)], *rng.sample(TAGS, rng.randint(0, 3))}
        draft = articles.prepare_article(
            title=title,
            description=f"Notes on {topic}, from someone who learned it the hard way.",
            body=_body(rng, topic),
            tag_list=sorted(tag_list),
        )
        author_id = user_ids[rng.choice(usernames)]
        article = articles.create_article(session, author_id=author_id, draft=draft)
        slugs.append(article.slug)
        tags_used.update(article.tag_list)

    print("seed: favoriting")
    favorite_count = 0
    for user_id in user_ids.values():
        for slug in rng.sample(slugs, rng.randint(0, MAX_FAVORITES_PER_USER)):
            articles.favorite_article(session, slug=slug, user_id=user_id)
            favorite_count += 1

    print(f"seed: writing {COMMENT_COUNT} comments")
    for _ in range(COMMENT_COUNT):
        comments.add_comment(
            session,
            slug=rng.choice(slugs),
            author_id=user_ids[rng.choice(usernames)],
            body=comments.prepare_comment(body=rng.choice(COMMENTS)),
        )

    return SeedResult(
        users=len(user_ids),
        articles=len(slugs),
        comments=COMMENT_COUNT,
        tags=len(tags_used),
        follows=follow_count,
        favorites=favorite_count,
    )


def already_seeded(session: Session) -> bool:
    """True when the first demo user exists."""
    try:
        profiles.get_profile(session, username=demo_usernames()[0], viewer_id=None)
    except NotFound:
        return False
    return True


def main() -> int:
    """Seed the database that DATABASE_URL names, unless it already holds the demo users."""
    settings = get_settings()
    engine = create_sync_engine(settings)
    print(f"seed: database {engine.url.render_as_string(hide_password=True)}")
    try:
        with sessionmaker(engine, expire_on_commit=False)() as session:
            if already_seeded(session):
                print(f"seed: user {demo_usernames()[0]!r} exists: the database is already seeded")
                print("seed: nothing to do (already seeded)")
                return 0
            result = seed(session, random.Random(SEED))
    finally:
        engine.dispose()
    print(
        f"seed: {result.users} users, {result.articles} articles, {result.comments} comments, "
        f"{result.tags} tags, {result.follows} follows, {result.favorites} favorites"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
