"""`chalice package` (as infra/deploy.sh runs it) emits the WebSocket API, the live seat map's
consumers and every function's WEBSOCKET_URL, and cfn-lint passes on what it emits.

The Lambda zip is stubbed: building it installs every dependency (20 s and more) and is not
what this test is about; the template is."""
import json
import os
import subprocess
import sys
from pathlib import Path

from chalicelib.tools.merge_templates import merge

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_WITHOUT_DEPENDENCIES = """
import sys, zipfile
from chalice.deploy import packager
ZIP = sys.argv[1]
def empty_zip(self, project_dir, python_version):
    zipfile.ZipFile(ZIP, "w").close()
    return ZIP
packager.LambdaDeploymentPackager.create_deployment_package = empty_zip
from chalice.cli import main
sys.argv = ["chalice"] + sys.argv[2:]
sys.exit(main())
"""


def package(tmp_path) -> Path:
    merged = tmp_path / "merge.json"
    merged.write_text(json.dumps(merge([str(ROOT / "infra/gateway-responses.json"),
                                        str(ROOT / "infra/live-seat-map.json")])))
    out = tmp_path / "build"
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1"}
    result = subprocess.run(
        [sys.executable, "-c", PACKAGE_WITHOUT_DEPENDENCIES, str(tmp_path / "app.zip"),
         "package", "--stage", "local", "--merge-template", str(merged), str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "sam.json"


def test_the_package_has_the_websocket_api_and_lint_clean_infra(tmp_path):
    sam = package(tmp_path)
    template = json.loads(sam.read_text())
    resources = template["Resources"]
    assert resources["WebsocketAPI"]["Type"] == "AWS::ApiGatewayV2::Api"
    assert resources["WebsocketAPI"]["Properties"]["ProtocolType"] == "WEBSOCKET"
    routes = {r["Properties"]["RouteKey"] for r in resources.values()
              if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert routes == {"$connect", "$default", "$disconnect"}
    stage = resources["WebsocketAPIStage"]["Properties"]["StageName"]
    url = template["Globals"]["Function"]["Environment"]["Variables"]["WEBSOCKET_URL"]
    assert url == {"Fn::Sub": "wss://${WebsocketAPI}.execute-api.${AWS::Region}"
                              ".${AWS::URLSuffix}/" + stage}
    patterns = {name: r["Properties"]["Events"] for name, r in resources.items()
                if name in ("LiveSeatChanges", "LiveFanOut")}
    seat_rule = next(iter(patterns["LiveSeatChanges"].values()))["Properties"]["Pattern"]
    fan_out_rule = next(iter(patterns["LiveFanOut"].values()))["Properties"]["Pattern"]
    assert seat_rule["source"] == ["boxoffice"] and "HoldExpired" in seat_rule["detail-type"]
    assert fan_out_rule == {"source": ["boxoffice.live"]}
    lint = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), str(sam)],
                          capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stdout + lint.stderr
