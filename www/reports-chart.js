// The Reports view's chart: messages per day (bars) and the share that passed DMARC (a line),
// drawn as SVG from the report's `summary.days`. No chart library: two scales, bars and one
// polyline are all it needs, and the page then loads nothing more for it.
const SVG = 'http://www.w3.org/2000/svg';

const svg = (tag, attributes = {}, ...children) => {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
};

/** An SVG element for `days` ([{day, messages, dmarc_pass}], oldest first). */
export function dailyChart(days, { width = 720, height = 220 } = {}) {
  const margin = { top: 16, right: 48, bottom: 32, left: 56 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const most = Math.max(1, ...days.map((day) => day.messages));
  const step = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(1, Math.min(40, step * 0.7));
  const x = (index) => margin.left + step * index + step / 2;
  const yMessages = (count) => margin.top + plotHeight * (1 - count / most);
  const yRate = (rate) => margin.top + plotHeight * (1 - rate);
  const chart = svg('svg', {
    class: 'reports-chart', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Messages per day and the share that passed DMARC, ${days.length} days`,
  });
  chart.append(svg('line', { x1: margin.left, y1: margin.top + plotHeight, x2: margin.left + plotWidth, y2: margin.top + plotHeight, class: 'axis' }));
  chart.append(svg('text', { x: margin.left - 6, y: margin.top + 4, 'text-anchor': 'end', class: 'tick' }, String(most)));
  chart.append(svg('text', { x: margin.left - 6, y: margin.top + plotHeight, 'text-anchor': 'end', class: 'tick' }, '0'));
  chart.append(svg('text', { x: margin.left + plotWidth + 6, y: margin.top + 4, class: 'tick' }, '100%'));
  chart.append(svg('text', { x: margin.left + plotWidth + 6, y: margin.top + plotHeight, class: 'tick' }, '0%'));
  const points = [];
  days.forEach((day, index) => {
    const top = yMessages(day.messages);
    const rate = day.messages ? day.dmarc_pass / day.messages : 0;
    const bar = svg('rect', {
      x: x(index) - barWidth / 2, y: top, width: barWidth, height: margin.top + plotHeight - top, class: 'bar',
    });
    bar.append(svg('title', {}, `${day.day}: ${day.messages} messages, ${(rate * 100).toFixed(1)}% passed DMARC`));
    chart.append(bar);
    points.push(`${x(index).toFixed(1)},${yRate(rate).toFixed(1)}`);
  });
  chart.append(svg('polyline', { points: points.join(' '), class: 'pass-rate', fill: 'none' }));
  // A label under the first, the last and every few days between, so that they never overlap.
  const every = Math.max(1, Math.ceil(days.length / 8));
  days.forEach((day, index) => {
    if (index % every !== 0 && index !== days.length - 1) return;
    chart.append(svg('text', { x: x(index), y: height - 10, 'text-anchor': 'middle', class: 'tick' }, day.day.slice(5)));
  });
  return chart;
}
