"""The app stack as `make deploy` ships it: packaged once per session (offline, sample stack
outputs, the prod stage), then read like a reviewer reads a template, and run where it can
run here (the zip in a stand-in for Lambda's runtime, against moto)."""
from __future__ import annotations

import ast
import json
import pathlib
import re
import zipfile

import pytest

from chalicelib.tools import package, preflight, slim_zip

FUNCTIONS = {"APIHandler", "Sweep", "CountDomainEvent", "RelayBookingStream",
             "RelayCatalogStream", "QueueWebhookDeliveries", "SendWebhooks", "WebsocketConnect",
             "WebsocketMessage", "WebsocketDisconnect", "LiveSeatChanges", "LiveFanOut",
             "AdmitFromQueues"}
ASYNC_CONSUMERS = {"Sweep": "ScheduledJobFailureQueue",
                   "AdmitFromQueues": "ScheduledJobFailureQueue", "CountDomainEvent": "DomainEventFailureQueue",
                   "QueueWebhookDeliveries": "DomainEventFailureQueue",
                   "LiveSeatChanges": "DomainEventFailureQueue",
                   "LiveFanOut": "DomainEventFailureQueue"}


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("package") / "prod"
    package.package("prod", package.sample_outputs("prod"), out)
    return out


@pytest.fixture(scope="session")
def template(built):
    return json.loads((built / "sam.json").read_text())


def resources(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def statements(template, function):
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    [policy] = template["Resources"][role]["Properties"]["Policies"]
    return policy["PolicyDocument"]["Statement"]


def resource_strings(statement):
    found = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    return [json.dumps(r) for r in found]


def test_each_function_has_a_role_of_its_own(template):
    functions = resources(template, "AWS::Serverless::Function")
    assert set(functions) == FUNCTIONS
    roles = [f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()]
    assert len(set(roles)) == len(roles)


def test_no_permission_names_a_wildcard_region_or_account(template):
    for name, function in resources(template, "AWS::Serverless::Function").items():
        for statement in statements(template, function):
            for text in resource_strings(statement):
                if text == '"*"':  # X-Ray's write actions accept no other resource
                    assert set(statement["Action"]) <= {"xray:PutTraceSegments",
                                                        "xray:PutTelemetryRecords"}, name
                elif text.startswith('{"Fn::Sub": '):
                    assert text.startswith('{"Fn::Sub": "arn:${AWS::Partition}:'), (name, text)
                    assert ":${AWS::Region}:${AWS::AccountId}:" in text, (name, text)
                else:  # a parameter (a stream ARN from the data stack) or a queue of this stack
                    assert text.startswith(('{"Ref": ', '{"Fn::GetAtt": ')), (name, text)


def test_api_gateway_verifies_cognito_tokens_without_a_lambda_per_request(template):
    definitions = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"][
        "securityDefinitions"]
    assert definitions == {"cognito": {
        "in": "header", "name": "Authorization", "type": "apiKey",
        "x-amazon-apigateway-authorizer": {"providerARNs": [{"Ref": "UserPoolArn"}],
                                           "type": "cognito_user_pools"},
        "x-amazon-apigateway-authtype": "cognito_user_pools"}}


