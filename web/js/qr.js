// Draws a ticket's qr_code as an SVG (the encoder is vendored: vendor/qrcode.js, MIT).
import { QRCode, QRErrorCorrectLevel } from '../vendor/qrcode.js';
import { h } from './ui.js';

export function qrSvg(text, label) {
  const qr = new QRCode(-1, QRErrorCorrectLevel.M);
  qr.addData(unescape(encodeURIComponent(text)));  // the encoder writes bytes: UTF-8 first
  qr.make();
  const n = qr.getModuleCount(); const quiet = 4; const size = n + quiet * 2;
  let d = '';
  for (let r = 0; r < n; r += 1) {
    for (let c = 0; c < n; c += 1) if (qr.isDark(r, c)) d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
  }
  return h('svg', { viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-label': label, 'shape-rendering': 'crispEdges', 'data-modules': n },
    h('rect', { width: size, height: size, fill: '#fff' }), h('path', { d, fill: '#000' }));
}
