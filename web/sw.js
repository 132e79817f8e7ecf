// Offline: the app shell from the cache, event pages and seat maps network-first with the
// last good copy as the fallback. Nothing that changes state is ever cached.
const SHELL = 'boxoffice-shell-v1';
const DATA = 'boxoffice-data-v1';
const FILES = ['./', 'index.html', 'styles.css', 'manifest.webmanifest', 'js/app.js', 'js/api.js', 'js/ui.js',
  'js/auth.js', 'js/customer.js', 'js/organizer.js', 'js/seatmap.js', 'js/qr.js', 'js/chart.js', 'vendor/qrcode.js'];

self.addEventListener('install', (e) => e.waitUntil(caches.open(SHELL).then((c) => c.addAll(FILES)).then(() => self.skipWaiting())));
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

async function networkFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  try {
    const res = await fetch(request);
    if (res.ok) cache.put(request, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(request, { ignoreVary: true });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener('fetch', (e) => {
  const { request } = e;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin === self.location.origin) {
    if (url.pathname.endsWith('/config.json')) return;
    e.respondWith(networkFirst(request, SHELL));
  } else if (/^\/(v1\/)?events\/[^/]+(\/seats)?$/.test(url.pathname) && !request.headers.get('If-None-Match')) {
    e.respondWith(networkFirst(request, DATA));
  }
});
