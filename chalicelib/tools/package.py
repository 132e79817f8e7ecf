"""Packages a stage for AWS: `chalice package`, infra/app.yaml merged in, one role per
function, failure handling on every asynchronous consumer, and a lean zip.

    python -m chalicelib.tools.package --stage dev --outputs build/dev/outputs.json
    python -m chalicelib.tools.package --stage prod --sample-outputs   # offline (lint, CI)

--outputs is the JSON object of the data and auth stacks' outputs that infra/deploy.sh
writes; the packaged template takes them as parameters (parameter-overrides.txt beside it).
Packaging refuses, with one line per reason, when the stage's settings would not start
(chalicelib.tools.preflight) or when the outbox relays would be missing."""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from chalice.package import TemplateDeepMerger
from cfnlint.decode.cfn_yaml import loads as load_cfn_yaml

from . import preflight, slim_zip

ROOT = pathlib.Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
STACK_OUTPUTS = ("CatalogTableName", "BookingTableName", "ProjectionTableName",
                 "IdempotencyTableName", "EventBusName", "CatalogStreamArn", "BookingStreamArn",
                 "UserPoolId", "UserPoolArn", "UserPoolClientId", "WebhookQueueArn",
                 "WebhookQueueName", "LiveTableName")
# app.py reads these while Chalice packages it: the relays and the Cognito authorizer exist
# only if they are set.
PACKAGE_TIME_ENVIRONMENT = {"BOOKING_STREAM_ARN": "BookingStreamArn",
                            "CATALOG_STREAM_ARN": "CatalogStreamArn",
                            "COGNITO_USER_POOL_ARN": "UserPoolArn",
                            "WEBHOOK_QUEUE_ARN": "WebhookQueueArn"}
OUTBOX_RELAYS = {"RelayBookingStream": "BookingStreamArn",
                 "RelayCatalogStream": "CatalogStreamArn"}

# What happens when asynchronous work fails, by the kind of event a function consumes.
STREAM_SETTINGS = {
    # TRIM_HORIZON: changes made before the mapping existed are still published.
    "StartingPosition": "TRIM_HORIZON",
    # A poison record is isolated by halving the batch, retried a few times, then handed to
    # the failure queue, so it holds its shard for seconds, not the stream's 24 hours.
    "BisectBatchOnFunctionError": True,
    "MaximumRetryAttempts": 5,
    "MaximumRecordAgeInSeconds": 3600,
}
FAILURE_QUEUE_BY_EVENT = {"DynamoDB": "OutboxRelayFailureQueue",
                          "CloudWatchEvent": "DomainEventFailureQueue",
                          "EventBridgeRule": "DomainEventFailureQueue",
                          "Schedule": "ScheduledJobFailureQueue"}
# Lambda's own retries of an asynchronous invocation that failed, before the failure queue.
ASYNC_RETRIES = {"DomainEventFailureQueue": {"MaximumRetryAttempts": 2,
                                             "MaximumEventAgeInSeconds": 3600},
                 # The next run, a minute later, is the retry.
                 "ScheduledJobFailureQueue": {"MaximumRetryAttempts": 0,
                                              "MaximumEventAgeInSeconds": 60}}
# EventBridge's retries when it cannot hand an event to Lambda at all.
DELIVERY_RETRIES = {"DomainEventFailureQueue": {"MaximumRetryAttempts": 185,
                                                "MaximumEventAgeInSeconds": 3600},
                    "ScheduledJobFailureQueue": {"MaximumRetryAttempts": 0,
                                                 "MaximumEventAgeInSeconds": 60}}


class PackagingError(Exception):
    """The stage cannot be packaged; the message says why and what to do."""


def sample_outputs(stage: str, region: str = "us-east-1", account: str = "123456789012") -> dict:
    """Plausible outputs for packaging offline (lint, tests, benchmarks); never deployed."""
    table = f"arn:aws:dynamodb:{region}:{account}:table/boxoffice-{stage}"
    return {"CatalogTableName": f"boxoffice-{stage}-catalog",
            "BookingTableName": f"boxoffice-{stage}-booking",
            "ProjectionTableName": f"boxoffice-{stage}-projection",
            "IdempotencyTableName": f"boxoffice-{stage}-idempotency",
            "EventBusName": f"boxoffice-{stage}",
            "CatalogStreamArn": f"{table}-catalog/stream/2026-01-01T00:00:00.000",
            "BookingStreamArn": f"{table}-booking/stream/2026-01-01T00:00:00.000",
            "UserPoolId": f"{region}_SAMPLE0000",
            "UserPoolArn": f"arn:aws:cognito-idp:{region}:{account}:userpool/{region}_SAMPLE0000",
            "UserPoolClientId": "sample0client0id0000000000",
            "WebhookQueueArn": f"arn:aws:sqs:{region}:{account}:boxoffice-{stage}-webhooks",
            "WebhookQueueName": f"boxoffice-{stage}-webhooks",
            "LiveTableName": f"boxoffice-{stage}-live"}


