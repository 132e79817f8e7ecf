import { loadConfig, session } from './api.js';
import { mount, notice, setBanner } from './ui.js';
import { finishCognitoSignIn, signInScreen } from './auth.js';
import * as customer from './customer.js';
import * as organizer from './organizer.js';

const routes = [
  [/^\/$/, customer.searchScreen],
  [/^\/events\/([^/]+)$/, customer.eventScreen],
  [/^\/queue\/([^/]+)$/, customer.waitingRoomScreen],
  [/^\/holds\/([^/]+)$/, customer.holdScreen],
  [/^\/bookings$/, customer.myBookingsScreen],
  [/^\/bookings\/([^/]+)$/, customer.bookingScreen],
  [/^\/signin$/, signInScreen],
  [/^\/organizer$/, organizer.homeScreen],
  [/^\/organizer\/venues\/new$/, organizer.venueBuilderScreen],
  [/^\/organizer\/events\/new$/, organizer.eventFormScreen],
  [/^\/organizer\/events\/([^/]+)$/, organizer.eventDashboardScreen],
  [/^\/organizer\/events\/([^/]+)\/edit$/, organizer.eventFormScreen],
  [/^\/organizer\/events\/([^/]+)\/check-in$/, organizer.checkInScreen],
  [/^\/organizer\/webhooks$/, organizer.webhooksScreen],
  [/^\/organizer\/audit$/, organizer.auditScreen],
];

let cleanup = null;
async function route() {
  if (cleanup) { try { cleanup(); } catch { /* the old screen is gone anyway */ } cleanup = null; }
  const path = location.hash.replace(/^#/, '').split('?')[0] || '/';
  updateNav();
  for (const [pattern, screen] of routes) {
    const m = path.match(pattern);
    if (m) {
      try {
        cleanup = (await screen(...m.slice(1).map(decodeURIComponent))) || null;
      } catch (err) {
        mount(notice(err.message || String(err), 'bad'));
      }
      document.getElementById('main').focus({ preventScroll: true });
      return;
    }
  }
  mount(notice('No such page.', 'bad'));
}

function updateNav() {
  const who = document.getElementById('who');
  const claims = session.claims;
  who.textContent = claims ? `Signed in: ${claims.email || claims.sub}` : 'Sign in';
  for (const el of document.querySelectorAll('[data-role="organizer"]')) {
    el.hidden = !session.roles.includes('organizer');
  }
}

function online() { setBanner(navigator.onLine ? '' : 'You are offline: showing saved pages where there are any.'); }

async function start() {
  await loadConfig();
  await finishCognitoSignIn();
  window.addEventListener('hashchange', route);
  window.addEventListener('online', online);
  window.addEventListener('offline', online);
  online();
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => {});
  route();
}
start();
