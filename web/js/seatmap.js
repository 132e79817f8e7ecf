// The seat map: one SVG per section, seats as labelled buttons, kept current over the
// WebSocket and, when the socket fails, by polling GET .../seats with If-None-Match.
import { api } from './api.js';
import { h, money } from './ui.js';

const GAP = 24; const R = 9; const LEFT = 44;
const naturally = (a, b) => String(a).localeCompare(String(b), 'en', { numeric: true });

export function seatLabel(seat) {
  return `Row ${seat.row}, seat ${seat.number}, ${money(seat.price)}, ${seat.status}`;
}

export class SeatMap {
  constructor({ eventId, sections, websocketUrl, onSelect }) {
    Object.assign(this, { eventId, sections, websocketUrl, onSelect });
    this.seats = new Map(); this.els = new Map(); this.etags = new Map(); this.selected = new Set();
    this.mode = h('p', { class: 'muted', 'data-testid': 'live-mode', 'aria-live': 'polite' }, 'Connecting for live updates…');
    this.root = h('div', { class: 'seatmap-wrap' }, this.mode);
    this.timers = []; this.closed = false;
  }

  async load() {
    for (const section of this.sections) {
      const res = await api('GET', `/events/${encodeURIComponent(this.eventId)}/seats?section=${encodeURIComponent(section)}`, { auth: false });
      this.etags.set(section, res.etag);
      for (const s of res.data.seats) this.seats.set(s.seat_id, s);
      this.root.append(this.drawSection(section, res.data.seats));
    }
    this.connect();
    return this.root;
  }

  drawSection(section, seats) {
    const rows = new Map();
    for (const s of seats) { if (!rows.has(s.row)) rows.set(s.row, []); rows.get(s.row).push(s); }
    const rowNames = [...rows.keys()].sort(naturally);
    const widest = Math.max(1, ...[...rows.values()].map((r) => r.length));
    const width = LEFT + widest * GAP + 10; const height = rowNames.length * GAP + 34;
    const svg = h('svg', { viewBox: `0 0 ${width} ${height}`, width, role: 'group', 'aria-label': `Section ${section}` },
      h('text', { x: LEFT, y: 14, 'font-size': 12, fill: '#5c677d' }, `Section ${section} · stage this way ↑`));
    rowNames.forEach((row, i) => {
      const y = 30 + i * GAP + R;
      svg.append(h('text', { x: 4, y: y + 4, 'font-size': 11, fill: '#5c677d', 'aria-hidden': 'true' }, row));
      const inRow = rows.get(row).sort((a, b) => a.number - b.number);
      const offset = ((widest - inRow.length) * GAP) / 2;
      inRow.forEach((seat, j) => {
        const g = h('g', { class: 'seat', role: 'button', tabindex: 0, 'data-seat-id': seat.seat_id,
          'data-status': seat.status, 'aria-pressed': 'false', 'aria-label': seatLabel(seat),
          onclick: () => this.toggle(seat.seat_id),
          onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.toggle(seat.seat_id); } } },
        h('circle', { cx: LEFT + offset + j * GAP + R, cy: y, r: R }));
        this.els.set(seat.seat_id, g);
        svg.append(g);
      });
    });
    return h('div', { class: 'seatmap' }, svg);
  }

  toggle(seatId) {
    const seat = this.seats.get(seatId);
    if (!seat) return;
    if (this.selected.has(seatId)) this.selected.delete(seatId);
    else if (seat.status === 'available') this.selected.add(seatId);
    this.paint(seatId);
    this.onSelect([...this.selected].map((id) => this.seats.get(id)));
  }

  setStatus(seatId, status) {
    const seat = this.seats.get(seatId);
    if (!seat || seat.status === status) return;
    seat.status = status;
    if (status !== 'available' && this.selected.delete(seatId)) this.onSelect([...this.selected].map((id) => this.seats.get(id)));
    this.paint(seatId);
  }

  paint(seatId) {
    const g = this.els.get(seatId); const seat = this.seats.get(seatId);
    g.setAttribute('data-status', seat.status);
    g.setAttribute('aria-label', seatLabel(seat) + (this.selected.has(seatId) ? ', selected' : ''));
    g.setAttribute('aria-pressed', String(this.selected.has(seatId)));
  }

  connect() {
    if (!this.websocketUrl || !('WebSocket' in window)) { this.fallBack('this server offers no live socket'); return; }
    let ws;
    try { ws = new WebSocket(this.websocketUrl); } catch { this.fallBack('the live socket could not be opened'); return; }
    this.ws = ws;
    ws.onopen = () => {
      // One subscription for the whole event: the server keeps one subscription per event
      // and connection (a second subscribe with another section replaces the first).
      ws.send(JSON.stringify({ action: 'subscribe', event_id: this.eventId }));
      this.timers.push(setInterval(() => ws.readyState === 1 && ws.send('{"action":"ping"}'), 60000));
    };
    ws.onmessage = (m) => {
      let msg; try { msg = JSON.parse(m.data); } catch { return; }
      if (msg.type === 'subscribed') {
        if (this.pollTimer) { clearInterval(this.pollTimer); this.pollTimer = null; }  // live again
        this.mode.textContent = 'Live: seats update as others buy.';
        this.mode.dataset.mode = 'live';
        // Whatever changed between our first read and the subscription: 304s when nothing did.
        this.sections.forEach((section) => this.refresh(section));
      } else if (msg.type === 'seats') {
        for (const c of msg.changes) this.setStatus(c.seat_id, c.status);
      }
    };
    ws.onclose = () => { if (!this.closed && this.ws === ws) this.fallBack('the live connection was lost'); };
  }

  fallBack(why) {
    if (this.closed) return;
    if (!this.pollTimer) {
      this.mode.dataset.mode = 'polling';
      this.mode.textContent = `Live updates are off (${why}); checking for changes every 2 seconds instead.`;
      this.pollTimer = setInterval(() => this.sections.forEach((s) => this.refresh(s)), 2000);
    }
    if (this.websocketUrl && 'WebSocket' in window) this.retry = setTimeout(() => this.connect(), 15000);
  }

  async refresh(section) {
    try {
      const res = await api('GET', `/events/${encodeURIComponent(this.eventId)}/seats?section=${encodeURIComponent(section)}`,
        { auth: false, etag: this.etags.get(section) });
      if (res.status === 304) return;
      this.etags.set(section, res.etag);
      for (const s of res.data.seats) this.setStatus(s.seat_id, s.status);
    } catch { /* the next tick tries again */ }
  }

  close() {
    this.closed = true;
    this.timers.forEach(clearInterval);
    clearInterval(this.pollTimer); clearTimeout(this.retry);
    if (this.ws) this.ws.close();
  }
}
