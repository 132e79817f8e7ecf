// Organizer screens: venues, events (create, edit, publish, cancel with refund progress),
// the live sales dashboard, attendees + CSV, door check-in, webhooks, audit.
import { api, get, getConfig, newKey, post, qs, session } from './api.js';
import { busy, errorText, field, h, money, mount, notice, pager, when } from './ui.js';
import { requireSignIn } from './auth.js';
import { lineChart } from './chart.js';

const enc = encodeURIComponent;
const write = (method, path, body) => api(method, path, { body, headers: { 'Idempotency-Key': newKey() } }).then((r) => r.data);

function organizerOnly() {
  if (!requireSignIn()) return false;
  if (!session.roles.includes('organizer')) { mount(notice('This page is for organizers: sign in with the organizer role.', 'bad')); return false; }
  return true;
}

const orgNav = () => h('nav', { class: 'row', 'aria-label': 'Organizer' },
  h('a', { href: '#/organizer' }, 'Events'), h('a', { href: '#/organizer/venues/new' }, 'New venue'),
  h('a', { href: '#/organizer/events/new' }, 'New event'), h('a', { href: '#/organizer/webhooks' }, 'Webhooks'),
  h('a', { href: '#/organizer/audit' }, 'Audit'));

export async function homeScreen() {
  if (!organizerOnly()) return;
  const events = h('ul', { class: 'cards', 'aria-label': 'Your events' });
  const venues = h('ul', { class: 'cards', 'aria-label': 'Your venues' });
  mount(h('h1', {}, 'Organizer'), orgNav(), h('h2', {}, 'Events'), events,
    pager(events, (cursor) => get(`/organizer/events${qs({ cursor })}`).then((p) => ({ items: p.events, next_cursor: p.next_cursor })),
      (e) => h('li', { class: 'card' }, h('h3', {}, h('a', { href: `#/organizer/events/${enc(e.event_id)}` }, e.name)),
        h('span', { class: 'pill' }, e.status), ` ${when(e.starts_at)}`), 'No events yet.'),
    h('h2', {}, 'Venues'), venues,
    pager(venues, (cursor) => get(`/organizer/venues${qs({ cursor })}`).then((p) => ({ items: p.venues, next_cursor: p.next_cursor })),
      (v) => h('li', { class: 'card' }, h('strong', {}, v.name), ` · ${v.city} · ${v.capacity} seats · sections ${v.sections.join(', ')}`), 'No venues yet.'));
}

export async function venueBuilderScreen() {
  if (!organizerOnly()) return;
  const inp = (name, attrs = {}) => h('input', { name, required: true, ...attrs });
  const name = inp('name'); const address = inp('address'); const city = inp('city');
  const country = inp('country', { maxlength: 2, placeholder: 'PT' }); const tz = h('input', { name: 'timezone', value: Intl.DateTimeFormat().resolvedOptions().timeZone });
  const lat = inp('lat', { type: 'number', step: 'any', value: 38.72 }); const lng = inp('lng', { type: 'number', step: 'any', value: -9.14 });
  const sections = h('div', {});
  const preview = h('p', { class: 'muted', 'aria-live': 'polite' });
  const readSections = () => [...sections.querySelectorAll('fieldset')].map((fs) => {
    const rows = Number(fs.querySelector('[name=rows]').value); const seats = Number(fs.querySelector('[name=seats]').value);
    return { name: fs.querySelector('[name=section]').value,
      rows: Array.from({ length: rows }, (_, i) => ({ name: String(i + 1), seats })) };
  });
  const update = () => {
    const all = readSections();
    preview.textContent = `${all.length} section(s), ${all.reduce((n, s) => n + s.rows.reduce((m, r) => m + r.seats, 0), 0)} seats`;
  };
  const addSection = () => {
    const n = sections.children.length;
    const fs = h('fieldset', { class: 'grid' }, h('legend', {}, `Section ${n + 1}`),
      field('Section name', h('input', { name: 'section', required: true, pattern: '[A-Za-z0-9]{1,20}', value: String.fromCharCode(65 + n) })),
      field('Rows', h('input', { name: 'rows', type: 'number', min: 1, max: 200, value: 5 })),
      field('Seats per row', h('input', { name: 'seats', type: 'number', min: 1, max: 200, value: 10 })),
      h('button', { type: 'button', class: 'secondary', onclick: () => { fs.remove(); update(); } }, 'Remove section'));
    fs.addEventListener('input', update);
    sections.append(fs); update();
  };
  const out = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { 'aria-label': 'Venue builder', onsubmit: async (e) => {
    e.preventDefault();
    const done = busy('Saving the venue');
    try {
      const v = await write('POST', '/organizer/venues', { name: name.value, address: address.value, city: city.value, country: country.value,
        timezone: tz.value || undefined, location: { lat: Number(lat.value), lng: Number(lng.value) }, sections: readSections() });
      out.replaceChildren(notice(`Venue ${v.name} saved: ${v.capacity} seats.`, 'good'), h('a', { href: `#/organizer/events/new?venue=${enc(v.venue_id)}` }, 'Create an event here'));
    } catch (err) { out.replaceChildren(notice(errorText(err) + fieldErrors(err), 'bad')); } finally { done(); }
  } }, h('div', { class: 'grid' }, field('Name', name), field('Address', address), field('City', city), field('Country', country),
    field('Time zone', tz), field('Latitude', lat), field('Longitude', lng)),
  h('h2', {}, 'Sections and rows'), sections, h('div', { class: 'row' },
    h('button', { type: 'button', class: 'secondary', onclick: addSection }, 'Add section'), preview),
  h('p', {}, h('button', { type: 'submit' }, 'Save venue')));
  addSection();
  mount(h('h1', {}, 'New venue'), orgNav(), form, out);
}

