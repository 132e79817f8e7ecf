#!/usr/bin/env bash
# The API walk-through, runnable as written: `make demo` runs it against a running `make run`
# (BASE=http://127.0.0.1:8000 by default), and the test suite runs it too. An organizer
# builds a venue and an event and publishes it; a customer finds it, holds two seats, pays
# once (a retry replays) and gets tickets; the organizer watches sales and checks a ticket in
# at the door; the customer releases a hold and cancels a second booking. Every id comes from an answer; every
# Idempotency-Key is fresh, so a second run does the whole journey again. Writes no files.
# Needs bash, curl and python3 (to read JSON). On AWS: BASE=https://{api}.execute-api...
# /v1 and Cognito ID tokens in CUSTOMER and ORGANIZER instead of /dev/token's.
set -euo pipefail

BASE=${BASE:-http://127.0.0.1:8000}
RUN=$(python3 -c 'import uuid; print(uuid.uuid4().hex[:8])')   # this run's suffix

say()  { printf '\n==> %s\n' "$*"; }
key()  { python3 -c 'import uuid; print(uuid.uuid4())'; }          # a fresh Idempotency-Key
# field PATH: reads a value out of the JSON on stdin, e.g. field events.0.event_id
field() {
  python3 -c 'import json, sys
value = json.load(sys.stdin)
for part in sys.argv[1].split("."):
    value = value[int(part)] if isinstance(value, list) else value[part]
print(value)' "$1"
}
# call METHOD PATH [TOKEN] [BODY]: prints the body; fails loudly on an answer >= 400
call() {
  local method=$1 path=$2 token=${3:-} body=${4:-} out status
  local args=(-sS -X "$method" "$BASE$path" -H 'Content-Type: application/json'
              -H "Idempotency-Key: $(key)" -w '\n%{http_code}')
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-d "$body")
  out=$(curl "${args[@]}")
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  if [ "$status" -ge 400 ]; then
    echo "$method $path -> $status: $out" >&2
    return 1
  fi
  printf '%s' "$out"
}

say "tokens (the local stage's /dev/token; on AWS, sign in with Cognito)"
CUSTOMER=$(call POST /dev/token "" "{\"sub\": \"walker-$RUN\", \"email\": \"walker-$RUN@example.com\"}" | field token)
ORGANIZER=$(call POST /dev/token "" "{\"sub\": \"organizer-$RUN\", \"roles\": [\"organizer\"], \"tenant_id\": \"walk-$RUN\"}" | field token)
echo "customer and organizer tokens issued"

say "organizer: a venue with two sections"
VENUE=$(call POST /organizer/venues "$ORGANIZER" '{
  "name": "Walk-through Hall", "address": "1 Example Street", "city": "Lisbon", "country": "PT",
  "location": {"lat": 38.7223, "lng": -9.1393}, "timezone": "Europe/Lisbon",
  "sections": [{"name": "A", "rows": [{"name": "1", "seats": 10}, {"name": "2", "seats": 10}]},
               {"name": "B", "rows": [{"name": "1", "seats": 12}]}]}' | field venue_id)
echo "venue $VENUE"

say "organizer: an event in it, then published"
STARTS=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(days=30)).strftime("%Y-%m-%dT20:00:00Z"))')
EVENT=$(call POST /organizer/events "$ORGANIZER" "{
  \"venue_id\": \"$VENUE\", \"name\": \"Walk-through Live $RUN\", \"category\": \"concert\",
  \"description\": \"The README's walk-through, run $RUN.\", \"starts_at\": \"$STARTS\",
  \"price_tiers\": [{\"name\": \"Front\", \"price\": {\"amount\": 9500, \"currency\": \"EUR\"}, \"sections\": [\"A\"]},
                    {\"name\": \"Back\", \"price\": {\"amount\": 4500, \"currency\": \"EUR\"}, \"sections\": [\"B\"]}]}" | field event_id)
call POST "/organizer/events/$EVENT/publish" "$ORGANIZER" >/dev/null
echo "event $EVENT published"

say "customer: search, the event page and the seat map"
call GET "/events?q=walk-through&limit=5" | python3 -c 'import json,sys; print([e["name"] for e in json.load(sys.stdin)["events"]])'
call GET "/events/$EVENT" | field event.name
call GET "/events/$EVENT/seats?section=A&status=available" | field seats.0.seat_id

say "customer: hold two seats (expires_at is the countdown)"
HOLD_ANSWER=$(call POST /bookings/hold "$CUSTOMER" "{\"event_id\": \"$EVENT\", \"seat_ids\": [\"A-1-1\", \"A-1-2\"]}")
HOLD=$(printf '%s' "$HOLD_ANSWER" | field hold_id)
echo "hold $HOLD until $(printf '%s' "$HOLD_ANSWER" | field expires_at)"

say "customer: pay once; the same Idempotency-Key replays the first answer"
PAY_KEY=$(key)
pay() {
  curl -sS -X POST "$BASE/bookings" -H "Authorization: Bearer $CUSTOMER" \
       -H 'Content-Type: application/json' -H "Idempotency-Key: $PAY_KEY" \
       -d "{\"hold_id\": \"$HOLD\", \"payment_method_id\": \"pm_card_visa\"}"
}
FIRST=$(pay)
AGAIN=$(pay)
[ "$FIRST" = "$AGAIN" ] || { echo "a retried payment answered differently" >&2; exit 1; }
BOOKING=$(printf '%s' "$FIRST" | field booking_id)
echo "booking $BOOKING: $(printf '%s' "$FIRST" | field status), code $(printf '%s' "$FIRST" | field confirmation_code); the retry replayed it byte for byte"

say "customer: my bookings and the tickets (QR codes are signed JWTs)"
call GET /users/me/bookings "$CUSTOMER" | field bookings.0.booking_id
TICKET=$(call GET "/bookings/$BOOKING" "$CUSTOMER" | field tickets.0.qr_code)
echo "first ticket's QR code: ${TICKET:0:40}..."

say "organizer: sales (they follow the event stream within seconds) and check-in at the door"
for _ in $(seq 1 20); do
  SOLD=$(call GET "/organizer/events/$EVENT/sales" "$ORGANIZER" | field tickets_sold)
  [ "$SOLD" -ge 2 ] && break
  sleep 0.5
done
echo "tickets sold: $SOLD"
echo "checked in at $(call POST "/organizer/events/$EVENT/check-ins" "$ORGANIZER" "{\"ticket_code\": \"$TICKET\"}" | field checked_in_at)"

say "customer: hold a seat and let it go; book another and cancel it (refunded)"
SPARE=$(call POST /bookings/hold "$CUSTOMER" "{\"event_id\": \"$EVENT\", \"seat_ids\": [\"B-1-1\"]}" | field hold_id)
call DELETE "/bookings/hold/$SPARE" "$CUSTOMER" >/dev/null
echo "hold $SPARE released"
OTHER=$(call POST /bookings/hold "$CUSTOMER" "{\"event_id\": \"$EVENT\", \"seat_ids\": [\"B-1-2\"]}" | field hold_id)
SECOND=$(call POST /bookings "$CUSTOMER" "{\"hold_id\": \"$OTHER\", \"payment_method_id\": \"pm_card_visa\"}" | field booking_id)
echo "booking $SECOND: $(call POST "/bookings/$SECOND/cancel" "$CUSTOMER" | field booking.status)"

say "done: run $RUN"
