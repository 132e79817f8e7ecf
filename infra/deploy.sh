#!/usr/bin/env bash
# Deploys a stage from nothing to a working API: checks the settings (before any AWS call),
# the data stack (tables, bus), the auth stack (Cognito), the signing seeds, then the app
# packaged with its alarms, failure queues, dashboard and Gateway Responses.
# Needs the AWS CLI and credentials. Optional: DEPLOY_BUCKET (an S3 bucket for the package;
# default boxoffice-artifacts-ACCOUNT-REGION, created if missing), ALARM_EMAIL.
set -euo pipefail
cd "$(dirname "$0")/.."
STAGE="${STAGE:-dev}"
PY=.venv/bin/python
BUILD="build/$STAGE"

echo "==> preflight: $STAGE settings"
$PY -m chalicelib.tools.preflight --stage "$STAGE"
command -v aws >/dev/null || { echo "error: the AWS CLI is required to deploy" >&2; exit 1; }
ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"
REGION="$(aws configure get region || true)"
REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-${REGION:-}}}"
: "${REGION:?set AWS_REGION (or a default region in the AWS CLI configuration)}"
export AWS_REGION="$REGION" AWS_DEFAULT_REGION="$REGION"
echo "==> account $ACCOUNT, region $REGION"

deploy_stack() {  # name template [Key=Value ...]
  aws cloudformation deploy --stack-name "$1" --template-file "$2" \
    --parameter-overrides "Stage=$STAGE" "${@:3}" --capabilities CAPABILITY_IAM \
    --no-fail-on-empty-changeset
}
outputs() {  # stack -> JSON object of its outputs
  aws cloudformation describe-stacks --stack-name "$1" --query "Stacks[0].Outputs" --output json |
    $PY -c 'import json,sys; print(json.dumps({o["OutputKey"]: o["OutputValue"] for o in json.load(sys.stdin) or []}))'
}

echo "==> data stack boxoffice-$STAGE-data (tables, event bus)"
deploy_stack "boxoffice-$STAGE-data" infra/template.yaml
echo "==> web stack boxoffice-$STAGE-web (S3 bucket behind CloudFront with OAC)"
deploy_stack "boxoffice-$STAGE-web" infra/web.yaml
WEB="$(outputs "boxoffice-$STAGE-web")"
web_output() { $PY -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$WEB" "$1"; }
WEB_URL="$(web_output WebUrl)"
echo "==> auth stack boxoffice-$STAGE-auth (Cognito user pool, app client, hosted sign-in for $WEB_URL)"
deploy_stack "boxoffice-$STAGE-auth" infra/auth.yaml "WebUrl=$WEB_URL"
echo "==> webhook stack boxoffice-$STAGE-webhooks (delivery queue, dead letters)"
deploy_stack "boxoffice-$STAGE-webhooks" infra/webhooks.yaml
mkdir -p "$BUILD"
$PY -c 'import json,sys; print(json.dumps({k: v for a in sys.argv[1:] for k, v in json.loads(a).items()}, indent=2))' \
  "$(outputs "boxoffice-$STAGE-data")" "$(outputs "boxoffice-$STAGE-auth")" \
  "$(outputs "boxoffice-$STAGE-webhooks")" > "$BUILD/outputs.json"

echo "==> secrets in SSM"
parameter() {  # NAME_PARAMETER -> the parameter name the stage's config sets, or nothing
  $PY -c 'import sys; from chalicelib.tools.preflight import stage_environment as e; print(e(sys.argv[1]).get(sys.argv[2], ""))' "$STAGE" "$1"
}
SEEDS="$(parameter SIGNING_KEY_PARAMETER)"
if [ "$(aws ssm describe-parameters --parameter-filters "Key=Name,Values=$SEEDS" \
        --query 'length(Parameters)' --output text)" = "0" ]; then
  echo "    creating $SEEDS (a new random signing seed; rotate later by prepending one)"
  SEED_FILE="$(mktemp)"; chmod 600 "$SEED_FILE"
  $PY -c 'import base64,json,secrets; print(json.dumps([base64.b64encode(secrets.token_bytes(32)).decode()]), end="")' > "$SEED_FILE"
  aws ssm put-parameter --type SecureString --name "$SEEDS" --value "file://$SEED_FILE" >/dev/null
  rm -f "$SEED_FILE"
fi
for VAR in STRIPE_API_KEY_PARAMETER STRIPE_WEBHOOK_SECRET_PARAMETER; do
  NAME="$(parameter "$VAR")"
  [ -z "$NAME" ] && continue
  if [ "$(aws ssm describe-parameters --parameter-filters "Key=Name,Values=$NAME" \
          --query 'length(Parameters)' --output text)" = "0" ]; then
    echo "error: $NAME ($VAR) does not exist; create it first, see docs/deploying.md" >&2
    exit 1
  fi
done

echo "==> packaging the app (stage $STAGE)"
$PY -m chalicelib.tools.package --stage "$STAGE" --outputs "$BUILD/outputs.json" --out "$BUILD"
BUCKET="${DEPLOY_BUCKET:-boxoffice-artifacts-$ACCOUNT-$REGION}"
if ! aws s3api head-bucket --bucket "$BUCKET" 2>/dev/null; then
  echo "    creating the artifact bucket $BUCKET"
  if [ "$REGION" = us-east-1 ]; then aws s3api create-bucket --bucket "$BUCKET" >/dev/null
  else aws s3api create-bucket --bucket "$BUCKET" \
         --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null; fi
  aws s3api put-public-access-block --bucket "$BUCKET" --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
fi
aws cloudformation package --template-file "$BUILD/sam.json" --s3-bucket "$BUCKET" \
  --s3-prefix "boxoffice-$STAGE" --output-template-file "$BUILD/packaged.yaml" >/dev/null

echo "==> app stack boxoffice-$STAGE-api"
# shellcheck disable=SC2046 # one Key=Value word per line of the file
aws cloudformation deploy --template-file "$BUILD/packaged.yaml" --stack-name "boxoffice-$STAGE-api" \
  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset \
  --parameter-overrides $(cat "$BUILD/parameter-overrides.txt") "AlarmEmail=${ALARM_EMAIL:-}"

API_URL="$(aws cloudformation describe-stacks --stack-name "boxoffice-$STAGE-api" \
  --query "Stacks[0].Outputs[?OutputKey=='EndpointURL'].OutputValue" --output text)"
echo "==> web client to s3://$(web_output WebBucketName) (config.json from the stacks' outputs)"
$PY -m chalicelib.tools.web_config --outputs "$BUILD/outputs.json" --api-url "$API_URL" \
  --web-url "$WEB_URL" --stage "$STAGE" > "$BUILD/web-config.json"
aws s3 sync web/ "s3://$(web_output WebBucketName)/" --delete --exclude config.json --cache-control no-cache
aws s3 cp "$BUILD/web-config.json" "s3://$(web_output WebBucketName)/config.json" \
  --content-type application/json --cache-control no-store
aws cloudfront create-invalidation --distribution-id "$(web_output WebDistributionId)" --paths '/*' >/dev/null

$PY - "$BUILD/outputs.json" "$API_URL" "$REGION" "$STAGE" "$WEB_URL" <<'EOF'
import json, sys
outputs, url, region, stage, web = json.load(open(sys.argv[1])), *sys.argv[2:]
print(f"""==> deployed {stage}
    web client: {web}
    API:        {url}
    user pool:  {outputs['UserPoolId']} (app client {outputs['UserPoolClientId']})
    dashboard:  https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards/dashboard/boxoffice-{stage}-on-sale
    try:        curl {url}health""")
EOF
