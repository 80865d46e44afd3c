"""The "after": the Conduit API on FastAPI and pydantic v2, served by uvicorn."""

from fastapi_app.app import create_app

__all__ = ["create_app"]
