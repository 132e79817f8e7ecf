// Customer screens: search, event page with seat map, waiting room, hold + checkout,
// confirmation with QR codes, my bookings.
import { api, ApiError, get, newKey, post, qs } from './api.js';
import { busy, errorText, field, h, money, mount, notice, pager, when } from './ui.js';
import { requireSignIn } from './auth.js';
import { SeatMap } from './seatmap.js';
import { qrSvg } from './qr.js';

const enc = encodeURIComponent;
// Small pages show fast on a phone; the next one is already fetched when the list ends.
const PAGE_SIZE = 5;

export async function searchScreen() {
  const saved = JSON.parse(sessionStorage.getItem('search') || '{}');
  const input = (name, attrs = {}) => h('input', { name, value: saved[name] || '', ...attrs });
  const q = input('q', { type: 'search', placeholder: 'artist, show, venue…' });
  const category = input('category', { placeholder: 'e.g. concert' });
  const from = input('date_from', { type: 'date' }); const to = input('date_to', { type: 'date' });
  const location = input('location', { placeholder: 'lat,lng', inputmode: 'decimal' });
  const radius = input('radius_km', { type: 'number', min: 1, max: 500, placeholder: '50' });
  const area = h('div', {});
  const run = () => {
    const params = { q: q.value, category: category.value, date_from: from.value, date_to: to.value,
      location: location.value, radius_km: location.value ? radius.value : '' };
    sessionStorage.setItem('search', JSON.stringify(params));
    const results = h('ul', { class: 'cards', 'aria-label': 'Events' });  // a new list: a late page of the old search lands nowhere
    area.replaceChildren(results, pager(results,
      (cursor) => get(`/events${qs({ ...params, cursor, limit: PAGE_SIZE })}`, { auth: false }).then((p) => ({ items: p.events, next_cursor: p.next_cursor })),
      eventCard, 'No events match.'));
  };
  const near = h('button', { type: 'button', class: 'secondary', onclick: () => navigator.geolocation?.getCurrentPosition(
    (p) => { location.value = `${p.coords.latitude.toFixed(4)},${p.coords.longitude.toFixed(4)}`; run(); }) }, 'Near me');
  const form = h('form', { class: 'grid', role: 'search', onsubmit: (e) => { e.preventDefault(); run(); } },
    field('Words', q), field('Category', category), field('From', from), field('To', to),
    field('Place (lat,lng)', location), field('Radius km', radius), h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Search'), near));
  form.classList.add('search');
  mount(h('h1', {}, 'Find events'), form, area);
  run();
}

function eventCard(e) {
  return h('li', { class: 'card' },
    h('h3', {}, h('a', { href: `#/events/${enc(e.event_id)}` }, e.name)),
    h('div', { class: 'muted' }, `${when(e.starts_at)} · ${e.venue.name}, ${e.venue.city}`, e.distance_km != null ? ` · ${e.distance_km} km` : ''),
    h('div', { class: 'row' }, `${money(e.price_range.min)} – ${money(e.price_range.max)}`,
      h('span', { class: `pill ${e.availability}` }, e.availability.replace('_', ' ')), h('span', { class: 'pill' }, e.category)));
}

export async function eventScreen(eventId) {
  let page;
  try { page = await get(`/events/${enc(eventId)}`, { auth: false }); } catch (err) {
    mount(h('h1', {}, 'Event'), notice(err.status === 0 ? 'You are offline and this event page was not saved yet.' : errorText(err), 'bad'));
    return null;
  }
  const { event, venue, price_tiers: tiers, availability_summary: summary } = page;
  const chosen = h('div', { 'aria-live': 'polite' });
  const out = h('div', { 'aria-live': 'assertive' });
  let selection = [];
  const holdButton = h('button', { type: 'button', disabled: true, onclick: () => placeHold({ seat_ids: selection.map((s) => s.seat_id) }) }, 'Hold selected seats');
  const renderSelection = (seats) => {
    selection = seats;
    const total = seats.reduce((sum, s) => sum + s.price.amount, 0);
    chosen.replaceChildren(seats.length
      ? h('p', {}, `${seats.length} seat(s): ${seats.map((s) => s.seat_id).join(', ')} · ${money({ amount: total, currency: seats[0].price.currency })}`)
      : h('p', { class: 'muted' }, 'Pick seats on the map, or ask for the best available.'));
    holdButton.disabled = !seats.length;
  };
  async function placeHold(body) {
    if (!requireSignIn()) return;
    const done = busy('Holding seats');
    const token = sessionStorage.getItem(`admission:${event.event_id}`);
    try {
      const r = await api('POST', '/bookings/hold', { newRoute: Boolean(body.quantity), body: { event_id: event.event_id, ...body },
        headers: { 'Idempotency-Key': newKey(), ...(token ? { 'X-Admission-Token': token } : {}) } });
      location.hash = `#/holds/${enc(r.data.hold_id)}`;
    } catch (err) {
      if (err.code === 'QUEUE_ADMISSION_REQUIRED') { location.hash = `#/queue/${enc(event.event_id)}`; return; }
      let text = errorText(err);
      if (err.code === 'SEATS_UNAVAILABLE') text = `Someone else just took ${(err.details.unavailable_seat_ids || []).join(', ')}. Pick other seats.`;
      const fields = err.details.fields || {};
      const unknownField = /extra|not permitted|unexpected/i;  // a server without best available
      if (body.quantity && (err.status === 404 || (err.code === 'VALIDATION_ERROR' && (unknownField.test(fields.quantity || '') || (fields.seat_ids && !fields.quantity))))) {
        text = 'Best available is not offered by this server yet: pick seats on the map instead.';
      }
      out.replaceChildren(notice(text, 'bad'));
    } finally { done(); }
  }
  const quantity = h('input', { type: 'number', min: 1, max: event.max_tickets_per_order, value: 2, name: 'quantity' });
  const section = h('select', { name: 'section' }, h('option', { value: '' }, 'Any section'), venue.sections.map((s) => h('option', { value: s }, s)));
  const best = h('form', { class: 'grid', 'aria-label': 'Best available', onsubmit: (e) => {
    e.preventDefault(); placeHold({ quantity: Number(quantity.value), ...(section.value ? { section: section.value } : {}) });
  } }, field('Seats', quantity), field('Section', section), h('button', { type: 'submit' }, 'Best available'));
  const map = new SeatMap({ eventId: event.event_id, sections: venue.sections, websocketUrl: page.websocket_url, onSelect: renderSelection });
  renderSelection([]);
  mount(
    h('h1', {}, event.name),
    event.status === 'cancelled' ? notice('This event is cancelled.', 'bad') : null,
    h('p', {}, `${when(event.starts_at, venue.timezone)} · ${venue.name}, ${venue.address}, ${venue.city}`),
    event.performer ? h('p', {}, `With ${event.performer}`) : null,
    h('p', { class: 'muted' }, event.description),
    h('p', {}, `${summary.available} of ${summary.total} seats available · up to ${event.max_tickets_per_order} per order`),
    h('ul', {}, tiers.map((t) => h('li', {}, `${t.name}: ${money(t.price)} (sections ${t.sections.join(', ')})`))),
    h('p', {}, h('a', { href: `#/queue/${enc(event.event_id)}` }, 'Waiting room'), h('span', { class: 'muted' }, ' (for on-sales with a queue)')),
    h('h2', {}, 'Best available'), best,
    h('h2', {}, 'Choose seats'),
    h('div', { class: 'legend', 'aria-hidden': 'true' }, h('span', {}, h('i', { style: 'background:var(--free)' }), 'available'),
      h('span', {}, h('i', { style: 'background:var(--held)' }), 'held'), h('span', {}, h('i', { style: 'background:var(--sold)' }), 'sold'),
      h('span', {}, h('i', { style: 'background:var(--accent)' }), 'your pick')),
    chosen, holdButton, out, await map.load());
  return () => map.close();
}

export async function waitingRoomScreen(eventId) {
  if (!requireSignIn()) return null;
  const box = h('div', { 'aria-live': 'polite' });
  mount(h('h1', {}, 'Waiting room'), box);
  let timer = null;
  const show = (q) => {
    if (q.status === 'admitted' && q.admission_token) {
      sessionStorage.setItem(`admission:${eventId}`, q.admission_token);
      box.replaceChildren(notice(`You're in! Your turn lasts until ${when(q.expires_at)}.`, 'good'),
        h('a', { class: 'button', href: `#/events/${enc(eventId)}` }, 'Choose seats'));
      clearInterval(timer);
      return;
    }
    if (q.status === 'expired') { box.replaceChildren(notice('Your turn has expired. Join again.', 'bad')); clearInterval(timer); return; }
    const minutes = Math.ceil((q.estimated_wait_seconds || 0) / 60);
    box.replaceChildren(h('p', { class: 'countdown' }, `Position ${q.position}`),
      h('p', {}, `Estimated wait: about ${minutes} minute${minutes === 1 ? '' : 's'}. Keep this page open; it updates by itself.`));
  };
  try {
    show(await post(`/events/${enc(eventId)}/queue`, {}, { headers: { 'Idempotency-Key': newKey() }, newRoute: true }));
  } catch (err) {
    box.replaceChildren(notice(err.status === 404 && err.details.resource !== 'event'
      ? 'This server has no waiting room; go straight to the seats.'
      : errorText(err), 'bad'), h('a', { href: `#/events/${enc(eventId)}` }, 'Back to the event'));
    return null;
  }
  timer = setInterval(async () => {
    try { show(await get(`/events/${enc(eventId)}/queue/me`)); } catch { /* retry next tick */ }
  }, 3000);
  return () => clearInterval(timer);
}

// Checkout keeps its Idempotency-Key in localStorage under the hold, so a reload or a lost
// connection retries the same payment instead of starting a second one.
const checkoutKey = (holdId) => `checkout:${holdId}`;
const readCheckout = (holdId) => JSON.parse(localStorage.getItem(checkoutKey(holdId)) || 'null');
const writeCheckout = (holdId, value) => localStorage.setItem(checkoutKey(holdId), JSON.stringify(value));

export async function holdScreen(holdId) {
  if (!requireSignIn()) return null;
  let hold = await get(`/bookings/hold/${enc(holdId)}`);
  const stored = readCheckout(holdId);
  if (stored?.booking_id) {  // booked, or waiting on 3-D Secure: the booking page says which
    location.hash = `#/bookings/${enc(stored.booking_id)}`; return null; }
  const clock = h('p', { class: 'countdown', 'aria-live': 'off', 'data-testid': 'countdown' });
  const out = h('div', { 'aria-live': 'assertive', 'data-testid': 'checkout-state' });
  const timers = [];
  const tick = () => {
    const left = Math.max(0, Math.round((Date.parse(hold.expires_at) - Date.now()) / 1000));
    clock.textContent = hold.status !== 'active' ? `Hold ${hold.status}`
      : `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left`;
    if (left === 0 && hold.status === 'active') { hold.status = 'expired'; out.replaceChildren(notice('Your hold expired; the seats are free again.', 'bad')); }
  };
  timers.push(setInterval(tick, 1000));
  const extend = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    const done = busy('Extending the hold');
    try { hold = await post(`/bookings/hold/${enc(holdId)}/extend`, { hold_duration_seconds: 600 }); tick(); out.replaceChildren(notice('Extended.', 'good')); } catch (err) { out.replaceChildren(notice(errorText(err), 'bad')); } finally { done(); }
  } }, 'Extend');
  const release = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    const done = busy('Releasing the seats');
    try { await api('DELETE', `/bookings/hold/${enc(holdId)}`); location.hash = `#/events/${enc(hold.event_id)}`; } catch (err) { out.replaceChildren(notice(errorText(err), 'bad')); } finally { done(); }
  } }, 'Release seats');
  const method = h('select', { name: 'payment_method_id' },
    [['pm_card_visa', 'Test card: approves'], ['pm_card_chargeDeclined', 'Test card: declined'],
      ['pm_card_threeDSecure2Required', 'Test card: needs 3-D Secure'], ['pm_card_providerError', 'Test card: provider outage']]
      .map(([v, l]) => h('option', { value: v }, l)));
  const pay = h('button', { type: 'submit' }, `Pay ${money(hold.total_price)}`);

  async function checkout() {
    let state = readCheckout(holdId);
    if (!state || state.payment_method_id !== method.value) {
      state = { key: newKey(), payment_method_id: method.value };
      writeCheckout(holdId, state);
    }
    pay.disabled = true;
    out.replaceChildren(notice('Payment in progress… (safe to reload: it will not be charged twice)'));
    const done = busy('Paying');
    try {
      const r = await api('POST', '/bookings', { body: { hold_id: holdId, payment_method_id: state.payment_method_id },
        headers: { 'Idempotency-Key': state.key } });
      writeCheckout(holdId, { ...state, booking_id: r.data.booking_id });
      if (r.status === 202 || r.data.status === 'pending') {
        out.replaceChildren(notice('Waiting for your bank: confirm the payment (3-D Secure) in your banking app. This page updates by itself.'));
        timers.push(setInterval(async () => {
          const b = await get(`/bookings/${enc(r.data.booking_id)}`).catch(() => null);
          if (b && b.booking.status !== 'pending') location.hash = `#/bookings/${enc(r.data.booking_id)}`;
        }, 2000));
        return;
      }
      location.hash = `#/bookings/${enc(r.data.booking_id)}`;
    } catch (err) {
      pay.disabled = false;
      if (err.code === 'IDEMPOTENCY_KEY_IN_USE') {
        out.replaceChildren(notice('Your payment is still being processed; checking again shortly…'));
        timers.push(setTimeout(checkout, 1000 * Number(err.headers?.get('Retry-After') || 1)));
      } else if (err.status === 0 || err.status >= 500) {
        out.replaceChildren(notice(`${errorText(err)} Press Pay to retry: the same payment is retried, never a second one.`, 'bad'));
      } else {
        localStorage.removeItem(checkoutKey(holdId));  // a final answer: the next try is a new payment
        out.replaceChildren(notice(err.code === 'PAYMENT_DECLINED' ? 'Your card was declined; the seats are still held. Try another card.' : errorText(err), 'bad'));
      }
    } finally { done(); }
  }
  const form = h('form', { class: 'grid', 'aria-label': 'Checkout', onsubmit: (e) => { e.preventDefault(); checkout(); } }, field('Payment method', method), pay);
  tick();
  mount(h('h1', {}, 'Your seats are held'), clock,
    h('ul', {}, hold.seats.map((s) => h('li', {}, `Section ${s.section}, row ${s.row}, seat ${s.number} · ${money(s.price)}`))),
    h('p', {}, `Total ${money(hold.total_price)}`), h('div', { class: 'row' }, extend, release),
    h('h2', {}, 'Checkout'), form, out);
  if (stored && !stored.booking_id && ['active', 'booked'].includes(hold.status)) {
    // A payment started before a reload or a lost answer: the same key replays its result.
    method.value = stored.payment_method_id;
    out.replaceChildren(notice('Resuming the payment you started…'));
    checkout();
  } else if (hold.status === 'booked') {
    out.replaceChildren(notice('These seats are already booked.', 'good'), h('a', { href: '#/bookings' }, 'See my bookings'));
  }
  return () => timers.forEach((t) => { clearInterval(t); clearTimeout(t); });
}

