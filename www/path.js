// The path a message took, as a timeline: oldest hop first, each with the two servers and the
// sending IP, the protocol, TLS, and the time it spent there drawn as a bar to scale, and a line
// where the receiving organisation's systems begin (the border hop, where SPF is evaluated).
import { el, icon, revealed, section } from './render.js';

export const seconds = (value) => {
  const magnitude = Math.abs(value);
  if (magnitude < 120) return `${value} s`;
  if (magnitude < 7200) return `${Math.round(value / 60)} min`;
  if (magnitude < 172800) return `${(value / 3600).toFixed(1)} h`;
  return `${(value / 86400).toFixed(1)} days`;
};

const TRANSPORT = {
  encrypted: ['lock', 'encrypted'],
  'authenticated-submission': ['key', 'authenticated submission'],
  plaintext: ['open', 'plaintext'],
  internal: ['home', 'internal'],
  unknown: ['unknown', 'unknown'],
};

function hopDelay(hop, longest) {
  if (hop.number === 1 && (hop.delay_seconds === null || hop.delay_seconds === undefined)) {
    return el('span', { class: 'delay-text quiet' }, 'where the path starts');
  }
  if (hop.delay_seconds === null || hop.delay_seconds === undefined) {
    return el('span', { class: 'delay-text quiet', title: 'The hop before has no usable time stamp.' }, 'no delay known');
  }
  if (hop.clock_skew) {
    return el('span', { class: 'delay-text skew', title: 'The two hosts\' clocks disagree: this is not a delay.' },
      `clock skew ${seconds(hop.delay_seconds)}`);
  }
  const bar = el('span', { class: 'delay-bar', 'aria-hidden': 'true' });
  // CSSOM, not a style attribute: allowed under the page's style-src 'self'. Linear, to scale
  // with the longest delay on this path; a zero delay still shows a sliver.
  bar.style.width = `${longest > 0 ? Math.max((hop.delay_seconds / longest) * 100, 1) : 1}%`;
  return [el('span', { class: 'delay-track' }, bar), el('span', { class: 'delay-text' }, `+${seconds(hop.delay_seconds)}`)];
}

const server = (name, extra) => [el('span', { class: 'host' }, revealed(name)), extra ? el('span', { class: 'ip' }, ` ${extra}`) : null];

function renderHop(hop, longest) {
  const [glyph, label] = TRANSPORT[hop.transport] ?? TRANSPORT.unknown;
  const tls = hop.tls ? [hop.tls.version, hop.tls.cipher].filter(Boolean).join(' ') : '';
  const sender = hop.from ?? hop.helo ?? 'unknown sender';
  const rdns = hop.reverse_dns && hop.reverse_dns !== hop.from ? `(${hop.reverse_dns})` : null;
  return el('li', { class: `hop ${hop.transport}${hop.border ? ' border' : ''}`, 'data-number': String(hop.number) },
    el('span', { class: 'num', 'aria-label': `Hop ${hop.number}` }, String(hop.number)),
    el('div', { class: 'hop-body' },
      el('p', { class: 'route' },
        el('span', { class: 'from' }, ...server(sender, [rdns, hop.ip ? `[${hop.ip}]` : null].filter(Boolean).join(' '))),
        el('span', { class: 'arrow', 'aria-label': 'to' }, ' → '),
        el('span', { class: 'by' }, ...server(hop.by ?? 'unknown receiver')),
        hop.border ? el('span', { class: 'badge', title: 'The first hop stamped by the receiving organisation: SPF is evaluated here.' }, 'border') : null),
      el('p', { class: 'hop-facts' },
        el('span', { class: 'transport', title: label }, icon(glyph), ` ${label}`,
          hop.tls?.outdated ? el('span', { class: 'badge warn' }, 'old TLS') : null),
        hop.with ? el('span', { class: 'with' }, hop.with) : null,
        tls ? el('span', { class: 'tls' }, tls) : null),
      el('p', { class: 'delay' }, hopDelay(hop, longest))));
}

/** The Path panel: a timeline of the Received chain, oldest first, or why there is none. */
export function renderPath(report) {
  const hops = report.hops ?? [];
  if (hops.length === 0) return section('Path', 'hops', el('p', { class: 'quiet' }, 'No Received fields: the path is unknown.'));
  const longest = Math.max(0, ...hops.filter((hop) => !hop.clock_skew && typeof hop.delay_seconds === 'number')
    .map((hop) => hop.delay_seconds));
  const items = [];
  for (const hop of hops) {
    if (hop.border && hop.number > 1) {
      items.push(el('li', { class: 'boundary' },
        el('span', {}, 'The receiver\'s systems start here; the hops above were the sender\'s and any relays\'.')));
    }
    items.push(renderHop(hop, longest));
  }
  const total = report.transit?.total_seconds;
  const title = `Path (${hops.length} hop${hops.length === 1 ? '' : 's'}${typeof total === 'number' ? `, ${seconds(total)} in all` : ''})`;
  return section(title, 'hops',
    el('p', { class: 'quiet' }, 'Oldest first: each hop is one server handing the message to the next; the bar is the time it waited, to scale.'),
    el('ol', { class: 'timeline' }, ...items));
}