const fieldErrors = (err) => (err.details?.fields ? ` (${Object.entries(err.details.fields).map(([k, v]) => `${k}: ${v}`).join('; ')})` : '');
const localInput = (iso) => { const d = new Date(iso); return new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); };

export async function eventFormScreen(eventId) {
  if (!organizerOnly()) return;
  const existing = eventId ? await get(`/organizer/events/${enc(eventId)}`) : null;
  const venues = (await get('/organizer/venues?limit=100')).venues;
  const wanted = new URLSearchParams(location.hash.split('?')[1] || '').get('venue');
  const venue = h('select', { name: 'venue_id', disabled: existing ? true : undefined },
    venues.map((v) => h('option', { value: v.venue_id, selected: (existing?.venue_id || wanted) === v.venue_id }, `${v.name} (${v.city})`)));
  const inp = (name, attrs = {}) => h('input', { name, value: existing?.[name] ?? '', ...attrs });
  const name = inp('name', { required: true }); const category = inp('category', { required: true, pattern: '[a-z0-9-]{1,40}' });
  const performer = inp('performer'); const description = h('textarea', { name: 'description', rows: 3 }, existing?.description || '');
  const starts = h('input', { name: 'starts_at', type: 'datetime-local', required: true,
    value: existing ? localInput(existing.starts_at) : localInput(Date.now() + 14 * 864e5) });
  const maxTickets = inp('max_tickets_per_order', { type: 'number', min: 1, max: 50, value: existing?.max_tickets_per_order ?? 8 });
  const currency = h('input', { name: 'currency', value: 'EUR', maxlength: 3 });
  const tiers = h('div', {});
  const drawTiers = () => {
    const v = venues.find((x) => x.venue_id === venue.value);
    tiers.replaceChildren(...(v ? v.sections : []).map((s) => h('div', { class: 'row' },
      field(`Price for section ${s}`, h('input', { type: 'number', min: 0, step: '0.01', value: 50, 'data-section': s })))));
  };
  venue.addEventListener('change', drawTiers);
  if (!existing) drawTiers();
  const out = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { 'aria-label': existing ? 'Edit event' : 'New event', onsubmit: async (e) => {
    e.preventDefault();
    const body = { name: name.value, description: description.value, performer: performer.value || null,
      starts_at: new Date(starts.value).toISOString().replace(/\.\d+Z$/, 'Z'), max_tickets_per_order: Number(maxTickets.value) };
    if (!existing || existing.status === 'draft') body.category = category.value;
    if (!existing) {
      body.venue_id = venue.value;
      const byPrice = new Map();  // sections sharing a price share a tier
      for (const i of tiers.querySelectorAll('input')) {
        const amount = Math.round(Number(i.value) * 100);
        if (!byPrice.has(amount)) byPrice.set(amount, []);
        byPrice.get(amount).push(i.dataset.section);
      }
      body.price_tiers = [...byPrice].sort((a, b) => b[0] - a[0]).map(([amount, sections], n) => ({
        name: `Tier ${n + 1}`, price: { amount, currency: currency.value }, sections }));
    }
    if (existing) {  // send only what changed: an unchanged starts_at is not a reschedule
      for (const k of Object.keys(body)) if (body[k] === existing[k] || (body[k] === null && !existing[k])) delete body[k];
      if (body.starts_at && Date.parse(body.starts_at) === Date.parse(existing.starts_at)) delete body.starts_at;
    }
    const done = busy('Saving the event');
    try {
      const ev = existing ? await write('PATCH', `/organizer/events/${enc(eventId)}`, body) : await write('POST', '/organizer/events', body);
      location.hash = `#/organizer/events/${enc(ev.event_id)}`;
    } catch (err) { out.replaceChildren(notice(errorText(err) + fieldErrors(err), 'bad')); } finally { done(); }
  } }, h('div', { class: 'grid' }, field('Venue', venue), field('Name', name), field('Category', category), field('Performer', performer),
    field('Starts', starts), field('Max tickets per order', maxTickets), existing ? null : field('Currency', currency)),
  field('Description', description), existing ? null : h('h2', {}, 'Prices'), tiers,
  h('p', {}, h('button', { type: 'submit' }, existing ? 'Save changes' : 'Create draft')));
  mount(h('h1', {}, existing ? `Edit ${existing.name}` : 'New event'), orgNav(), form, out);
}

