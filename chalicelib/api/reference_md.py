"""The route reference of docs/api.md, rendered from the OpenAPI document (one source of truth):
every operation with its auth, parameters, request fields, answers and error codes."""
from __future__ import annotations

import json

BEGIN, END = "<!-- routes:begin (generated) -->", "<!-- routes:end -->"
METHODS = ("get", "post", "put", "patch", "delete")


def routes_markdown(document: dict) -> str:
    schemas = document["components"]["schemas"]
    by_tag: dict[str, list[tuple[str, str, dict]]] = {}
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                operation = item[method]
                by_tag.setdefault(operation["tags"][0], []).append((method, path, operation))
    parts = [BEGIN, "", "_Generated from `docs/openapi.json` by `python -m chalicelib.tools.openapi`;"
             " edit the routes' `RouteDoc`, not this section._", ""]
    for tag in sorted(by_tag):
        parts += [f"### {tag.capitalize()}", ""]
        for method, path, operation in sorted(by_tag[tag], key=lambda r: (r[1], METHODS.index(r[0]))):
            parts += _operation(method, path, operation, schemas)
    parts += ["### Models", "", "Fields marked `?` may be absent; `| null` may be null.", ""]
    for name in sorted(schemas):
        if schemas[name].get("properties"):
            parts += [f"- `{name}`: {_fields({'$ref': f'#/components/schemas/{name}'}, schemas)}"]
    parts += ["", END]
    return "\n".join(parts) + "\n"


def _operation(method: str, path: str, op: dict, schemas: dict) -> list[str]:
    lines = [f"#### `{method.upper()} {path}`: {op['summary']}", ""]
    auth = "none (public)" if op.get("security") == [] or "security" not in op else "bearer token"
    lines.append(f"- Auth: {auth}. {op.get('description', '').strip()}".rstrip())
    for param in op.get("parameters", []):
        required = "required" if param.get("required") else "optional"
        lines.append(f"- {param['in'].capitalize()} `{param['name']}` ({required}, "
                     f"{_type(param.get('schema', {}), schemas)})"
                     + (f": {param['description']}" if param.get("description") else ""))
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    if body:
        lines.append(f"- Body: {_fields(body['schema'], schemas)}")
    for status, answer in sorted(op["responses"].items()):
        lines.append(f"- **{status}**: {_answer(status, answer, schemas)}")
    lines.append("")
    return lines


def _answer(status: str, answer: dict, schemas: dict) -> str:
    content = answer.get("content", {})
    if not status.startswith(("2", "3")):
        examples = content.get("application/json", {}).get("examples", {})
        return ", ".join(f"`{code}`" for code in sorted(examples)) or answer["description"]
    media = ", ".join(f"`{m}`" for m in content if m != "application/json")
    schema = content.get("application/json", {}).get("schema")
    text = answer["description"]
    if schema and "$ref" in schema:
        text = f"`{_name(schema)}`: {_fields(schema, schemas)}"
    return text + (f" (also {media})" if media else "")


def _fields(schema: dict, schemas: dict) -> str:
    model = _resolve(schema, schemas)
    props = model.get("properties")
    if not props:
        return _type(schema, schemas)
    required = set(model.get("required", []))
    shown = []
    for name, prop in props.items():
        mark = "" if name in required else "?"
        shown.append(f"`{name}{mark}` {_type(prop, schemas)}")
    return "{" + ", ".join(shown) + "}"


def _type(schema: dict, schemas: dict) -> str:
    if "$ref" in schema:
        return _name(schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_type(s, schemas) for s in schema[key])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _type(schema["allOf"][0], schemas)
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"[{_type(schema.get('items', {}), schemas)}]"
    limits = [f"{k} {schema[k]}" for k in ("minimum", "maximum", "minLength", "maxLength")
              if k in schema]
    return kind + (f" ({', '.join(limits)})" if limits else "")


def _resolve(schema: dict, schemas: dict) -> dict:
    while "$ref" in schema:
        schema = schemas[_name(schema)]
    return schema


def _name(schema: dict) -> str:
    return schema["$ref"].rsplit("/", 1)[1]


def splice(text: str, generated: str) -> str:
    """docs/api.md with its generated section replaced."""
    if BEGIN not in text or END not in text:
        raise ValueError(f"docs/api.md lacks the markers {BEGIN} ... {END}")
    head, rest = text.split(BEGIN, 1)
    return head + generated + rest.split(END, 1)[1].lstrip("\n")
