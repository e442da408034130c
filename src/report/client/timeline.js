// tunnelwatch report: draws the timeline from the JSON data block.
// Plain browser script, inlined into the page by src/report/render.ts; it
// builds every element with createElement and sets log text with
// textContent, never as markup. Times are epoch ms UTC.

(() => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const dataElement = document.getElementById('report-data');
  const root = document.getElementById('timeline');
  const tooltip = document.getElementById('tooltip');
  if (dataElement === null || root === null || tooltip === null) return;
  const data = JSON.parse(dataElement.textContent || '{}');

  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  const MIN_VIEW_MS = 20_000;
  const ROW_HEIGHT = {
    activity: 44,
    vpn: 22,
    tunnel: 34,
    bgp: 20,
    alerts: 22,
    total: 36,
    count: 16,
    session: 16,
    admin: 20,
  };
  const STATE_LABEL = { up: 'up', down: 'down', negotiating: 'negotiating' };
  const SEVERITY_ORDER = ['info', 'warning', 'critical'];

  // ---------------------------------------------------------------- helpers

  /** An HTML element with a class and optional text. */
  function html(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  /** An SVG element with attributes. */
  function svg(tag, attributes) {
    const element = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes || {}))
      element.setAttribute(name, String(value));
    return element;
  }

  /** Adds a native tooltip (SVG <title>) to an element. */
  function titled(element, text) {
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = text;
    element.appendChild(title);
    return element;
  }

  function plural(n, word) {
    return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  }

  function durationText(ms) {
    const minutes = Math.round(ms / MINUTE);
    if (ms < MINUTE) return `${Math.max(0, Math.round(ms / 1000))} s`;
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ${minutes % 60} min`;
    return `${Math.floor(hours / 24)} d ${hours % 24} h`;
  }

  // ------------------------------------------------------------ time zones

  const browserZone = (() => {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    } catch {
      return 'UTC';
    }
  })();
  const zones = [{ zone: 'UTC', label: 'UTC' }];
  if (data.logTimeZone && data.logTimeZone !== 'UTC') {
    zones.push({ zone: data.logTimeZone, label: `${data.logTimeZone} (logs)` });
  }
  if (!zones.some((entry) => entry.zone === browserZone)) {
    zones.push({ zone: browserZone, label: `${browserZone} (this browser)` });
  }

  const formatters = new Map();
  function partsIn(zone, time) {
    let formatter = formatters.get(zone);
    if (formatter === undefined) {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
      formatters.set(zone, formatter);
    }
    const parts = {};
    for (const part of formatter.formatToParts(new Date(time))) parts[part.type] = part.value;
    return parts;
  }

  /** Milliseconds to add to UTC to get the wall time in `zone` at `time`. */
  function offsetOf(zone, time) {
    if (zone === 'UTC') return 0;
    const p = partsIn(zone, time);
    const wall = Date.UTC(
      Number(p.year),
      Number(p.month) - 1,
      Number(p.day),
      Number(p.hour) % 24,
      Number(p.minute),
      Number(p.second),
    );
    return wall - Math.floor(time / 1000) * 1000;
  }

  /** The UTC time of a wall time in `zone`. */
  function fromWall(zone, wall) {
    const guess = wall - offsetOf(zone, wall);
    return wall - offsetOf(zone, guess);
  }

  function pad(n, width = 2) {
    return String(n).padStart(width, '0');
  }

  /** `2025-11-19 09:12:04` in the chosen zone. */
  function formatTime(time, zone, withSeconds = true) {
    const wall = new Date(time + offsetOf(zone, time));
    const date = `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
    const clock = `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}${withSeconds ? `:${pad(wall.getUTCSeconds())}` : ''}`;
    return `${date} ${clock}`;
  }

  function zoneSuffix(zone) {
    return zone === 'UTC' ? ' UTC' : ` (${zone})`;
  }

  // ------------------------------------------------------------- the view

  const range = data.range || { start: 0, end: 1 };
  const padding = Math.max((range.end - range.start) * 0.01, 30_000);
  const full = { start: range.start - padding, end: range.end + padding };
  const state = { start: full.start, end: full.end, zone: 'UTC' };

  (function readHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    const from = Number(params.get('from'));
    const to = Number(params.get('to'));
    if (
      Number.isFinite(from) &&
      Number.isFinite(to) &&
      to - from >= MIN_VIEW_MS &&
      params.has('from')
    ) {
      state.start = from;
      state.end = to;
    }
    const zone = params.get('tz');
    if (zone && zones.some((entry) => entry.zone === zone)) state.zone = zone;
  })();

  function setView(start, end) {
    let span = Math.max(MIN_VIEW_MS, end - start);
    const fullSpan = full.end - full.start;
    if (span > fullSpan) span = fullSpan;
    let from = start + (end - start - span) / 2;
    from = Math.min(Math.max(from, full.start), full.end - span);
    state.start = from;
    state.end = from + span;
    scheduleDraw();
  }

  function zoomBy(factor, anchor) {
    const at = anchor === undefined ? (state.start + state.end) / 2 : anchor;
    setView(at - (at - state.start) * factor, at + (state.end - at) * factor);
  }

  function panBy(fraction) {
    const shift = (state.end - state.start) * fraction;
    setView(state.start + shift, state.end + shift);
  }

  // --------------------------------------------------------------- layout

  const rows = [];
  const markerRows = new Map();
  /** Sections that fold to one line when nothing of theirs is in the time window. */
  const foldable = [];

  function registerFoldable(section, times) {
    let first = Infinity;
    let last = -Infinity;
    for (const time of times) {
      if (time < first) first = time;
      if (time > last) last = time;
    }
    if (first > last) return;
    const note = html('p', 'fold-note');
    const text = html('span', 'fold-text');
    const go = html('button', 'fold-go', 'Show that time');
    go.type = 'button';
    go.addEventListener('click', () => {
      const margin = Math.max((last - first) * 0.04, MINUTE);
      setView(first - margin, last + margin);
    });
    note.append(text, go);
    section.insertBefore(note, section.children[1] || null);
    foldable.push({ section, first, last, text });
  }

  function* bucketTimes(counts) {
    for (let i = 0; i < counts.length; i += 2) yield data.bucketStart + counts[i] * data.bucketMs;
  }

  function addRow(parent, kind, label, options) {
    const row = html('div', `row row-${kind}`);
    row.dataset.laneKind = kind;
    if (options.laneId) row.dataset.laneId = options.laneId;
    const labelElement = html('div', 'label');
    if (typeof label === 'string') labelElement.textContent = label;
    else labelElement.append(...label);
    if (options.hint) labelElement.title = options.hint;
    const track = svg('svg', { class: 'track', height: ROW_HEIGHT[kind] || 20, role: 'group' });
    track.setAttribute(
      'aria-label',
      typeof label === 'string' ? label : labelElement.textContent || kind,
    );
    row.append(labelElement, track);
    parent.appendChild(row);
    const entry = {
      kind,
      track,
      height: ROW_HEIGHT[kind] || 20,
      draw: options.draw,
      laneId: options.laneId,
      note: options.note ? labelElement.querySelector('.secondary') : null,
    };
    rows.push(entry);
    if (options.laneId) markerRows.set(options.laneId, entry);
    return entry;
  }

  function labelParts(main, secondary) {
    const parts = [html('span', 'main', main)];
    if (secondary !== undefined) parts.push(html('span', 'secondary', secondary));
    return parts;
  }

  // Toolbar
  const toolbar = html('div', 'toolbar');
  toolbar.setAttribute('role', 'toolbar');
  toolbar.setAttribute('aria-label', 'Time axis');
  const zoneGroup = html('div', 'group zones');
  zoneGroup.setAttribute('role', 'radiogroup');
  zoneGroup.setAttribute('aria-label', 'Time zone');
  zoneGroup.append(html('span', 'caption', 'Times in'));
  const zoneButtons = zones.map((entry) => {
    const button = html('button', 'zone', entry.label);
    button.type = 'button';
    button.dataset.zone = entry.zone;
    button.setAttribute('role', 'radio');
    button.addEventListener('click', () => {
      state.zone = entry.zone;
      scheduleDraw();
    });
    zoneGroup.appendChild(button);
    return button;
  });
  const zoomGroup = html('div', 'group zoom');
  const zoomButtons = [
    ['−', 'Zoom out (-)', () => zoomBy(2)],
    ['+', 'Zoom in (+)', () => zoomBy(0.5)],
    ['◀', 'Pan left (Shift+←)', () => panBy(-0.25)],
    ['▶', 'Pan right (Shift+→)', () => panBy(0.25)],
    ['All', 'Whole range (0)', () => setView(full.start, full.end)],
  ];
  for (const [text, title, action] of zoomButtons) {
    const button = html('button', 'zoom-button', text);
    button.type = 'button';
    button.title = title;
    button.setAttribute('aria-label', title);
    button.addEventListener('click', action);
    zoomGroup.appendChild(button);
  }
  const viewText = html('span', 'view-text');
  viewText.setAttribute('aria-live', 'polite');
  zoomGroup.appendChild(viewText);
  toolbar.append(zoneGroup, zoomGroup);
  if (Array.isArray(data.episodes) && data.episodes.length > 0) {
    const episodeGroup = html('div', 'group episodes');
    episodeGroup.append(html('span', 'caption', 'Jump to'));
    for (const episode of data.episodes) {
      const button = html('button', 'episode');
      button.type = 'button';
      button.dataset.start = String(episode.start);
      button.dataset.end = String(episode.end);
      button.append(
        html('span', 'when'),
        html('span', 'what', `${episode.sources.join(', ')} · ${plural(episode.alerts, 'alert')}`),
      );
      button.addEventListener('click', () => {
        const margin = Math.max((episode.end - episode.start) * 0.04, MINUTE);
        setView(episode.start - margin, episode.end + margin);
      });
      episodeGroup.appendChild(button);
    }
    toolbar.appendChild(episodeGroup);
  }
  root.appendChild(toolbar);

  // Overview: the whole range, with the current view as a brush.
  const overviewRow = html('div', 'overview');
  overviewRow.append(html('div', 'label', 'Whole range'));
  const overview = svg('svg', { class: 'track overview-track', height: 34 });
  overview.setAttribute('aria-label', 'Whole range: drag to choose the time window');
  overviewRow.appendChild(overview);
  root.appendChild(overviewRow);

  // Axis (sticky)
  const axisRow = html('div', 'axis');
  axisRow.append(html('div', 'label zone-label'));
  const axis = svg('svg', { class: 'track axis-track', height: 34 });
  axisRow.appendChild(axis);
  root.appendChild(axisRow);

  const legend = html('div', 'legend');
  for (const [className, text] of [
    ['up', 'tunnel up'],
    ['negotiating', 'negotiating'],
    ['down', 'down (cause written on the span)'],
    ['flapping', 'flapping'],
    ['bgp-up', 'BGP Established'],
    ['bgp-down', 'BGP not Established'],
    ['session', 'session'],
  ]) {
    const item = html('span', 'item');
    item.append(html('span', `swatch ${className}`), document.createTextNode(text));
    legend.appendChild(item);
  }
  const markerKey = html('span', 'item');
  markerKey.append(
    html('span', 'marker-key opened', '▼'),
    document.createTextNode('alert opened'),
    html('span', 'marker-key resolved', '●'),
    document.createTextNode('resolved'),
  );
  legend.appendChild(markerKey);
  root.appendChild(legend);

  // Activity
  const activitySection = html('section', 'lanes activity');
  activitySection.appendChild(html('h2', '', 'Events'));
  addRow(activitySection, 'activity', labelParts('All events', ''), {
    draw: drawActivity,
    note: true,
  });
  root.appendChild(activitySection);

  // Tunnels
  if (data.connections.length > 0) {
    const section = html('section', 'lanes tunnels');
    section.appendChild(html('h2', '', 'AWS Site-to-Site VPN tunnels'));
    for (const group of data.connections) {
      addRow(
        section,
        'vpn',
        labelParts(group.vpnConnectionId, `${plural(group.tunnels.length, 'tunnel')}`),
        {
          laneId: group.laneId,
          hint: group.vpnConnectionId,
          draw: (row, x) => drawPeriods(row, x, group.allDown, 'all-down', 'all tunnels down'),
        },
      );
      for (const tunnel of group.tunnels) {
        addRow(section, 'tunnel', labelParts(tunnel.tunnelIp, 'tunnel'), {
          laneId: tunnel.laneId,
          hint: `${group.vpnConnectionId} tunnel ${tunnel.tunnelIp}`,
          draw: (row, x) => drawTunnel(row, x, tunnel),
        });
        for (const bgp of tunnel.bgp) {
          addRow(section, 'bgp', labelParts(`BGP ${bgp.neighbor}`), {
            laneId: bgp.laneId,
            hint: `BGP session with ${bgp.neighbor} on tunnel ${tunnel.tunnelIp}`,
            draw: (row, x) => drawBgp(row, x, bgp),
          });
        }
      }
    }
    const otherAws = data.alerts.some((alert) => alert.laneId === 'alerts:aws-s2s');
    if (otherAws)
      addRow(section, 'alerts', 'Other alerts', { laneId: 'alerts:aws-s2s', draw: () => {} });
    registerFoldable(
      section,
      (function* () {
        for (const group of data.connections) {
          for (const tunnel of group.tunnels) {
            for (const span of tunnel.spans) yield* [span[0], span[1]];
            for (const bgp of tunnel.bgp) for (const span of bgp.spans) yield* [span[0], span[1]];
          }
        }
        for (const alert of data.alerts) if (alert.source === 'aws-s2s') yield alert.time;
      })(),
    );
    root.appendChild(section);
  }

  // Remote-access sources
  const SOURCE_NAMES = { openvpn: 'OpenVPN', softether: 'SoftEther VPN' };
  for (const client of data.clients) {
    const section = html('section', `lanes client ${client.source}`);
    section.appendChild(
      html(
        'h2',
        '',
        `${SOURCE_NAMES[client.source] || client.source}: logins, sessions, administration`,
      ),
    );
    addRow(section, 'alerts', labelParts('Alerts', 'logins, probes, admin'), {
      laneId: client.alertLaneId,
      draw: () => {},
    });
    const loginMax = { value: 1 };
    section.appendChild(html('h3', '', `Failed logins: ${plural(client.failedTotal, 'failure')}`));
    addRow(section, 'total', labelParts('All addresses', ''), {
      note: true,
      draw: (row, x) => drawBars(row, x, client.failedCounts, 'failed-bar', 'failed logins'),
    });
    const heatRows = [...client.failedByAddress, ...client.failedByUser];
    loginMax.value = Math.max(
      1,
      ...heatRows.map((row) => maxPerBucket(row.counts)),
      maxPerBucket(client.otherAddresses.counts),
      maxPerBucket(client.otherUsers.counts),
    );
    if (client.failedByAddress.length > 0) {
      section.appendChild(html('h3', '', 'By address'));
      for (const entry of client.failedByAddress) {
        addRow(section, 'count', labelParts(entry.label, String(entry.total)), {
          hint: entry.label,
          draw: (row, x) => drawHeat(row, x, entry.counts, loginMax, entry.label),
        });
      }
      if (client.otherAddresses.rows > 0) {
        const label = `${plural(client.otherAddresses.rows, 'other address')}`;
        addRow(section, 'count', labelParts(label, String(client.otherAddresses.total)), {
          draw: (row, x) => drawHeat(row, x, client.otherAddresses.counts, loginMax, label),
        });
      }
      section.appendChild(html('h3', '', 'By user name'));
      for (const entry of client.failedByUser) {
        addRow(section, 'count', labelParts(entry.label, String(entry.total)), {
          hint: entry.label,
          draw: (row, x) => drawHeat(row, x, entry.counts, loginMax, `user ${entry.label}`),
        });
      }
      if (client.otherUsers.rows > 0) {
        const label = `${plural(client.otherUsers.rows, 'other user')}`;
        addRow(section, 'count', labelParts(label, String(client.otherUsers.total)), {
          draw: (row, x) => drawHeat(row, x, client.otherUsers.counts, loginMax, label),
        });
      }
    }
    if (client.sessions.length > 0) {
      const omitted =
        client.sessionsOmitted > 0
          ? ` (${plural(client.sessionsOmitted, 'more session')} counted, not drawn)`
          : '';
      section.appendChild(
        html('h3', '', `Sessions: ${plural(client.sessionsTotal, 'session')}${omitted}`),
      );
      for (const entry of client.sessions) {
        addRow(
          section,
          'session',
          labelParts(entry.user, plural(entry.sessions.length, 'session')),
          { hint: entry.user, draw: (row, x) => drawSessions(row, x, entry, client.end) },
        );
      }
    }
    if (client.admin.length > 0) {
      const omitted = client.adminOmitted > 0 ? `, ${client.adminOmitted} more not drawn` : '';
      addRow(
        section,
        'admin',
        labelParts('Administration', `${plural(client.admin.length, 'event')}${omitted}`),
        { draw: (row, x) => drawAdmin(row, x, client.admin) },
      );
    }
    registerFoldable(
      section,
      (function* () {
        yield* bucketTimes(client.failedCounts);
        for (const entry of client.sessions)
          for (const session of entry.sessions)
            yield* [session[0], session[1] === null ? client.end : session[1]];
        for (const mark of client.admin) yield mark[0];
        for (const alert of data.alerts) if (alert.source === client.source) yield alert.time;
      })(),
    );
    root.appendChild(section);
  }

  // ------------------------------------------------------------- drawing

  let trackWidth = 600;

  function scaleFor(width) {
    const span = state.end - state.start;
    return (time) => ((time - state.start) / span) * width;
  }

  function bucketTime(bucket) {
    return data.bucketStart + bucket * data.bucketMs;
  }

  function maxPerBucket(counts) {
    let max = 0;
    for (let i = 1; i < counts.length; i += 2) if (counts[i] > max) max = counts[i];
    return max;
  }

  /** Sums flat bucket pairs into pixel columns of `columnPx` inside the view. */
  function columns(counts, x, columnPx) {
    const out = new Map();
    for (let i = 0; i < counts.length; i += 2) {
      const start = bucketTime(counts[i]);
      if (start + data.bucketMs < state.start || start > state.end) continue;
      const column = Math.floor(x(start) / columnPx);
      out.set(column, (out.get(column) || 0) + counts[i + 1]);
    }
    return out;
  }

  function columnWidth(x) {
    return Math.max(3, x(data.bucketStart + data.bucketMs) - x(data.bucketStart));
  }

  function drawActivity(row, x) {
    const colW = columnWidth(x);
    const bySeverity = SEVERITY_ORDER.map((severity) =>
      columns(data.activity[severity] || [], x, colW),
    );
    let max = 1;
    const all = new Set();
    for (const map of bySeverity) for (const column of map.keys()) all.add(column);
    for (const column of all) {
      let sum = 0;
      for (const map of bySeverity) sum += map.get(column) || 0;
      if (sum > max) max = sum;
    }
    const h = row.height - 4;
    for (const column of all) {
      let y = row.height;
      const counts = bySeverity.map((map) => map.get(column) || 0);
      const total = counts.reduce((a, b) => a + b, 0);
      const group = titled(
        svg('g'),
        `${formatTime(state.start + ((column * colW) / trackWidth) * (state.end - state.start), state.zone, false)}: ${plural(total, 'event')} (${counts[2]} critical, ${counts[1]} warning)`,
      );
      SEVERITY_ORDER.forEach((severity, index) => {
        const n = counts[index];
        if (n === 0) return;
        const height = Math.max(1, (Math.sqrt(n) / Math.sqrt(max)) * h * (n / total));
        y -= height;
        group.appendChild(
          svg('rect', {
            class: `act ${severity}`,
            x: column * colW,
            y,
            width: Math.max(1, colW - 1),
            height,
          }),
        );
      });
      row.track.appendChild(group);
    }
    row.note.textContent = `≤ ${max.toLocaleString('en-US')} per ${durationText(Math.max(data.bucketMs, ((state.end - state.start) * colW) / trackWidth))}`;
  }

  function drawBars(row, x, counts, className, what) {
    const colW = columnWidth(x);
    const cols = columns(counts, x, colW);
    let max = 1;
    for (const n of cols.values()) if (n > max) max = n;
    for (const [column, n] of cols) {
      const height = Math.max(2, (n / max) * (row.height - 6));
      row.track.appendChild(
        titled(
          svg('rect', {
            class: className,
            x: column * colW,
            y: row.height - height,
            width: Math.max(1, colW - 1),
            height,
          }),
          `${n} ${what}`,
        ),
      );
    }
    if (row.note)
      row.note.textContent = `≤ ${max.toLocaleString('en-US')} per ${durationText(Math.max(data.bucketMs, ((state.end - state.start) * colW) / trackWidth))}`;
  }

  function drawHeat(row, x, counts, max, what) {
    const colW = columnWidth(x);
    for (const [column, n] of columns(counts, x, colW)) {
      const level = Math.min(1, Math.log1p(n) / Math.log1p(max.value));
      const cell = svg('rect', {
        class: 'heat',
        x: column * colW,
        y: 2,
        width: Math.max(1, colW - 1),
        height: row.height - 4,
      });
      cell.style.opacity = String(0.25 + 0.75 * level);
      row.track.appendChild(titled(cell, `${what}: ${n} failed`));
    }
  }

  /**
   * Spans clipped to the view; sub-pixel spans are dropped unless they are
   * outages. A span's text goes inside it when it fits, else in a callout
   * just after it.
   */
  function drawSpans(row, x, spans, classOf, textOf, titleOf, y, height) {
    let lastEnd = -Infinity;
    const labels = [];
    for (const span of spans) {
      if (span[1] < state.start || span[0] > state.end) continue;
      const x0 = Math.max(-2, x(span[0]));
      const x1 = Math.min(trackWidth + 2, Math.max(x0 + 1.5, x(span[1])));
      const className = classOf(span);
      const important = className === 'down' || className === 'bgp-down';
      if (x1 <= lastEnd && !important) continue;
      lastEnd = Math.max(lastEnd, x1);
      row.track.appendChild(
        titled(
          svg('rect', { class: `span ${className}`, x: x0, y, width: x1 - x0, height }),
          titleOf(span),
        ),
      );
      const text = textOf(span);
      if (text) labels.push({ x0, x1, text, title: titleOf(span), className });
    }
    let free = -Infinity;
    for (const label of labels) {
      const insideRoom = Math.min(label.x1, trackWidth) - Math.max(label.x0, 0) - 8;
      const text = svg('text', {
        class: 'span-text',
        x: Math.max(label.x0, 0) + 4,
        y: y + height / 2 + 4,
      });
      text.textContent = label.text;
      row.track.appendChild(text);
      if (fitText(text, insideRoom, 10)) {
        free = label.x1;
        continue;
      }
      text.remove();
      // Outages only: a callout just after the span, clear of the previous one.
      if (label.className !== 'down') continue;
      const left = Math.max(label.x1 + 3, free + 4);
      const group = titled(svg('g', { class: `callout ${label.className}` }), label.title);
      const pill = svg('rect', { x: left, y: y + 1, height: height - 2, rx: (height - 2) / 2 });
      const callout = svg('text', { x: left + 6, y: y + height / 2 + 4 });
      callout.textContent = label.text;
      group.append(pill, callout);
      row.track.appendChild(group);
      let width = textWidth(callout, callout.textContent || '') + 12;
      if (left + width > trackWidth - 2 && label.x0 - width - 3 > free + 4) {
        // No room after the span: before it, right-aligned.
        const right = label.x0 - 3 - width;
        pill.setAttribute('x', String(right));
        callout.setAttribute('x', String(right + 6));
      } else if (!fitText(callout, trackWidth - left - 14, 6)) {
        group.remove();
        continue;
      } else {
        width = textWidth(callout, callout.textContent || '') + 12;
      }
      pill.setAttribute('width', String(width));
      free = Math.max(free, label.x1 + 3, Number(pill.getAttribute('x')) + width);
    }
  }

  const measure = document.createElement('canvas').getContext('2d');
  /** Font of each kind of label (by its and its parent's class): read once. */
  const fonts = new Map();

  /** Width (px) of `text` in the font of `element`, without a layout pass. */
  function textWidth(element, text) {
    if (measure === null) return text.length * 6.5;
    const parent =
      element.parentNode instanceof Element ? element.parentNode.getAttribute('class') : '';
    const key = `${element.getAttribute('class') || ''}|${parent}`;
    let font = fonts.get(key);
    if (font === undefined) {
      const style = getComputedStyle(element);
      font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      fonts.set(key, font);
    }
    measure.font = font;
    return measure.measureText(text).width;
  }

  /** Cuts an SVG text with "…" until it is at most `room` px wide; false when under `minChars` would show. */
  function fitText(element, room, minChars) {
    const full = element.textContent || '';
    let width = textWidth(element, full);
    if (width <= room) return true;
    let keep = full.length;
    while (keep > minChars) {
      keep = Math.max(minChars, Math.floor(keep * Math.min(0.95, room / Math.max(1, width))));
      element.textContent = `${full.slice(0, keep)}…`;
      width = textWidth(element, element.textContent);
      if (width <= room) return true;
      if (keep === minChars) break;
    }
    return false;
  }

  function spanTitle(what, span, state) {
    return `${what} ${state} ${formatTime(span[0], stateZone())} → ${formatTime(span[1], stateZone())}${zoneSuffix(stateZone())} (${durationText(span[1] - span[0])})`;
  }

  function stateZone() {
    return state.zone;
  }

  function drawTunnel(row, x, tunnel) {
    drawSpans(
      row,
      x,
      tunnel.spans,
      (span) => span[2],
      (span) => (span[2] === 'down' ? `down: ${span[3]}` : ''),
      (span) =>
        `${spanTitle('tunnel', span, STATE_LABEL[span[2]])}${span[3] ? `: ${span[3]}` : ''}`,
      14,
      row.height - 17,
    );
    drawPeriods(row, x, tunnel.flapping, 'flapping', 'flapping');
  }

  function drawBgp(row, x, bgp) {
    drawSpans(
      row,
      x,
      bgp.spans,
      (span) => (span[2] === 'Established' ? 'bgp-up' : 'bgp-down'),
      (span) => (span[2] === 'Established' ? '' : span[2]),
      (span) => spanTitle(`BGP ${bgp.neighbor}`, span, span[2]),
      5,
      row.height - 8,
    );
  }

  function drawPeriods(row, x, periods, className, what) {
    for (const period of periods) {
      if (period.end < state.start || period.start > state.end) continue;
      const x0 = Math.max(-2, x(period.start));
      const x1 = Math.min(trackWidth + 2, Math.max(x0 + 2, x(period.end)));
      row.track.appendChild(
        titled(
          svg('rect', {
            class: `period ${className}`,
            x: x0,
            y: 1,
            width: x1 - x0,
            height: row.height - 2,
          }),
          spanTitle(what, [period.start, period.end], ''),
        ),
      );
    }
  }

  function drawSessions(row, x, entry, end) {
    for (const session of entry.sessions) {
      const stop = session[1] === null ? end : session[1];
      if (stop < state.start || session[0] > state.end) continue;
      const x0 = Math.max(-2, x(session[0]));
      const x1 = Math.min(trackWidth + 2, Math.max(x0 + 2, x(stop)));
      const parts = [`${entry.user}`];
      if (session[2]) parts.push(`address ${session[2]}`);
      if (session[3]) parts.push(`from ${session[3]}`);
      parts.push(
        `${formatTime(session[0], state.zone)} → ${session[1] === null ? 'still open at the end of the logs' : formatTime(stop, state.zone)}${zoneSuffix(state.zone)}`,
      );
      parts.push(durationText(stop - session[0]));
      if (session[4]) parts.push(`ended: ${session[4]}`);
      row.track.appendChild(
        titled(
          svg('rect', {
            class: `session${session[1] === null ? ' open' : ''}`,
            x: x0,
            y: 3,
            width: x1 - x0,
            height: row.height - 6,
            rx: 2,
          }),
          parts.join(' · '),
        ),
      );
      if (session[2] && x1 - x0 > 70) {
        const label = svg('text', {
          class: 'session-text',
          x: Math.max(0, x0) + 3,
          y: row.height - 5,
        });
        label.textContent = session[2];
        row.track.appendChild(label);
      }
    }
  }

  function drawAdmin(row, x, marks) {
    for (const mark of marks) {
      if (mark[0] < state.start || mark[0] > state.end) continue;
      const cx = x(mark[0]);
      const kind = mark[1].replace(/[^a-z_.]/g, '').replace(/[._]/g, '-');
      row.track.appendChild(
        titled(
          svg('rect', {
            class: `admin ${kind}`,
            x: cx - 4,
            y: row.height / 2 - 4,
            width: 8,
            height: 8,
            transform: `rotate(45 ${cx} ${row.height / 2})`,
          }),
          `${formatTime(mark[0], state.zone)}${zoneSuffix(state.zone)} ${mark[1]}: ${mark[2]}`,
        ),
      );
    }
  }

  // --------------------------------------------------------------- markers

  const alertsById = new Map(data.alerts.map((alert) => [alert.id, alert]));

  function drawMarkers(x) {
    // Per row, the x of the last marker at each stacking level (alerts come in time order).
    const levelEnds = new Map();
    for (const alert of data.alerts) {
      if (alert.time < state.start || alert.time > state.end) continue;
      const row = markerRows.get(alert.laneId) || markerRows.get(`alerts:${alert.source}`);
      if (row === undefined) continue;
      const cx = x(alert.time);
      const ends = levelEnds.get(row) || [];
      let level = 0;
      while (level < ends.length && cx - ends[level] < 9) level++;
      ends[level] = cx;
      levelEnds.set(row, ends);
      const marker = svg('g', {
        class: `marker ${alert.status} sev-${alert.severity}`,
        tabindex: 0,
        role: 'button',
        'data-alert-id': alert.id,
        'data-status': alert.status,
        'data-severity': alert.severity,
        'aria-describedby': 'tooltip',
        transform: `translate(${cx} ${Math.min(row.height - 6, 6 + level * 8)})`,
      });
      marker.setAttribute(
        'aria-label',
        `${alert.status} ${alert.severity} ${alert.rule} at ${formatTime(alert.time, state.zone)}${zoneSuffix(state.zone)}: ${alert.subject}`,
      );
      marker.appendChild(svg('circle', { class: 'hit', r: 9 }));
      if (alert.status === 'resolved')
        marker.appendChild(svg('circle', { class: 'shape', r: 4.5 }));
      else marker.appendChild(svg('path', { class: 'shape', d: 'M -6 -5 L 6 -5 L 0 5 Z' }));
      row.track.appendChild(marker);
    }
  }

  function showTooltip(alert, anchor, pinned) {
    tooltip.replaceChildren();
    tooltip.className = `sev-${alert.severity} st-${alert.status}${pinned ? ' pinned' : ''}`;
    tooltip.appendChild(html('p', 'subject', alert.subject));
    tooltip.appendChild(
      html(
        'p',
        'when',
        `${formatTime(alert.time, state.zone)}${zoneSuffix(state.zone)} · ${alert.status} · ${alert.severity} · ${alert.rule} · ${alert.source}`,
      ),
    );
    const cause = html('p', 'cause');
    cause.append(
      html('strong', '', 'Cause: '),
      document.createTextNode(`${data.texts[alert.cause]} (${alert.category})`),
    );
    tooltip.appendChild(cause);
    tooltip.appendChild(html('p', 'summary', alert.summary));
    if (alert.evidence.length > 0) {
      tooltip.appendChild(
        html(
          'p',
          'heading',
          `Evidence${alert.evidenceOmitted > 0 ? ` (last ${alert.evidence.length}; ${alert.evidenceOmitted} earlier in replay --json)` : ''}`,
        ),
      );
      tooltip.appendChild(html('pre', 'evidence', alert.evidence.join('\n')));
    }
    const remediation = html('p', 'remediation');
    remediation.append(
      html('strong', '', 'What to do: '),
      document.createTextNode(data.texts[alert.remediation]),
    );
    tooltip.appendChild(remediation);
    const docUrl = alert.docUrl === null ? '' : data.texts[alert.docUrl];
    if (/^https:\/\//.test(docUrl)) tooltip.appendChild(html('p', 'doc', docUrl));
    tooltip.hidden = false;
    const box = anchor.getBoundingClientRect();
    const width = Math.min(520, window.innerWidth - 16);
    tooltip.style.width = `${width}px`;
    const left = Math.min(
      Math.max(8, box.left + box.width / 2 - width / 2),
      window.innerWidth - width - 8,
    );
    tooltip.style.left = `${left + window.scrollX}px`;
    const below = box.bottom + 8;
    const height = tooltip.offsetHeight;
    const top =
      below + height > window.innerHeight && box.top - height - 8 > 0
        ? box.top - height - 8
        : below;
    tooltip.style.top = `${top + window.scrollY}px`;
  }

  function hideTooltip() {
    tooltip.hidden = true;
    tooltip.className = '';
  }

  function markerOf(target) {
    return target instanceof Element ? target.closest('.marker') : null;
  }

  root.addEventListener('focusin', (event) => {
    const marker = markerOf(event.target);
    const alert = marker && alertsById.get(marker.getAttribute('data-alert-id'));
    if (alert) showTooltip(alert, marker, false);
  });
  root.addEventListener('focusout', (event) => {
    if (markerOf(event.target) && !tooltip.classList.contains('pinned')) hideTooltip();
  });
  root.addEventListener('mouseover', (event) => {
    const marker = markerOf(event.target);
    const alert = marker && alertsById.get(marker.getAttribute('data-alert-id'));
    if (alert && !tooltip.classList.contains('pinned')) showTooltip(alert, marker, false);
  });
  root.addEventListener('mouseout', (event) => {
    if (
      markerOf(event.target) &&
      !tooltip.classList.contains('pinned') &&
      document.activeElement !== markerOf(event.target)
    )
      hideTooltip();
  });
  root.addEventListener('click', (event) => {
    const marker = markerOf(event.target);
    const alert = marker && alertsById.get(marker.getAttribute('data-alert-id'));
    if (alert) showTooltip(alert, marker, true);
  });
  root.addEventListener('keydown', (event) => {
    const marker = markerOf(event.target);
    const alert = marker && alertsById.get(marker.getAttribute('data-alert-id'));
    if (alert && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      showTooltip(alert, marker, !tooltip.classList.contains('pinned'));
    }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      hideTooltip();
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
    if (event.key === '+' || event.key === '=') zoomBy(0.5);
    else if (event.key === '-' || event.key === '_') zoomBy(2);
    else if (event.key === '0') setView(full.start, full.end);
    else if (event.shiftKey && event.key === 'ArrowLeft') panBy(-0.25);
    else if (event.shiftKey && event.key === 'ArrowRight') panBy(0.25);
    else return;
    event.preventDefault();
  });

  // The alert list below the timeline: "show" zooms to the alert and focuses its marker.
  for (const button of document.querySelectorAll('button[data-alert-ref]')) {
    button.addEventListener('click', () => {
      const alert = alertsById.get(button.getAttribute('data-alert-ref'));
      if (!alert) return;
      setView(alert.time - 30 * MINUTE, alert.time + 30 * MINUTE);
      draw();
      const marker = root.querySelector(`.marker[data-alert-id="${CSS.escape(alert.id)}"]`);
      if (marker instanceof SVGElement) {
        marker.scrollIntoView({ block: 'center' });
        marker.focus();
      }
    });
  }

  // ------------------------------------------------------------ axis ticks

  const STEPS = [
    1e3,
    2e3,
    5e3,
    1e4,
    15e3,
    3e4,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
  ];

  /** Tick times (UTC) at round wall-clock times of the chosen zone. */
  function ticks(width) {
    const span = state.end - state.start;
    const wanted = Math.max(2, Math.floor(width / 95));
    const step = STEPS.find((candidate) => span / candidate <= wanted);
    const out = [];
    const zone = state.zone;
    if (step !== undefined) {
      const wallStart = state.start + offsetOf(zone, state.start);
      const shift = step === 7 * DAY ? 4 * DAY : 0;
      let wall = Math.ceil((wallStart - shift) / step) * step + shift;
      for (let i = 0; i < 200; i++, wall += step) {
        const time = fromWall(zone, wall);
        if (time > state.end) break;
        out.push({ time, step });
      }
      return out;
    }
    const months =
      [1, 3, 6, 12, 24, 60].find((candidate) => span / (candidate * 30 * DAY) <= wanted) || 120;
    const first = new Date(state.start + offsetOf(zone, state.start));
    let year = first.getUTCFullYear();
    let month = Math.ceil(first.getUTCMonth() / months) * months;
    for (let i = 0; i < 200; i++) {
      const time = fromWall(zone, Date.UTC(year, month, 1));
      if (time > state.end) break;
      if (time >= state.start) out.push({ time, step: months * 30 * DAY });
      month += months;
      if (month >= 12) {
        year += Math.floor(month / 12);
        month %= 12;
      }
    }
    return out;
  }

  function drawAxis(x) {
    axis.replaceChildren();
    let lastDate = '';
    const tickList = ticks(trackWidth);
    for (const tick of tickList) {
      const at = x(tick.time);
      const text = formatTime(tick.time, state.zone, tick.step < MINUTE);
      const [date, clock] = text.split(' ');
      axis.appendChild(svg('line', { class: 'tick', x1: at, x2: at, y1: 22, y2: 34 }));
      const top = svg('text', { class: 'tick-clock', x: at + 3, y: 14 });
      top.textContent = tick.step >= DAY ? date.slice(5) : clock;
      axis.appendChild(top);
      if (tick.step < DAY && date !== lastDate) {
        const below = svg('text', { class: 'tick-date', x: at + 3, y: 30 });
        below.textContent = date;
        axis.appendChild(below);
      } else if (tick.step >= DAY && date.slice(0, 4) !== lastDate.slice(0, 4)) {
        const below = svg('text', { class: 'tick-date', x: at + 3, y: 30 });
        below.textContent = date.slice(0, 4);
        axis.appendChild(below);
      }
      lastDate = date;
    }
    return tickList;
  }

  function drawGrid(row, tickList, x) {
    for (const tick of tickList) {
      const at = x(tick.time);
      row.track.appendChild(svg('line', { class: 'grid', x1: at, x2: at, y1: 0, y2: row.height }));
    }
  }

  function drawOverview() {
    overview.replaceChildren();
    const width = trackWidth;
    const span = full.end - full.start;
    const ox = (time) => ((time - full.start) / span) * width;
    const cols = new Map();
    const colW = Math.max(2, ox(data.bucketStart + data.bucketMs) - ox(data.bucketStart));
    let max = 1;
    for (const severity of SEVERITY_ORDER) {
      const counts = data.activity[severity] || [];
      for (let i = 0; i < counts.length; i += 2) {
        const column = Math.floor(ox(bucketTime(counts[i])) / colW);
        const entry = cols.get(column) || { n: 0, worst: 0 };
        entry.n += counts[i + 1];
        entry.worst = Math.max(entry.worst, SEVERITY_ORDER.indexOf(severity));
        cols.set(column, entry);
        if (entry.n > max) max = entry.n;
      }
    }
    for (const [column, entry] of cols) {
      const height = Math.max(2, (Math.sqrt(entry.n) / Math.sqrt(max)) * 28);
      overview.appendChild(
        svg('rect', {
          class: `act ${SEVERITY_ORDER[entry.worst]}`,
          x: column * colW,
          y: 32 - height,
          width: Math.max(1, colW - 0.5),
          height,
        }),
      );
    }
    for (const alert of data.alerts) {
      if (alert.status !== 'opened') continue;
      overview.appendChild(
        svg('line', {
          class: `ov-alert sev-${alert.severity}`,
          x1: ox(alert.time),
          x2: ox(alert.time),
          y1: 0,
          y2: 6,
        }),
      );
    }
    const x0 = ox(state.start);
    const x1 = ox(state.end);
    overview.appendChild(
      svg('rect', { class: 'brush', x: x0, y: 0.5, width: Math.max(2, x1 - x0), height: 33 }),
    );
  }

  // ----------------------------------------------------------- draw loop

  let pending = false;
  function scheduleDraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  }

  function draw() {
    const first = rows[0];
    trackWidth = Math.max(200, first ? first.track.getBoundingClientRect().width : 600);
    const x = scaleFor(trackWidth);
    const active = document.activeElement;
    const focusedId =
      active instanceof Element && active.classList.contains('marker')
        ? active.getAttribute('data-alert-id')
        : null;
    for (const button of zoneButtons) {
      const on = button.dataset.zone === state.zone;
      button.classList.toggle('on', on);
      button.setAttribute('aria-checked', String(on));
    }
    axisRow.querySelector('.zone-label').textContent = state.zone === 'UTC' ? 'UTC' : state.zone;
    viewText.textContent = `${formatTime(state.start, state.zone, false)} – ${formatTime(state.end, state.zone, false)}${zoneSuffix(state.zone)} · ${durationText(state.end - state.start)}`;
    for (const button of toolbar.querySelectorAll('button.episode')) {
      const start = Number(button.dataset.start);
      const end = Number(button.dataset.end);
      const from = formatTime(start, state.zone, false);
      const to = formatTime(end, state.zone, false);
      // Same day: the end's clock only.
      button.querySelector('.when').textContent =
        `${from} – ${to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to}`;
      button.classList.toggle(
        'on',
        start < state.end &&
          end > state.start &&
          state.end - state.start < (full.end - full.start) * 0.9,
      );
    }
    for (const entry of foldable) {
      const out = entry.last < state.start || entry.first > state.end;
      entry.section.classList.toggle('out-of-view', out);
      if (out)
        entry.text.textContent = `Nothing in this time window; its data runs from ${formatTime(entry.first, state.zone, false)} to ${formatTime(entry.last, state.zone, false)}${zoneSuffix(state.zone)}. `;
    }
    const tickList = drawAxis(x);
    for (const row of rows) {
      row.track.replaceChildren();
      row.track.setAttribute('width', String(trackWidth));
      // Many thin rows: no grid lines (fewer elements to lay out).
      if (row.kind !== 'count' && row.kind !== 'session') drawGrid(row, tickList, x);
      row.draw(row, x);
    }
    drawMarkers(x);
    drawOverview();
    for (const element of document.querySelectorAll('time.t')) {
      const time = Number(element.getAttribute('data-t'));
      if (Number.isFinite(time))
        element.textContent = `${formatTime(time, state.zone)}${zoneSuffix(state.zone)}`;
    }
    const params = new URLSearchParams({
      from: String(Math.round(state.start)),
      to: String(Math.round(state.end)),
      tz: state.zone,
    });
    history.replaceState(null, '', `#${params}`);
    if (focusedId !== null) {
      const again = root.querySelector(`.marker[data-alert-id="${CSS.escape(focusedId)}"]`);
      if (again instanceof SVGElement) again.focus({ preventScroll: true });
    }
    document.body.dataset.drawn = String(Number(document.body.dataset.drawn || 0) + 1);
  }

  // ------------------------------------------------------ mouse and touch

  function timeAt(element, clientX, from = state.start, to = state.end) {
    const box = element.getBoundingClientRect();
    return from + ((clientX - box.left) / box.width) * (to - from);
  }

  root.addEventListener(
    'wheel',
    (event) => {
      const track = event.target instanceof Element ? event.target.closest('svg.track') : null;
      if (!track) return;
      const onAxis = track === axis || track === overview;
      if (Math.abs(event.deltaX) > Math.abs(event.deltaY) || (event.shiftKey && !event.ctrlKey)) {
        event.preventDefault();
        panBy((event.deltaX || event.deltaY) / 800);
        return;
      }
      if (!onAxis && !event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      const anchor =
        track === overview
          ? timeAt(track, event.clientX, full.start, full.end)
          : timeAt(track, event.clientX);
      zoomBy(Math.exp(event.deltaY / 300), anchor);
    },
    { passive: false },
  );

  let drag = null;
  root.addEventListener('pointerdown', (event) => {
    const track = event.target instanceof Element ? event.target.closest('svg.track') : null;
    if (!track || event.button !== 0 || markerOf(event.target)) return;
    if (track === overview) {
      const at = timeAt(overview, event.clientX, full.start, full.end);
      drag = { mode: 'brush', from: at, track };
    } else {
      drag = { mode: 'pan', x: event.clientX, start: state.start, end: state.end, track };
    }
    track.setPointerCapture(event.pointerId);
  });
  root.addEventListener('pointermove', (event) => {
    if (drag === null) return;
    if (drag.mode === 'pan') {
      const box = drag.track.getBoundingClientRect();
      const shift = ((event.clientX - drag.x) / box.width) * (drag.end - drag.start);
      setView(drag.start - shift, drag.end - shift);
    } else {
      const at = timeAt(overview, event.clientX, full.start, full.end);
      if (Math.abs(at - drag.from) > (full.end - full.start) / 400)
        setView(Math.min(at, drag.from), Math.max(at, drag.from));
    }
  });
  function endDrag(event) {
    if (drag === null) return;
    if (drag.mode === 'brush') {
      const at = timeAt(overview, event.clientX, full.start, full.end);
      if (Math.abs(at - drag.from) <= (full.end - full.start) / 400) {
        const span = state.end - state.start;
        setView(at - span / 2, at + span / 2);
      }
    }
    drag = null;
  }
  root.addEventListener('pointerup', endDrag);
  root.addEventListener('pointercancel', () => {
    drag = null;
  });
  root.addEventListener('dblclick', (event) => {
    const track = event.target instanceof Element ? event.target.closest('svg.track') : null;
    if (!track || track === overview) return;
    zoomBy(event.shiftKey ? 2 : 0.5, timeAt(track, event.clientX));
  });

  new ResizeObserver(() => scheduleDraw()).observe(root);
  draw();
})();