export async function bookingScreen(bookingId) {
  if (!requireSignIn()) return null;
  const timers = [];
  const render = async () => {
    const { booking, tickets, event, venue } = await get(`/bookings/${enc(bookingId)}`);
    const out = h('div', { 'aria-live': 'assertive' });
    const cancel = h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!confirm('Cancel this booking and get a refund?')) return;
      const done = busy('Cancelling');
      try {
        const r = await post(`/bookings/${enc(bookingId)}/cancel`, {}, { headers: { 'Idempotency-Key': newKey() } });
        await render();
        document.getElementById('main').prepend(notice(`Cancelled. Refund of ${money(r.refund.amount)}: ${r.refund.status}.`, 'good'));
      } catch (err) { out.replaceChildren(notice(errorText(err), 'bad')); } finally { done(); }
    } }, 'Cancel booking');
    const status = booking.status === 'pending'
      ? notice('Payment pending: waiting for 3-D Secure confirmation from your bank. This page updates by itself.')
      : booking.status === 'failed' ? notice(`Payment failed: ${booking.failure?.message || ''}`, 'bad') : null;
    mount(h('h1', {}, booking.status === 'confirmed' ? 'You are going!' : `Booking ${booking.status}`), status,
      h('p', {}, `${event.name} · ${when(event.starts_at, venue.timezone)} · ${venue.name}, ${venue.city}`),
      h('p', {}, 'Confirmation code ', h('strong', { 'data-testid': 'confirmation-code' }, booking.confirmation_code || '—'),
        ` · ${money(booking.total_price)}`),
      h('ul', { class: 'tickets', 'aria-label': 'Tickets' }, tickets.map((t) => h('li', { class: 'ticket' },
        h('strong', {}, `Section ${t.seat.section}, row ${t.seat.row}, seat ${t.seat.number}`),
        h('div', { class: 'muted' }, `${money(t.price)} · ${t.status}`),
        t.status === 'valid' ? qrSvg(t.qr_code, `QR code for seat ${t.seat.seat_id}`) : null,
        t.status === 'valid' ? h('details', {}, h('summary', {}, 'Ticket code'), h('code', { class: 'ticket-code', style: 'word-break:break-all' }, t.qr_code)) : null))),
      booking.status === 'confirmed' ? cancel : null, out);
    return booking.status;
  };
  if (await render() === 'pending') {
    timers.push(setInterval(async () => { if (await render().catch(() => 'pending') !== 'pending') timers.forEach(clearInterval); }, 2000));
  }
  return () => timers.forEach(clearInterval);
}

export async function myBookingsScreen() {
  if (!requireSignIn()) return;
  const list = h('ul', { class: 'cards', 'aria-label': 'Bookings' });
  mount(h('h1', {}, 'My bookings'), list, pager(list,
    (cursor) => get(`/users/me/bookings${qs({ cursor })}`).then((p) => ({ items: p.bookings, next_cursor: p.next_cursor })),
    (b) => h('li', { class: 'card' }, h('h3', {}, h('a', { href: `#/bookings/${enc(b.booking_id)}` }, b.event.name)),
      h('div', { class: 'muted' }, `${when(b.event.starts_at)} · ${b.ticket_count} ticket(s) · ${money(b.total_price)}`),
      h('span', { class: 'pill' }, b.status)), 'No bookings yet.'));
}

export { ApiError };