def test_the_relays_cannot_write_any_table(template):
    functions = resources(template, "AWS::Serverless::Function")
    for name in ("RelayBookingStream", "RelayCatalogStream"):
        actions = [a for s in statements(template, functions[name])
                   for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
        assert not [a for a in actions if a in ("dynamodb:PutItem", "dynamodb:UpdateItem",
                                                "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")]


def test_the_counters_consumer_reads_but_never_writes_bookings(template):
    function = resources(template, "AWS::Serverless::Function")["CountDomainEvent"]
    text = json.dumps(statements(template, function))
    assert "BookingTableName" not in text and "IdempotencyTableName" not in text


def test_every_function_logs_to_its_own_group_with_retention(template):
    groups = resources(template, "AWS::Logs::LogGroup")
    for name, function in resources(template, "AWS::Serverless::Function").items():
        group = groups[function["DependsOn"]]["Properties"]
        assert group["RetentionInDays"] == 90, name
        assert group["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/boxoffice-${{Stage}}-{name}"}
        assert function["Properties"]["FunctionName"] == {"Fn::Sub": f"boxoffice-${{Stage}}-{name}"}


def test_every_function_and_the_api_stage_trace_actively(template):
    for name, function in resources(template, "AWS::Serverless::Function").items():
        assert function["Properties"]["Tracing"] == "Active", name
    assert template["Resources"]["RestAPI"]["Properties"]["TracingEnabled"] is True


def test_every_asynchronous_consumer_hands_failures_to_a_queue(template):
    functions = resources(template, "AWS::Serverless::Function")
    for name, queue in ASYNC_CONSUMERS.items():
        props = functions[name]["Properties"]
        on_failure = props["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
        assert on_failure == {"Type": "SQS", "Destination": {"Fn::GetAtt": [queue, "Arn"]}}
        [event] = props["Events"].values()
        assert event["Properties"]["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue, "Arn"]}}
        assert event["Properties"]["RetryPolicy"]["MaximumEventAgeInSeconds"] <= 3600
    asynchronous = {n for n, f in functions.items()
                    if {e["Type"] for e in f["Properties"].get("Events", {}).values()}
                    & {"Schedule", "EventBridgeRule", "CloudWatchEvent"}}
    assert asynchronous == set(ASYNC_CONSUMERS)


def test_the_domain_event_consumer_listens_on_the_boxoffice_bus(template):
    consumer = resources(template, "AWS::Serverless::Function")["CountDomainEvent"]
    [event] = consumer["Properties"]["Events"].values()
    assert event["Type"] == "EventBridgeRule"
    assert event["Properties"]["EventBusName"] == {"Ref": "EventBusName"}


def test_stream_mappings_isolate_a_bad_record_and_give_up_into_a_queue(template):
    functions = resources(template, "AWS::Serverless::Function")
    for name, stream in (("RelayBookingStream", "BookingStreamArn"),
                         ("RelayCatalogStream", "CatalogStreamArn")):
        [event] = functions[name]["Properties"]["Events"].values()
        spec = event["Properties"]
        assert event["Type"] == "DynamoDB"
        assert spec["Stream"] == {"Ref": stream}
        assert spec["BisectBatchOnFunctionError"] is True
        assert 0 < spec["MaximumRetryAttempts"] <= 10
        assert 60 <= spec["MaximumRecordAgeInSeconds"] <= 3600
        assert spec["StartingPosition"] == "TRIM_HORIZON"
        assert spec["DestinationConfig"] == {
            "OnFailure": {"Destination": {"Fn::GetAtt": ["OutboxRelayFailureQueue", "Arn"]}}}
        sends = [s for s in statements(template, functions[name]) if s["Action"] == "sqs:SendMessage"]
        assert sends and sends[0]["Resource"] == {"Fn::GetAtt": ["OutboxRelayFailureQueue", "Arn"]}


# name: (metrics it watches, threshold, evaluation periods)
ALARMS = {
    "Api5xxRateAlarm": ({"5XXError"}, 0.01, 5),
    "HoldLatencyP99Alarm": ({"Latency"}, 1000, 5),
    "BookingLatencyP99Alarm": ({"Latency"}, 3000, 5),
    "FinalizerFailuresAlarm": ({"Errors"}, 0, 2),
    "OutboxRelayDeadLettersAlarm": ({"ApproximateNumberOfMessagesVisible"}, 0, 1),
    "DomainEventDeadLettersAlarm": ({"ApproximateNumberOfMessagesVisible"}, 0, 1),
    "ScheduledJobDeadLettersAlarm": ({"ApproximateNumberOfMessagesVisible"}, 0, 1),
    "OutboxIteratorAgeAlarm": ({"IteratorAge"}, 60000, 1),
    "ProjectionLagAlarm": ({"AsyncEventAge"}, 60000, 1),
    "LambdaThrottlesAlarm": ({"Throttles"}, 0, 1),
    "DynamoDbThrottlesAlarm": ({"ReadThrottleEvents", "WriteThrottleEvents"}, 0, 2),
}


def watched_metrics(alarm):
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {m["MetricStat"]["Metric"]["MetricName"] for m in alarm["Metrics"] if "MetricStat" in m}


def test_each_alarm_watches_its_metric_at_its_threshold_and_tells_the_topic(template):
    alarms = {k: v["Properties"] for k, v in resources(template, "AWS::CloudWatch::Alarm").items()}
    assert set(alarms) == set(ALARMS)
    for name, (metrics, threshold, periods) in ALARMS.items():
        alarm = alarms[name]
        assert watched_metrics(alarm) == metrics, name
        assert (alarm["Threshold"], alarm["EvaluationPeriods"]) == (threshold, periods), name
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold", name
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name


def test_latency_alarms_read_p99_of_their_own_route(template):
    alarms = template["Resources"]
    for name, route in (("HoldLatencyP99Alarm", "/bookings/hold"), ("BookingLatencyP99Alarm", "/bookings")):
        props = alarms[name]["Properties"]
        assert props["ExtendedStatistic"] == "p99"
        dimensions = {d["Name"]: d["Value"] for d in props["Dimensions"]}
        assert (dimensions["Resource"], dimensions["Method"]) == (route, "POST")
    enabled = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    assert {(m["ResourcePath"], m["HttpMethod"]) for m in enabled if m["MetricsEnabled"]} == {
        ("/~1bookings~1hold", "POST"), ("/~1bookings", "POST")}


def test_every_failure_queue_has_a_dead_letter_alarm(template):
    queues = set(resources(template, "AWS::SQS::Queue"))
    watched = {a["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
               for a in resources(template, "AWS::CloudWatch::Alarm").values()
               if a["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"}
    assert queues == watched == {"OutboxRelayFailureQueue", "DomainEventFailureQueue",
                                 "ScheduledJobFailureQueue"}


def test_the_on_sale_dashboard_shows_every_alarm(template):
    [dashboard] = resources(template, "AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    for name in ALARMS:
        assert "${%s.Arn}" % name in body
    json.loads(re.sub(r"\$\{[^}]+\}", "x", body))  # valid JSON once substituted


def test_gateway_responses_are_part_of_the_api_definition(template):
    assert not resources(template, "AWS::ApiGateway::GatewayResponse")
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    responses = body["x-amazon-apigateway-gateway-responses"]
    assert len(responses) == 12
    for kind, response in responses.items():
        envelope = json.loads(response["responseTemplates"]["application/json"].replace(
            "$context.error.messageString", '"m"'))
        assert set(envelope["error"]) == {"code", "message", "details"}, kind
        assert response["responseParameters"]["gatewayresponse.header.X-Request-Id"] == \
            "context.requestId"


def sam_transform(template, monkeypatch):
    """The template as CloudFormation sees it after the SAM transform (AWS's own translator),
    with the code where `aws cloudformation package` puts it."""
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    template = json.loads(json.dumps(template))
    for function in resources(template, "AWS::Serverless::Function").values():
        function["Properties"]["CodeUri"] = "s3://artifacts/deployment.zip"
    return transform(template, {}, NoManagedPolicies())


def test_changing_a_gateway_response_makes_a_new_deployment_that_carries_it(template, monkeypatch):
    def deployed(template):
        done = sam_transform(template, monkeypatch)
        [api] = resources(done, "AWS::ApiGateway::RestApi").values()
        deployments = resources(done, "AWS::ApiGateway::Deployment")
        assert len(deployments) == 1
        return api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"], set(deployments)
    changed = json.loads(json.dumps(template))
    body = changed["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    body["x-amazon-apigateway-gateway-responses"]["THROTTLED"]["responseParameters"][
        "gatewayresponse.header.Retry-After"] = "'10'"
    responses_before, deployment_before = deployed(template)
    responses_after, deployment_after = deployed(changed)
    assert len(responses_before) == 12 and responses_before != responses_after
    assert deployment_before != deployment_after  # a new Deployment, so API Gateway redeploys


def test_after_the_sam_transform_failures_still_go_to_the_queues(template, monkeypatch):
    done = sam_transform(template, monkeypatch)
    mappings = resources(done, "AWS::Lambda::EventSourceMapping").values()
    streams = [m for m in mappings if "StartingPosition" in m["Properties"]]
    assert {m["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
            for m in streams} == {"OutboxRelayFailureQueue"}
    # the webhook sender's queue hands a failing message to its own dead-letter queue
    [sender] = [m for m in mappings if "StartingPosition" not in m["Properties"]]
    assert sender["Properties"]["EventSourceArn"] == {"Ref": "WebhookQueueArn"}
    assert len(resources(done, "AWS::Lambda::EventInvokeConfig")) == len(ASYNC_CONSUMERS)
    for rule in resources(done, "AWS::Events::Rule").values():
        [target] = rule["Properties"]["Targets"]
        assert "Arn" in target["DeadLetterConfig"] and "RetryPolicy" in target


def test_function_settings_from_other_stacks_are_parameters(template, built):
    for name, function in resources(template, "AWS::Serverless::Function").items():
        variables = function["Properties"]["Environment"]["Variables"]
        for var, parameter in preflight.FROM_STACK_OUTPUTS.items():
            assert variables[var] == {"Ref": parameter}, (name, var)
    overrides = dict(line.split("=", 1) for line in
                     (built / "parameter-overrides.txt").read_text().split())
    assert set(overrides) | {"AlarmEmail"} == set(template["Parameters"])
    assert "SET_ME" not in json.dumps(template)
    assert "SET_ME" not in (pathlib.Path(preflight.CONFIG)).read_text()


def test_packaging_refuses_without_the_stream_arns():
    outputs = {k: v for k, v in package.sample_outputs("dev").items()
               if k not in ("BookingStreamArn", "CatalogStreamArn")}
    with pytest.raises(package.PackagingError, match="outbox relays would be left out"):
        package.check_settings("dev", outputs)


def test_packaging_refuses_when_chalice_leaves_the_relays_out(tmp_path):
    outputs = dict(package.sample_outputs("dev"), BookingStreamArn="", CatalogStreamArn="")
    raw = package.run_chalice_package("dev", outputs, tmp_path)  # what a plain `chalice package` does
    assert "RelayBookingStream" not in raw["Resources"]
    with pytest.raises(package.PackagingError, match="outbox relay RelayBookingStream"):
        package.check_relays(raw)


def test_packaging_refuses_a_function_without_a_policy(template):
    changed = json.loads(json.dumps(template))
    changed["Resources"]["NewJob"] = dict(changed["Resources"]["Sweep"])
    policies = package.load_infra("policies.yaml")
    with pytest.raises(package.PackagingError, match="NewJob has no IAM policy"):
        package.give_own_role(changed, "NewJob", changed["Resources"]["NewJob"], policies, None)


# ---------------------------------------------------------------------------- the zip
def test_the_package_is_under_10_mb_without_the_sdk_local_stack_or_tools(built):
    assert (built / "deployment.zip").stat().st_size <= 10_000_000
    with zipfile.ZipFile(built / "deployment.zip") as archive:
        names = archive.namelist()
    tops = {n.split("/")[0] for n in names}
    assert not tops & {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3",
                       "six.py", "moto", "tests", "cffi", "pycparser"}
    assert not [n for n in names if n.startswith(("chalicelib/local/", "chalicelib/tools/"))]
    assert {"app.py", "chalice/app.py", "chalicelib/observability.py"} <= set(names)


def test_every_module_ships_compiled_for_python_3_11(built):
    with zipfile.ZipFile(built / "deployment.zip") as archive:
        names = set(archive.namelist())
        for name in names:
            if name.endswith(".py"):  # our own code: source, and its .pyc beside it
                folder, _, file = name.rpartition("/")
                cached = f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.cpython-311.pyc"
                assert cached in names, name
        pyc = [n for n in names if n.endswith(".pyc")]
        header = archive.read("pydantic/main.pyc")[:8]
    assert len(pyc) > 300
    import importlib.util
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, never checked


def imports_of(source: str, module: str, is_package: bool) -> set[str]:
    found = set()
    package_name = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package_name.split(".")[:len(package_name.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return found


def test_no_module_left_in_the_package_imports_one_that_was_left_out(built):
    import site
    site_packages = pathlib.Path(site.getsitepackages()[0])
    pruned = [p.rstrip("/").removesuffix(".py").replace("/", ".") for p in slim_zip.NEVER_IMPORTED]
    with zipfile.ZipFile(built / "deployment.zip") as archive:
        modules = [n for n in archive.namelist() if n.endswith(".pyc") and "__pycache__" not in n]
    offenders = {}
    for compiled in modules:
        source = site_packages / compiled[:-1]
        module = compiled[:-4].replace("/", ".").removesuffix(".__init__")
        hits = {i for i in imports_of(source.read_text(), module, source.name == "__init__.py")
                if any(i == p or i.startswith(p + ".") for p in pruned)}
        if hits:
            offenders[compiled] = hits
    # pydantic reaches its v1 copy only for a type written for pydantic 1 (one with
    # __get_validators__); importing app builds every schema the app has, and the stand-in
    # test below imports app from this very package. Powertools reaches its HTTP router only
    # to dump a pydantic model an idempotent function returns; Boxoffice's return dicts.
    assert offenders == {"pydantic/_internal/_generate_schema.pyc": {"pydantic.v1",
                                                                     "pydantic.v1.BaseModel"},
                         "aws_lambda_powertools/shared/functions.pyc": {
                             "aws_lambda_powertools.event_handler.openapi.compat",
                             "aws_lambda_powertools.event_handler.openapi.compat._model_dump"}}


# ---------------------------------------------------------------------------- running it
def test_the_package_runs_in_a_lambda_stand_in_and_traces_handlers_and_aws_calls(
        built, stack, tmp_path):
    """The zip, unpacked as the task root beside only the SDK the runtime ships, serves a
    route, reads DynamoDB (moto) and runs the sweep; X-Ray gets one subsegment per handler
    with the AWS calls inside it (captured by a UDP socket standing in for the daemon)."""
    import base64
    import secrets
    import socket

    import boto3

    from chalicelib.tools import lambda_runtime
    seeds = json.dumps([base64.b64encode(secrets.token_bytes(32)).decode()])
    boto3.client("ssm", endpoint_url=stack.moto.url, region_name="us-east-1").put_parameter(
        Name="/boxoffice/standin/signing-seeds", Type="SecureString", Value=seeds, Overwrite=True)
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(1)
    task = lambda_runtime.unpack(built / "deployment.zip", tmp_path / "task")
    sdk = lambda_runtime.provided_sdk(tmp_path / "sdk")
    tables = {f"{kind.upper()}_TABLE": f"boxoffice-local-{kind}"
              for kind in ("catalog", "booking", "projection", "idempotency")}
    env = lambda_runtime.lambda_environment(task, "boxoffice-standin-APIHandler", dict(
        preflight.stage_environment("dev"), **tables, EVENT_BUS="boxoffice-local",
        SIGNING_KEY_PARAMETER="/boxoffice/standin/signing-seeds", POWERTOOLS_METRICS_DISABLED="true",
        COGNITO_USER_POOL_ID="us-east-1_StandIn1", COGNITO_CLIENT_ID="standinclient",
        DYNAMODB_ENDPOINT=stack.moto.url, AWS_ENDPOINT_URL=stack.moto.url,
        AWS_XRAY_DAEMON_ADDRESS="127.0.0.1:%d" % daemon.getsockname()[1],
        _X_AMZN_TRACE_ID="Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"))
    driver = pathlib.Path(__file__).with_name("lambda_stand_in") / "invoke_handlers.py"
    result = lambda_runtime.run(task, sdk, driver.read_text(), env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [200, 200, True]
    segments = []
    try:
        while True:
            segments.append(json.loads(daemon.recvfrom(65536)[0].decode().split("\n", 1)[1]))
    except socket.timeout:
        pass
    by_name = {s["name"]: s for s in segments}
    assert by_name["## GET /health"]["annotations"]["ColdStart"] is True
    assert by_name["## GET /events"]["annotations"]["ColdStart"] is False
    assert "## event Scheduled Event" in by_name
    search_calls = [s for s in segments if s.get("parent_id") == by_name["## GET /events"]["id"]]
    assert {(s["name"], s["namespace"]) for s in search_calls} >= {("dynamodb", "aws")}
    assert all("response" not in s.get("metadata", {}).get("boxoffice", {}) for s in segments)


# ---------------------------------------------------------------------------- moto
def resolve(value, names: dict):
    """Enough of CloudFormation's intrinsics to hand the template's properties to an API."""
    if isinstance(value, list):
        return [resolve(v, names) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return names[value["Ref"]]
    if set(value) == {"Fn::GetAtt"}:
        return names[".".join(value["Fn::GetAtt"])]
    if set(value) == {"Fn::Sub"}:
        return re.sub(r"\$\{([^}]+)\}", lambda m: str(names[m.group(1)]), value["Fn::Sub"])
    return {k: resolve(v, names) for k, v in value.items()}


def test_the_alarms_topic_queues_and_dashboard_are_accepted_by_cloudwatch_sns_and_sqs(
        template, stack):
    """moto's CloudFormation has no alarms, so each resource goes through its own API, with
    botocore checking every parameter against the service's model. (The session's moto:
    mock_aws() would reset every backend, the local stack's tables too.)"""
    import boto3
    names = dict(package.sample_outputs("prod"), Stage="prod", **{
        "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"})
    names.update({f: f"boxoffice-prod-{f}" for f in resources(template, "AWS::Serverless::Function")})
    sns, sqs, cloudwatch = (boto3.client(s, endpoint_url=stack.moto.url, region_name="us-east-1")
                            for s in ("sns", "sqs", "cloudwatch"))
    topic = template["Resources"]["AlarmTopic"]["Properties"]
    names["AlarmTopic"] = sns.create_topic(Name=resolve(topic["TopicName"], names))["TopicArn"]
    for name, queue in resources(template, "AWS::SQS::Queue").items():
        props = resolve(queue["Properties"], names)
        url = sqs.create_queue(QueueName=props["QueueName"], Attributes={
            "MessageRetentionPeriod": str(props["MessageRetentionPeriod"]),
            "SqsManagedSseEnabled": str(props["SqsManagedSseEnabled"]).lower()})["QueueUrl"]
        names[f"{name}.QueueName"] = props["QueueName"]
        names[f"{name}.Arn"] = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for name, alarm in resources(template, "AWS::CloudWatch::Alarm").items():
        cloudwatch.put_metric_alarm(**resolve(alarm["Properties"], names))
        names[f"{name}.Arn"] = f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"
    [dashboard] = resources(template, "AWS::CloudWatch::Dashboard").values()
    cloudwatch.put_dashboard(**resolve(dashboard["Properties"], names))
    described = cloudwatch.describe_alarms(AlarmNamePrefix="boxoffice-prod-")
    alarms = described["MetricAlarms"]
    assert len(alarms) == len(ALARMS)
    assert {tuple(a["AlarmActions"]) for a in alarms} == {(names["AlarmTopic"],)}
    math = [a for a in alarms if a.get("Metrics")]
    assert {a["AlarmName"] for a in math} == {"boxoffice-prod-outbox-iterator-age",
                                              "boxoffice-prod-lambda-throttles",
                                              "boxoffice-prod-dynamodb-throttles"}
    assert [d["DashboardName"] for d in cloudwatch.list_dashboards(
        DashboardNamePrefix="boxoffice-prod-")["DashboardEntries"]] == ["boxoffice-prod-on-sale"]


STRIPE_FROM_THE_PACKAGE = """
import json
from chalicelib.adapters.stripe_payments import StripePaymentProvider
from chalicelib.adapters.stripe_webhooks import StripeWebhookVerifier
from chalicelib.domain import errors
from chalicelib.domain.money import Money
import sys
provider = StripePaymentProvider(sys.argv[1], api_base=sys.argv[2], max_network_retries=0)
seen = []
paid = provider.authorize("pkg-b1", Money(1000, "EUR"), "pm_card_visa", "u")
provider.capture("pkg-b1", paid.authorization_id)
seen.append(provider.refund("pkg-b1", paid.authorization_id))
secure = provider.authorize("pkg-b2", Money(1000, "EUR"), "pm_card_threeDSecure2Required", "u")
seen.append(provider.state(secure.authorization_id))
provider.void("pkg-b2", None)
seen.append(provider.state(secure.authorization_id))
try:
    provider.authorize("pkg-b3", Money(1000, "EUR"), "pm_card_chargeDeclined", "u")
except errors.PaymentDeclined:
    seen.append("declined")
try:
    StripeWebhookVerifier("whsec_x").parse(b"{}", "t=1,v1=00")
except errors.ValidationFailed:
    seen.append("forged")
print(json.dumps(seen))
"""


def test_the_stripe_sdk_left_in_the_package_still_pays_refunds_and_verifies(built, localstripe,
                                                                            tmp_path):
    """The package keeps only the parts of the Stripe SDK that Boxoffice uses: the adapter,
    run from the unpacked zip against localstripe, still does every step."""
    from chalicelib.local.localstripe import API_KEY
    from chalicelib.tools import lambda_runtime
    task = lambda_runtime.unpack(built / "deployment.zip", tmp_path / "task")
    sdk = lambda_runtime.provided_sdk(tmp_path / "sdk")
    env = lambda_runtime.lambda_environment(task, "boxoffice-standin-APIHandler", {})
    code = STRIPE_FROM_THE_PACKAGE.replace("sys.argv[1]", repr(API_KEY)).replace(
        "sys.argv[2]", repr(localstripe.url))
    result = lambda_runtime.run(task, sdk, code, env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "succeeded", "requires_action", "voided", "declined", "forged"]


def test_the_package_has_the_websocket_api_and_tells_every_function_its_url(template):
    resources = template["Resources"]
    assert resources["WebsocketAPI"]["Properties"]["ProtocolType"] == "WEBSOCKET"
    routes = {r["Properties"]["RouteKey"] for r in resources.values()
              if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert routes == {"$connect", "$default", "$disconnect"}
    stage = resources["WebsocketAPIStage"]["Properties"]["StageName"]
    url = template["Globals"]["Function"]["Environment"]["Variables"]["WEBSOCKET_URL"]
    assert url == {"Fn::Sub": "wss://${WebsocketAPI}.execute-api.${AWS::Region}"
                              ".${AWS::URLSuffix}/" + stage}
    rules = {name: next(iter(resources[name]["Properties"]["Events"].values()))["Properties"]
             for name in ("LiveSeatChanges", "LiveFanOut")}
    assert rules["LiveSeatChanges"]["Pattern"]["source"] == ["boxoffice"]
    assert "HoldExpired" in rules["LiveSeatChanges"]["Pattern"]["detail-type"]
    assert rules["LiveFanOut"]["Pattern"] == {"source": ["boxoffice.live"]}
    for rule in rules.values():  # the fan-out publishes where the rules listen
        assert rule["EventBusName"] == {"Ref": "EventBusName"}


def test_the_edge_limits_anonymous_reads_per_address_with_a_waf_rule_on_the_api_stage(template):
    [acl] = resources(template, "AWS::WAFv2::WebACL").values()
    [rule] = acl["Properties"]["Rules"]
    limit = rule["Statement"]["RateBasedStatement"]
    assert (limit["Limit"], limit["EvaluationWindowSec"], limit["AggregateKeyType"]) == (2000, 300, "IP")
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    body = acl["Properties"]["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    assert json.loads(body["Content"])["error"]["code"] == "RATE_LIMITED"
    assert {"Name": "Retry-After", "Value": "60"} in response["ResponseHeaders"]
    scope = json.dumps(limit["ScopeDownStatement"])
    assert '"GET"' in scope and '"HEAD"' in scope and "authorization" in scope
    [association] = resources(template, "AWS::WAFv2::WebACLAssociation").values()
    assert "restapis/${RestAPI}/stages/v1" in json.dumps(association["Properties"]["ResourceArn"])
