"""The "before": the Conduit API on Flask 3, marshmallow and flask-smorest, served by gunicorn."""

from flask_app.app import create_app

__all__ = ["create_app"]