export async function eventDashboardScreen(eventId) {
  if (!organizerOnly()) return null;
  const base = `/organizer/events/${enc(eventId)}`;
  let event = await get(base);
  const timers = [];
  const head = h('div', {});
  const out = h('div', { 'aria-live': 'assertive' });
  const sales = h('section', { 'aria-label': 'Sales' });
  const refunds = h('div', { 'aria-live': 'polite', 'data-testid': 'refund-progress' });
  const drawHead = () => head.replaceChildren(h('h1', {}, event.name), orgNav(),
    h('p', {}, h('span', { class: 'pill', 'data-testid': 'event-status' }, event.status), ` ${when(event.starts_at)} · ${event.category}`),
    h('div', { class: 'row' },
      h('a', { class: 'button', href: `#/organizer/events/${enc(eventId)}/edit` }, 'Edit'),
      event.status === 'draft' ? h('button', { type: 'button', onclick: publish }, 'Publish') : null,
      event.status === 'published' ? h('a', { class: 'button', href: `#/events/${enc(eventId)}` }, 'Public page') : null,
      event.status !== 'draft' ? h('a', { class: 'button', href: `#${base}/check-in` }, 'Door check-in') : null,
      event.status !== 'cancelled' ? h('button', { type: 'button', class: 'danger', onclick: cancel }, 'Cancel event') : null));
  async function publish() {
    const done = busy('Publishing');
    try { event = await write('POST', `${base}/publish`, {}); drawHead(); out.replaceChildren(notice('Published: on sale and searchable.', 'good')); } catch (err) { out.replaceChildren(notice(errorText(err), 'bad')); } finally { done(); }
  }
  async function cancel() {
    if (!confirm('Cancel this event and refund every booking?')) return;
    const done = busy('Cancelling the event');
    try {
      const r = await write('POST', `${base}/cancel`, {});
      event = r.event; drawHead(); showRefunds(r.refunds);
      timers.push(setInterval(async () => showRefunds(await get(`${base}/cancellation`).catch(() => null)), 2000));
    } catch (err) { out.replaceChildren(notice(errorText(err), 'bad')); } finally { done(); }
  }
  function showRefunds(r) {
    if (!r) return;
    // bookings_total counts the bookings the cancellation cancelled; `failed` ones could not
    // be cancelled at all (a ticket already used at the door), so they stand apart.
    refunds.replaceChildren(h('h2', {}, 'Refunds'), h('progress', { max: Math.max(1, r.bookings_total), value: r.refunded, 'aria-label': 'Refunds done' }),
      h('p', {}, `${r.refunded} of ${r.bookings_total} cancelled bookings refunded`,
        r.failed ? ` · ${r.failed} not cancelled (a ticket was already used at the door)` : '', ` · ${r.status}`));
    if (r.status === 'done') timers.forEach(clearInterval);
  }
  const storeKey = `sales:${eventId}`;
  const samples = JSON.parse(localStorage.getItem(storeKey) || '[]');
  let lastSold = null;
  async function drawSales() {
    if (event.status === 'draft') { sales.replaceChildren(h('p', { class: 'muted' }, 'Sales start when the event is published.')); return; }
    let s; try { s = await get(`${base}/sales`); } catch (err) { sales.replaceChildren(notice(errorText(err), 'bad')); return; }
    if (s.tickets_sold !== lastSold) { lastSold = s.tickets_sold; loadAttendees(); }  // someone bought or cancelled
    const values = Object.fromEntries(s.by_tier.map((t) => [t.name, t.sold]));
    const last = samples[samples.length - 1];
    if (!last || JSON.stringify(last.values) !== JSON.stringify(values) || Date.now() - last.t > 30000) {
      samples.push({ t: Date.now(), values }); if (samples.length > 500) samples.shift();
      localStorage.setItem(storeKey, JSON.stringify(samples));
    }
    sales.replaceChildren(h('h2', {}, 'Live sales'),
      h('div', { class: 'stats' }, h('div', { class: 'stat' }, h('b', { 'data-testid': 'tickets-sold' }, s.tickets_sold), 'sold'),
        h('div', { class: 'stat' }, h('b', {}, s.tickets_held), 'held'), h('div', { class: 'stat' }, h('b', {}, s.tickets_available), 'available'),
        h('div', { class: 'stat' }, h('b', {}, money(s.revenue)), 'revenue')),
      lineChart(samples, s.by_tier.map((t) => t.name), { label: 'Tickets sold over time by tier' }),
      h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Tier'), h('th', {}, 'Sold'), h('th', {}, 'Revenue'))),
        h('tbody', {}, s.by_tier.map((t) => h('tr', {}, h('td', {}, t.name), h('td', {}, t.sold), h('td', {}, money(t.revenue))))))),
      h('p', { class: 'muted' }, `Updated ${when(s.updated_at)}; refreshes every 3 s.`));
  }
  const attendees = h('tbody', {});
  const attendeePages = h('div', {});
  function loadAttendees() {
    if (event.status === 'draft') return;
    attendees.replaceChildren();
    attendeePages.replaceChildren(pager(attendees, (cursor) => get(`${base}/attendees${qs({ cursor })}`).then((p) => ({ items: p.attendees, next_cursor: p.next_cursor })),
      (a) => h('tr', {}, h('td', {}, a.confirmation_code), h('td', {}, a.email || a.user_id), h('td', {}, a.status),
        h('td', {}, a.tickets.map((t) => `${t.seat_id} (${t.status})`).join(', '))), 'No attendees yet.'));
  }
  const csv = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    const res = await api('GET', `${base}/attendees`, { headers: { Accept: 'text/csv' }, raw: true });
    const url = URL.createObjectURL(await res.blob());
    h('a', { href: url, download: `attendees-${eventId}.csv` }).click();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  } }, 'Download CSV');
  const attendeeTable = h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Attendees' }, h('thead', {}, h('tr', {},
    ['Code', 'Email', 'Status', 'Tickets'].map((c) => h('th', {}, c)))), attendees));
  mount(head, out, refunds, sales, h('h2', {}, 'Attendees'), csv, attendeeTable, attendeePages);
  drawHead();
  if (event.status === 'cancelled') showRefunds(await get(`${base}/cancellation`).catch(() => null));
  await drawSales();
  timers.push(setInterval(drawSales, 3000));
  return () => timers.forEach(clearInterval);
}

