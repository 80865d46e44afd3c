"""The domain layer both apps call: models, services, rules, security and settings.

Nothing in this package imports Flask, FastAPI, marshmallow or pydantic request models.
"""
