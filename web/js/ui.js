// Small DOM helpers: h() builds elements, so no user text is ever parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const svg = ['svg', 'g', 'circle', 'rect', 'text', 'path', 'polyline', 'line', 'title'].includes(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function money(m) {
  if (!m) return '';
  const digits = { JPY: 0, KRW: 0 }[m.currency] ?? 2;
  const value = m.amount / 10 ** digits;
  return `${value.toLocaleString('en', { minimumFractionDigits: 0, maximumFractionDigits: digits })} ${m.currency}`;
}

export function when(iso, timeZone) {
  if (!iso) return '';
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone });
}

export function mount(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return main;
}

// One status line for pending actions: what is in flight, what failed.
const pending = new Map();
export function busy(label) {
  const id = Symbol(label);
  pending.set(id, label);
  renderStatus();
  return () => { pending.delete(id); renderStatus(); };
}
let banner = '';
export function setBanner(text) { banner = text || ''; renderStatus(); }
function renderStatus() {
  const el = document.getElementById('status');
  if (!el) return;
  const parts = [...pending.values()].map((l) => `${l}…`);
  if (banner) parts.unshift(banner);
  el.textContent = parts.join(' · ');
}

export function notice(text, kind = '') {
  return h('p', { class: `notice ${kind}`, role: kind === 'bad' ? 'alert' : 'status' }, text);
}

export function errorText(err) {
  if (!err) return '';
  return err.message || String(err);
}

// Infinite scroll on cursors: the next page is fetched as soon as a page is shown, and
// shown when the sentinel scrolls into view.
export function pager(list, load, renderItem, emptyText = 'Nothing here yet.') {
  const sentinel = h('div', { class: 'sentinel', 'aria-hidden': 'true' });
  const more = h('p', { class: 'muted' });
  let next = null; let ended = false; let first = true;
  const fetchPage = (cursor) => load(cursor).then((page) => page, (err) => ({ error: err }));
  const show = async () => {
    if (ended || !next) return;
    const current = next; next = null;
    more.textContent = 'Loading more…';
    const page = await current;
    if (page.error) { more.textContent = errorText(page.error); ended = true; return; }
    for (const item of page.items) list.append(renderItem(item));
    if (first && !page.items.length) more.textContent = emptyText;
    else more.textContent = page.next_cursor ? '' : 'End of the list.';
    first = false;
    if (page.next_cursor) { next = fetchPage(page.next_cursor); maybeShowMore(); } else ended = true;
  };
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) show();
  });
  const maybeShowMore = () => {
    const r = sentinel.getBoundingClientRect();
    if (r.top < window.innerHeight + 200) show();
  };
  next = fetchPage(null);
  show();
  observer.observe(sentinel);
  return h('div', {}, more, sentinel);
}

export function field(label, input) { return h('label', {}, label, input); }