export async function checkInScreen(eventId) {
  if (!organizerOnly()) return null;
  const event = await get(`/organizer/events/${enc(eventId)}`);
  const verdict = h('div', { 'aria-live': 'assertive', 'data-testid': 'verdict' });
  const code = h('textarea', { name: 'ticket_code', rows: 3, placeholder: 'Paste or scan the ticket code' });
  let stopCamera = null;
  async function check(text) {
    const done = busy('Checking the ticket');
    try {
      const r = await post(`/organizer/events/${enc(eventId)}/check-ins`, { ticket_code: text.trim() });
      verdict.replaceChildren(h('div', { class: 'verdict ok' }, 'OK'), h('p', {}, `Seat ${r.seat.section} ${r.seat.row}-${r.seat.number} · in at ${when(r.checked_in_at)}`));
      try { navigator.vibrate?.(80); } catch { /* no vibration: fine */ }
    } catch (err) {
      const why = { ALREADY_CHECKED_IN: `Already checked in at ${when(err.details.checked_in_at)}`, TICKET_VOID: 'The ticket was cancelled',
        INVALID_TICKET: 'Not a ticket for this event' }[err.code] || errorText(err);
      verdict.replaceChildren(h('div', { class: 'verdict refused' }, 'REFUSED'), h('p', {}, why));
      try { navigator.vibrate?.([200, 100, 200]); } catch { /* fine */ }
    } finally { done(); code.value = ''; code.focus(); }
  }
  const camera = ('BarcodeDetector' in window && navigator.mediaDevices?.getUserMedia)
    ? h('button', { type: 'button', class: 'secondary', onclick: async () => { stopCamera = await scan(check, verdict); } }, 'Scan with the camera')
    : h('p', { class: 'muted' }, 'This browser offers no camera scanning; paste the code instead.');
  mount(h('h1', {}, `Door check-in: ${event.name}`), orgNav(), camera,
    h('form', { 'aria-label': 'Check in a ticket', onsubmit: (e) => { e.preventDefault(); check(code.value); } }, field('Ticket code', code),
      h('p', {}, h('button', { type: 'submit' }, 'Check in'))), verdict);
  code.focus();
  return () => stopCamera && stopCamera();
}

