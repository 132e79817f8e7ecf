// A small SVG line chart: tickets sold over time, one line per tier.
import { h } from './ui.js';

const COLOURS = ['#1d3557', '#e76f51', '#2a9d8f', '#e9c46a', '#8338ec', '#6c757d'];

export function lineChart(samples, series, { width = 640, height = 240, label = 'Chart' } = {}) {
  const pad = { l: 40, r: 10, t: 10, b: 28 };
  const svg = h('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  // Steps: a count holds until the next sample, and the last one holds until now.
  const now = { t: Date.now(), values: samples.length ? samples[samples.length - 1].values : {} };
  const steps = samples.length ? [...samples, now] : [];
  const times = steps.map((s) => s.t);
  const t0 = Math.min(...times, Date.now()); const t1 = Math.max(...times, t0 + 60_000);
  const top = Math.max(1, ...samples.flatMap((s) => series.map((name) => s.values[name] || 0)));
  const x = (t) => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = (v) => height - pad.b - (v / top) * (height - pad.t - pad.b);
  svg.append(h('line', { x1: pad.l, y1: y(0), x2: width - pad.r, y2: y(0), stroke: '#8d99ae' }),
    h('line', { x1: pad.l, y1: pad.t, x2: pad.l, y2: y(0), stroke: '#8d99ae' }),
    h('text', { x: 4, y: pad.t + 10, 'font-size': 11 }, String(top)), h('text', { x: 4, y: y(0), 'font-size': 11 }, '0'),
    h('text', { x: pad.l, y: height - 8, 'font-size': 11 }, new Date(t0).toLocaleTimeString()),
    h('text', { x: width - pad.r, y: height - 8, 'font-size': 11, 'text-anchor': 'end' }, new Date(t1).toLocaleTimeString()));
  series.forEach((name, i) => {
    const points = steps.flatMap((s, k) => {
      const here = `${x(s.t).toFixed(1)},${y(s.values[name] || 0).toFixed(1)}`;
      return k ? [`${x(s.t).toFixed(1)},${y(steps[k - 1].values[name] || 0).toFixed(1)}`, here] : [here];
    }).join(' ');
    svg.append(h('polyline', { points, fill: 'none', stroke: COLOURS[i % COLOURS.length], 'stroke-width': 2.5 }));
  });
  const legend = h('div', { class: 'legend' }, series.map((name, i) => h('span', {},
    h('i', { style: `background:${COLOURS[i % COLOURS.length]}` }), name)));
  return h('figure', { class: 'chart' }, svg, legend);
}
