"""Each app's own /openapi.json describes the same API as contract_tests/openapi.yml."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.openapi_shape import api_shape
from contract_tests.openapi_shape import differences

SPEC_PATH = Path(__file__).with_name("openapi.yml")


def _project_spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return document


def _app_document(app_name: str) -> dict[str, Any]:
    from contract_tests.conftest import test_settings

    settings = test_settings("sqlite:///:memory:")
    if app_name == "flask":
        from flask_app import create_app as create_flask_app

        document: dict[str, Any] = (
            create_flask_app(settings).test_client().get("/openapi.json").json
        )
        return document
    from fastapi_app import create_app as create_fastapi_app

    return create_fastapi_app(settings).openapi()


@pytest.mark.parametrize("app_name", ["flask", "fastapi"])
def test_generated_openapi_document_matches_the_project_spec(app_name: str) -> None:
    found = differences(api_shape(_project_spec()), api_shape(_app_document(app_name)))
    assert not found, (
        f"{app_name} /openapi.json differs from contract_tests/openapi.yml:\n" + "\n".join(found)
    )


def test_project_spec_covers_the_reference_operations() -> None:
    reference_path = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "openapi.yml"
    if not reference_path.exists():
        pytest.skip("the reference spec is not beside the checkout")
    reference = yaml.safe_load(reference_path.read_text())
    reference_operations = {
        f"{method.upper()} /api{path.replace('{id}', '{comment_id}')}"
        for path, item in reference["paths"].items()
        for method in item
    }
    assert reference_operations <= set(api_shape(_project_spec()))