async function scan(onCode, where) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  const video = h('video', { playsinline: true, muted: true, style: 'width:100%;max-width:420px' });
  video.srcObject = stream; await video.play(); where.before(video);
  const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
  let last = ''; let running = true;
  (async function loop() {
    while (running) {
      const codes = await detector.detect(video).catch(() => []);
      if (codes[0] && codes[0].rawValue !== last) { last = codes[0].rawValue; await onCode(last); }
      await new Promise((r) => setTimeout(r, 250));
    }
  }());
  return () => { running = false; stream.getTracks().forEach((t) => t.stop()); video.remove(); };
}

const TYPES = ['HoldPlaced', 'HoldReleased', 'HoldExpired', 'BookingConfirmed', 'BookingCancelled', 'EventPublished'];

export async function webhooksScreen() {
  if (!organizerOnly()) return;
  const list = h('ul', { class: 'cards', 'aria-label': 'Webhooks' });
  const out = h('div', { 'aria-live': 'assertive' });
  const url = h('input', { name: 'url', type: 'url', required: true, placeholder: 'https://example.com/hooks' });
  const boxes = TYPES.map((t) => h('input', { type: 'checkbox', value: t, checked: t.startsWith('Booking') }));
  const draw = async () => {
    const { webhooks } = await get('/organizer/webhooks');
    list.replaceChildren(...webhooks.map((w) => {
      const deliveries = h('div', {});
      return h('li', { class: 'card' }, h('strong', {}, w.url), h('div', { class: 'muted' }, w.events.join(', ')),
        h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary', onclick: async () => {
          const d = await get(`/organizer/webhooks/${enc(w.webhook_id)}/deliveries`);
          deliveries.replaceChildren(d.deliveries.length ? h('table', {}, h('tbody', {}, d.deliveries.map((x) => h('tr', {},
            h('td', {}, x.type), h('td', {}, x.status), h('td', {}, `${x.attempts} attempt(s)`), h('td', {}, x.last_status_code ?? '—'),
            h('td', {}, x.next_attempt_at ? `next ${when(x.next_attempt_at)}` : ''))))) : h('p', { class: 'muted' }, 'No deliveries yet.'));
        } }, 'Deliveries'), h('button', { type: 'button', class: 'danger', onclick: async () => {
          await api('DELETE', `/organizer/webhooks/${enc(w.webhook_id)}`); draw();
        } }, 'Delete')), deliveries);
    }));
  };
  const form = h('form', { 'aria-label': 'New webhook', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const w = await write('POST', '/organizer/webhooks', { url: url.value, events: boxes.filter((b) => b.checked).map((b) => b.value) });
      out.replaceChildren(notice(`Created. Signing secret (shown once): ${w.secret}`, 'good')); draw();
    } catch (err) { out.replaceChildren(notice(errorText(err) + fieldErrors(err), 'bad')); }
  } }, field('URL', url), h('fieldset', {}, h('legend', {}, 'Events'), boxes.map((b) => h('label', { class: 'inline' }, b, b.value))),
  h('p', {}, h('button', { type: 'submit' }, 'Add webhook')));
  mount(h('h1', {}, 'Webhooks'), orgNav(), form, out, list);
  await draw();
}

export async function auditScreen() {
  if (!organizerOnly()) return;
  const rows = h('tbody', {});
  mount(h('h1', {}, 'Audit'), orgNav(), h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Audit entries' },
    h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Resource'].map((c) => h('th', {}, c)))), rows)),
  pager(rows, (cursor) => get(`/organizer/audit${qs({ cursor })}`).then((p) => ({ items: p.entries, next_cursor: p.next_cursor })),
    (e) => h('tr', {}, h('td', {}, when(e.at)), h('td', {}, e.actor), h('td', {}, e.action), h('td', {}, e.resource)), 'No entries yet.'));
}

export { getConfig };
