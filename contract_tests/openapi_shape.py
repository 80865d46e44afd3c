"""Reduce an OpenAPI document to the shape that matters to a client, so that the project spec
and each app's generated /openapi.json can be compared: paths, methods, parameters (type and
constraints), request and response schemas (types, properties, required, nullability), statuses,
and whether the Token scheme applies. Titles, descriptions, tags, examples and component names
are left out.
"""

from typing import Any

# Where marshmallow/apispec and pydantic cannot say the same thing, the difference is dropped
# here, once, with the reason. Everything else must match exactly.
KNOWN_FRAMEWORK_DIFFERENCES = {
    "path parameter minLength 1": "flask-smorest documents path strings with minLength 1; a "
    "path segment can never be empty, so the constraint says nothing.",
    "query parameter nullability": "pydantic documents optional query parameters as "
    "anyOf[string, null]; a query parameter is absent or a string, never null.",
}

CONSTRAINTS = ("minimum", "maximum", "minLength", "maxLength", "pattern", "enum", "format")
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


class Resolver:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node


def _schema_shape(schema: Any, resolver: Resolver, depth: int = 0) -> Any:
    """A schema as {type, nullable, properties, required, items, constraints}."""
    schema = resolver.resolve(schema)
    if not isinstance(schema, dict) or depth > 8:
        return schema
    nullable = False
    variants = schema.get("anyOf") or schema.get("oneOf")
    if variants:
        non_null = [v for v in variants if resolver.resolve(v).get("type") != "null"]
        nullable = len(non_null) < len(variants)
        if len(non_null) == 1:
            inner = _schema_shape(non_null[0], resolver, depth + 1)
            return {**inner, "nullable": nullable or inner.get("nullable", False)}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _schema_shape(schema["allOf"][0], resolver, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        nullable = "null" in kind
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else sorted(kinds)
    if kind is None and "properties" in schema:
        kind = "object"
    shape: dict[str, Any] = {"type": kind, "nullable": nullable}
    if "properties" in schema:
        shape["properties"] = {
            name: _schema_shape(value, resolver, depth + 1)
            for name, value in sorted(schema["properties"].items())
        }
        shape["required"] = sorted(schema.get("required", []))
    if "items" in schema:
        shape["items"] = _schema_shape(schema["items"], resolver, depth + 1)
    for constraint in CONSTRAINTS:
        if constraint in schema and constraint != "format":
            shape[constraint] = schema[constraint]
    return shape


def _parameter_shape(parameter: dict[str, Any], resolver: Resolver) -> dict[str, Any]:
    schema = _schema_shape(parameter.get("schema", {}), resolver)
    if parameter["in"] == "path" and schema.get("minLength") == 1:
        del schema["minLength"]  # KNOWN_FRAMEWORK_DIFFERENCES["path parameter minLength 1"]
    if parameter["in"] == "query":
        schema["nullable"] = False  # KNOWN_FRAMEWORK_DIFFERENCES["query parameter nullability"]
    default = parameter.get("schema", {}).get("default")
    return {
        "in": parameter["in"],
        "required": bool(parameter.get("required", False)),
        "schema": schema,
        "default": default,
    }


def _content_shape(content: dict[str, Any] | None, resolver: Resolver) -> Any:
    if not content:
        return None
    json_content = content.get("application/json")
    if json_content is None:
        return sorted(content)
    return _schema_shape(json_content.get("schema", {}), resolver)


def api_shape(document: dict[str, Any]) -> dict[str, Any]:
    """Every operation of a document, keyed 'METHOD /path', reduced to its client-visible shape."""
    resolver = Resolver(document)
    operations: dict[str, Any] = {}
    for path, item in document["paths"].items():
        item = resolver.resolve(item)
        shared_parameters = item.get("parameters", [])
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            parameters = [
                resolver.resolve(p) for p in shared_parameters + operation.get("parameters", [])
            ]
            body = (
                resolver.resolve(operation.get("requestBody"))
                if "requestBody" in operation
                else None
            )
            responses = {
                status: _content_shape(resolver.resolve(response).get("content"), resolver)
                for status, response in operation.get("responses", {}).items()
            }
            security = operation.get("security", document.get("security", []))
            operations[f"{method.upper()} {path}"] = {
                "parameters": {p["name"]: _parameter_shape(p, resolver) for p in parameters},
                "body": None
                if body is None
                else {
                    "required": bool(body.get("required", False)),
                    "schema": _content_shape(body.get("content"), resolver),
                },
                "responses": dict(sorted(responses.items())),
                "token": any("Token" in requirement for requirement in security),
            }
    return dict(sorted(operations.items()))


def differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Readable list of differences between two shapes."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found: list[str] = []
        for key in sorted(set(expected) | set(actual), key=str):
            here = f"{where}.{key}" if where else str(key)
            if key not in actual:
                found.append(f"{here}: missing (expected {expected[key]!r})")
            elif key not in expected:
                found.append(f"{here}: unexpected {actual[key]!r}")
            else:
                found.extend(differences(expected[key], actual[key], here))
        return found
    if expected != actual:
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []
