"""X-Ray tracing for every handler: one subsegment per invocation, named for what ran, with
the AWS calls it makes (botocore, hence PynamoDB and boto3 clients) traced inside it.

Lambda starts the trace (Tracing: Active); Powertools' Tracer adds the subsegments. Outside
Lambda (make run, the tests) the Tracer disables itself and nothing is registered. Responses
are never recorded (POWERTOOLS_TRACER_CAPTURE_RESPONSE=false in .chalice/config.json): they
hold tickets' QR codes, which are bearer credentials."""
from __future__ import annotations

from aws_lambda_powertools import Tracer

tracer = Tracer(service="boxoffice", patch_modules=["botocore"])
_cold_start = True


def instrument(app) -> None:
    """Traces every handler of a Chalice app (routes, schedules, event and stream consumers)."""
    if not tracer.disabled:
        app.register_middleware(trace_invocation, "all")


def invocation_name(event) -> str:
    context = getattr(event, "context", None)
    if isinstance(context, dict) and "resourcePath" in context:
        return f"{event.method} {context['resourcePath']}"
    detail_type = getattr(event, "detail_type", None)  # schedules and EventBridge events
    return f"event {detail_type}" if detail_type else type(event).__name__


def trace_invocation(event, get_response):
    global _cold_start
    name = invocation_name(event)
    with tracer.provider.in_subsegment(f"## {name}") as subsegment:
        subsegment.put_annotation("ColdStart", _cold_start)
        subsegment.put_annotation("Service", tracer.service)
        subsegment.put_annotation("Handler", name)
        _cold_start = False
        return get_response(event)  # the subsegment records an exception that escapes
