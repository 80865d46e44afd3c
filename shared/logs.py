"""One logging setup for both apps: level from settings, one line per record."""

import logging

from shared.settings import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


def configure_logging(settings: Settings) -> None:
    """Set the root level and format; servers' own access logs are left as they are."""
    logging.basicConfig(level=settings.log_level.upper(), format=LOG_FORMAT)
    logging.getLogger().setLevel(settings.log_level.upper())