def check_settings(stage: str, outputs: dict) -> None:
    missing = [key for key in STACK_OUTPUTS if not outputs.get(key)]
    if missing:
        relay = [k for k in missing if k in OUTBOX_RELAYS.values()]
        why = (" (without the stream ARNs the outbox relays would be left out, and "
               "availability and sales would never change)" if relay else "")
        raise PackagingError(f"stack outputs missing: {', '.join(missing)}{why}; deploy the "
                             "data and auth stacks first (make deploy does) and pass --outputs")
    env = preflight.with_stack_outputs(preflight.stage_environment(stage), outputs)
    found = preflight.problems(stage, env, resolved=True)
    if found:
        raise PackagingError("\n".join(f"{stage}: {line}" for line in found))


def run_chalice_package(stage: str, outputs: dict, into: pathlib.Path) -> dict:
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # boto wants one; nothing is called
    env.update({var: outputs[key] for var, key in PACKAGE_TIME_ENVIRONMENT.items()})
    chalice = pathlib.Path(sys.executable).with_name("chalice")
    result = subprocess.run([str(chalice), "package", "--stage", stage, str(into)], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    if result.returncode:
        raise PackagingError(f"chalice package failed:\n{result.stdout}{result.stderr}")
    return json.loads((into / "sam.json").read_text())


def load_infra(name: str) -> dict:
    return load_cfn_yaml((INFRA / name).read_text(), str(INFRA / name))


def functions(template: dict) -> dict:
    return {name: r for name, r in template["Resources"].items()
            if r.get("Type") == "AWS::Serverless::Function"}


def check_relays(template: dict) -> None:
    present = functions(template)
    for name in OUTBOX_RELAYS:
        events = present.get(name, {}).get("Properties", {}).get("Events", {})
        if not any(e.get("Type") == "DynamoDB" for e in events.values()):
            raise PackagingError(f"the outbox relay {name} is not in the package: app.py "
                                 "registers it only when its stream ARN is set")


def sub(text: str) -> dict:
    return {"Fn::Sub": text}


def arn(service: str, resource: str) -> dict:
    return sub(f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")


def function_name(logical_id: str) -> dict:
    return sub(f"boxoffice-${{Stage}}-{logical_id}")


def failure_queue(function: dict) -> str | None:
    kinds = {e["Type"] for e in function["Properties"].get("Events", {}).values()}
    # An SQS consumer's failures go to its queue's own dead-letter queue (its redrive policy).
    unknown = kinds - set(FAILURE_QUEUE_BY_EVENT) - {"Api", "SQS"}
    if unknown:
        raise PackagingError(f"no failure handling is defined for {', '.join(sorted(unknown))} "
                             "events (chalicelib/tools/package.py FAILURE_QUEUE_BY_EVENT)")
    queues = {FAILURE_QUEUE_BY_EVENT[k] for k in kinds if k in FAILURE_QUEUE_BY_EVENT}
    if len(queues) > 1:
        raise PackagingError("a function consumes two kinds of asynchronous events")
    return queues.pop() if queues else None


def handle_failures(logical_id: str, function: dict, queue: str) -> None:
    props = function["Properties"]
    destination = {"Fn::GetAtt": [queue, "Arn"]}
    for name, event in list(props.get("Events", {}).items()):
        spec = event["Properties"]
        if event["Type"] == "DynamoDB":
            spec.update(STREAM_SETTINGS)
            if logical_id in OUTBOX_RELAYS:
                spec["Stream"] = {"Ref": OUTBOX_RELAYS[logical_id]}
            spec["DestinationConfig"] = {"OnFailure": {"Destination": destination}}
            continue
        if event["Type"] == "CloudWatchEvent":
            # Same thing, newer name: it takes a bus, retries and a dead-letter queue.
            event["Type"] = "EventBridgeRule"
            spec["EventBusName"] = {"Ref": "EventBusName"}
        spec["RetryPolicy"] = dict(DELIVERY_RETRIES[queue])
        spec["DeadLetterConfig"] = {"Arn": destination}
        props["EventInvokeConfig"] = dict(
            ASYNC_RETRIES[queue],
            DestinationConfig={"OnFailure": {"Type": "SQS", "Destination": destination}})


def role_statements(logical_id: str, function: dict, spec: dict, queue: str | None) -> list:
    log_group = f"log-group:/aws/lambda/boxoffice-${{Stage}}-{logical_id}"
    statements = [
        {"Sid": "OwnLogGroup", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [arn("logs", log_group), arn("logs", f"{log_group}:log-stream:*")]},
        # X-Ray's write actions take no resource ARN: "*" is the only form IAM accepts.
        {"Sid": "Traces", "Effect": "Allow",
         "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
    ]
    if queue:
        statements.append({"Sid": "FailureQueue", "Effect": "Allow", "Action": "sqs:SendMessage",
                           "Resource": {"Fn::GetAtt": [queue, "Arn"]}})
    env = function["Properties"].get("Environment", {}).get("Variables", {})
    names = [env[v] for v in spec.get("Parameters", []) if isinstance(env.get(v), str)]
    if names:
        statements.append({"Sid": "Parameters", "Effect": "Allow", "Action": "ssm:GetParameter",
                           "Resource": [arn("ssm", f"parameter{n}") for n in names]})
    return statements + list(spec.get("Statements", []))


def give_own_role(template: dict, logical_id: str, function: dict, policies: dict,
                  queue: str | None) -> None:
    if logical_id not in policies:
        raise PackagingError(f"{logical_id} has no IAM policy: add it to infra/policies.yaml")
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    role = template["Resources"][role_id]["Properties"]
    role["Policies"] = [{"PolicyName": f"{logical_id}Policy", "PolicyDocument": {
        "Version": "2012-10-17",
        "Statement": role_statements(logical_id, function, policies[logical_id], queue)}}]


def name_and_log(template: dict, logical_id: str, function: dict) -> None:
    """A fixed name, so the role can name its log group without depending on the function;
    the log group comes first, so no line is written before its retention is set."""
    props = function["Properties"]
    props["FunctionName"] = function_name(logical_id)
    props["Tracing"] = "Active"
    # Chalice names the API handler's group after "${ApiHandler}", a resource that does not
    # exist (the function is "APIHandler"): match case-insensitively and fix the name.
    wanted = f"/aws/lambda/${{{logical_id}}}".lower()
    log_ids = [k for k, r in template["Resources"].items() if r["Type"] == "AWS::Logs::LogGroup"
               and str(r["Properties"]["LogGroupName"].get("Fn::Sub", "")).lower() == wanted]
    if not log_ids:
        raise PackagingError(f"{logical_id} has no log group (log_retention_in_days unset?)")
    template["Resources"][log_ids[0]]["Properties"]["LogGroupName"] = sub(
        f"/aws/lambda/boxoffice-${{Stage}}-{logical_id}")
    function["DependsOn"] = log_ids[0]
    variables = props.setdefault("Environment", {}).setdefault("Variables", {})
    variables.update({var: {"Ref": key} for var, key in preflight.FROM_STACK_OUTPUTS.items()})


def cognito_authorizers_from_parameters(template: dict) -> None:
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    for definition in body.get("securityDefinitions", {}).values():
        authorizer = definition.get("x-amazon-apigateway-authorizer", {})
        if authorizer.get("type") == "cognito_user_pools":
            authorizer["providerARNs"] = [{"Ref": "UserPoolArn"}]


def queues_from_parameters(function: dict) -> None:
    """The webhook queue comes from its own stack, as a parameter like every stack output."""
    for event in function["Properties"].get("Events", {}).values():
        if event["Type"] == "SQS":
            event["Properties"]["Queue"] = {"Ref": "WebhookQueueArn"}


def build_template(chalice_template: dict) -> dict:
    template = TemplateDeepMerger().merge(load_infra("app.yaml"), chalice_template)
    policies = load_infra("policies.yaml")
    for logical_id, function in functions(template).items():
        queue = failure_queue(function)
        if queue:
            handle_failures(logical_id, function, queue)
        queues_from_parameters(function)
        name_and_log(template, logical_id, function)
        give_own_role(template, logical_id, function, policies, queue)
    cognito_authorizers_from_parameters(template)
    return template


def package(stage: str, outputs: dict, out: pathlib.Path, keep_chalice_zip: bool = False
            ) -> pathlib.Path:
    """Writes sam.json, deployment.zip and parameter-overrides.txt into `out`;
    keep_chalice_zip also keeps the zip as `chalice package` made it (for comparisons)."""
    check_settings(stage, outputs)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chalice-package-") as tmp:
        raw = run_chalice_package(stage, outputs, pathlib.Path(tmp))
        check_relays(raw)
        template = build_template(raw)
        slim_zip.rebuild(pathlib.Path(tmp) / "deployment.zip", out / "deployment.zip")
        if keep_chalice_zip:
            shutil.copyfile(pathlib.Path(tmp) / "deployment.zip", out / "chalice-deployment.zip")
    (out / "sam.json").write_text(json.dumps(template, indent=2, sort_keys=True))
    overrides = [f"{key}={outputs[key]}" for key in STACK_OUTPUTS] + [f"Stage={stage}"]
    (out / "parameter-overrides.txt").write_text("\n".join(overrides) + "\n")
    return out / "sam.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--outputs", type=pathlib.Path, help="stack outputs (JSON object)")
    source.add_argument("--sample-outputs", action="store_true",
                        help="made-up outputs, to package offline for lint and tests")
    parser.add_argument("--out", type=pathlib.Path, help="default: build/STAGE")
    args = parser.parse_args(argv)
    outputs = (sample_outputs(args.stage) if args.sample_outputs
               else json.loads(args.outputs.read_text()))
    try:
        template = package(args.stage, outputs, args.out or ROOT / "build" / args.stage)
    except PackagingError as e:
        for line in str(e).splitlines():
            print(f"package: {line}", file=sys.stderr)
        return 1
    print(f"package: wrote {template.relative_to(ROOT) if template.is_relative_to(ROOT) else template}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
