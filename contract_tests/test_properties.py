"""Property tests generated from contract_tests/openapi.yml (schemathesis + hypothesis), run
against each app: whatever the request, valid or not, the answer is no 5xx, a documented status,
a body valid against the spec, timestamps in the contract's format, and authentication honoured.

CI runs a bounded, derandomised number of examples; CONDUIT_PROPERTY_EXAMPLES raises it.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance
from schemathesis.checks import not_a_server_error
from schemathesis.checks import response_schema_conformance
from schemathesis.checks import status_code_conformance

from contract_tests.support import Api

SPEC = yaml.safe_load(Path(__file__).with_name("openapi.yml").read_text())
SCHEMA = schemathesis.openapi.from_dict(SPEC)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
MAX_EXAMPLES = int(os.environ.get("CONDUIT_PROPERTY_EXAMPLES", "8"))
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
# Statuses that may come before authentication (CONTRACT.md, Precedence).
BEFORE_AUTHENTICATION = {400, 404, 413, 415, 422}


@dataclass(frozen=True)
class World:
    """Known resources, so generated requests sometimes hit things that exist."""

    token: str
    path_values: dict[str, str]


def _world(api: Api) -> World:
    author = api.register()
    article = api.create_article(author, tags=["generated"])
    comment = api.add_comment(author, article["slug"])
    return World(
        token=author.token,
        path_values={
            "slug": article["slug"],
            "username": author.username,
            "comment_id": str(comment["id"]),
        },
    )


def _requires_token(operation: Any) -> bool:
    """Protected: a Token requirement and no anonymous alternative ({})."""
    requirements = operation.definition.raw.get("security") or []
    return {"Token": []} in requirements and {} not in requirements


def _timestamps_in_contract_format(body: Any) -> None:
    if isinstance(body, dict):
        for key, value in body.items():
            if key in ("createdAt", "updatedAt"):
                assert isinstance(value, str) and TIMESTAMP.fullmatch(value), (key, value)
            else:
                _timestamps_in_contract_format(value)
    elif isinstance(body, list):
        for item in body:
            _timestamps_in_contract_format(item)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=lambda operation: f"{operation.method.upper()} {operation.path}"
)
def test_generated_requests_get_documented_answers(
    api: Api, operation: Any, mode: GenerationMode
) -> None:
    world = _world(api)
    protected = _requires_token(operation)
    base_url = str(api.client.base_url).rstrip("/")

    @given(
        case=operation.as_strategy(generation_mode=mode),
        send_token=st.booleans(),
        use_known_resources=st.booleans(),
    )
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=not os.environ.get("CONDUIT_FUZZ_RANDOM"),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any, send_token: bool, use_known_resources: bool) -> None:
        if use_known_resources and case.path_parameters:
            for name in case.path_parameters:
                if name in world.path_values:
                    case.path_parameters[name] = world.path_values[name]
        request = case.as_transport_kwargs(base_url=base_url)
        headers = {
            name: value
            for name, value in request.pop("headers").items()
            if name.lower() != "authorization"
        }
        if send_token:
            headers["Authorization"] = f"Token {world.token}"
        request.pop("cookies", None)
        response: httpx.Response = api.client.request(headers=headers, **request)

        case.validate_response(
            response,
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )
        if response.headers.get("content-type") == "application/json":
            _timestamps_in_contract_format(response.json())
        if protected and not send_token:
            assert response.status_code == 401 or response.status_code in BEFORE_AUTHENTICATION, (
                f"{operation.method.upper()} {operation.path} answered {response.status_code} "
                "without a token"
            )
        if response.status_code == 401:
            assert response.headers["www-authenticate"] == "Token"

    try:
        run()
    except Unsatisfiable:
        # Only string path parameters and no body: schemathesis has nothing it can make invalid.
        pytest.skip(f"no invalid request can be generated for {operation.path}")
