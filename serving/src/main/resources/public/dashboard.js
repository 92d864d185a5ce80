// Tidemark dashboard: vanilla JS, SVG charts drawn here (no library, no network beyond this server).
(function () {
  'use strict';
  var config = { refresh_interval_ms: 3000, stale_after_seconds: 120 };
  var timer = null;
  var liveUpdates = 0;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElementNS(tag === 'svg' || attrs && attrs.svg ? 'http://www.w3.org/2000/svg' : 'http://www.w3.org/1999/xhtml', tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { if (k !== 'svg') e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svgEl(tag, attrs, text) { attrs = attrs || {}; attrs.svg = true; return el(tag, attrs, text); }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }
  function hhmm(iso) { return iso.substring(11, 16); }

  function api(path) {
    return fetch(path, { headers: { 'Accept': 'application/json' } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.message || ('HTTP ' + r.status));
        return body;
      });
    });
  }
  function status(text, isError) {
    var s = $('status-line');
    s.textContent = text;
    s.className = isError ? 'error' : '';
  }

  // A line chart of {label, value} points into an <svg viewBox="0 0 W H">.
  function lineChart(svg, points, opts) {
    var W = 900, H = opts.height, L = 50, R = 24, T = 10, B = 24;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var max = Math.max(1, Math.max.apply(null, points.map(function (p) { return p.value; })));
    var n = points.length;
    function x(i) { return L + (n <= 1 ? 0 : i * (W - L - R) / (n - 1)); }
    function y(v) { return T + (H - T - B) * (1 - v / max); }
    for (var g = 0; g <= 4; g++) {
      var gv = max * g / 4, gy = y(gv);
      svg.appendChild(svgEl('line', { x1: L, x2: W - R, y1: gy, y2: gy, 'class': 'grid' }));
      svg.appendChild(svgEl('text', { x: L - 6, y: gy + 4, 'text-anchor': 'end' }, fmt(Math.round(gv))));
    }
    svg.appendChild(svgEl('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, 'class': 'axis' }));
    if (n > 0) {
      var d = points.map(function (p, i) { return (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(p.value).toFixed(1); }).join(' ');
      svg.appendChild(svgEl('path', { d: d + ' L' + x(n - 1).toFixed(1) + ' ' + (H - B) + ' L' + x(0).toFixed(1) + ' ' + (H - B) + ' Z', 'class': 'area' }));
      svg.appendChild(svgEl('path', { d: d, 'class': 'line' }));
      var step = Math.max(1, Math.ceil(n / 10));
      points.forEach(function (p, i) {
        if (i % step === 0 || i === n - 1) svg.appendChild(svgEl('text', { x: x(i), y: H - 6, 'text-anchor': 'middle' }, p.label));
      });
    }
  }

  function barChart(svg, points, height) {
    var W = 900, H = height, L = 50, R = 10, T = 10, B = 24;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var max = Math.max(1, Math.max.apply(null, points.map(function (p) { return p.value; })));
    var n = Math.max(points.length, 1), bw = (W - L - R) / n;
    for (var g = 0; g <= 4; g++) {
      var gv = max * g / 4, gy = T + (H - T - B) * (1 - g / 4);
      svg.appendChild(svgEl('line', { x1: L, x2: W - R, y1: gy, y2: gy, 'class': 'grid' }));
      svg.appendChild(svgEl('text', { x: L - 6, y: gy + 4, 'text-anchor': 'end' }, fmt(Math.round(gv))));
    }
    points.forEach(function (p, i) {
      var h = (H - T - B) * p.value / max;
      var bar = svgEl('rect', { x: L + i * bw + bw * 0.15, y: H - B - h, width: bw * 0.7, height: h, 'class': 'bar' });
      bar.appendChild(svgEl('title', {}, p.label + ': ' + fmt(p.value)));
      svg.appendChild(bar);
      svg.appendChild(svgEl('text', { x: L + i * bw + bw / 2, y: H - 6, 'text-anchor': 'middle' }, p.label.substring(5)));
    });
  }

  function refreshLive() {
    api('/api/totals?minutes=30').then(function (t) {
      var svg = $('live-chart');
      lineChart(svg, t.windows.map(function (w) { return { label: hhmm(w.window_start), value: w.count }; }), { height: 260 });
      liveUpdates++;
      svg.setAttribute('data-total', t.total);
      svg.setAttribute('data-updates', liveUpdates);
      var last = t.windows.length ? t.windows[t.windows.length - 1] : null;
      $('live-summary').textContent = fmt(t.total) + ' events in the last 30 minutes' + (last ? ', ' + fmt(last.count) + ' in the current minute' : '');
      status('Updated ' + new Date().toISOString().substring(11, 19) + ' UTC, every ' + (config.refresh_interval_ms / 1000) + ' s');
    }).catch(function (e) { status('Events per minute: ' + e.message, true); });

    api('/api/top-pages?minutes=10&limit=10').then(function (t) {
      var body = $('top-pages').tBodies[0];
      body.innerHTML = '';
      if (!t.pages.length) {
        var tr = el('tr'); var td = el('td', { colspan: 2, 'class': 'empty' }, 'No page views in the last 10 minutes');
        tr.appendChild(td); body.appendChild(tr);
      }
      t.pages.forEach(function (p) {
        var tr = el('tr');
        tr.appendChild(el('td', { 'class': 'url', title: p.page_url }, p.page_url));
        tr.appendChild(el('td', { 'class': 'num' }, fmt(p.views)));
        body.appendChild(tr);
      });
    }).catch(function (e) { status('Top pages: ' + e.message, true); });

    refreshFreshness();

    api('/api/health').then(function (h) {
      var box = $('health');
      box.innerHTML = '';
      [['ClickHouse', h.clickhouse], ['Speed layer', h.speed_layer], ['Lake', h.lake], ['Reconciliation', h.reconciliation]].forEach(function (c) {
        if (!c[1]) return;
        var line = el('div');
        line.appendChild(el('strong', {}, c[0] + ': '));
        line.appendChild(el('span', { 'class': 'pill ' + c[1].status }, c[1].status));
        var extra = c[1].version || c[1].newest_window || (c[1].last_day ? 'last day ' + c[1].last_day + ' ' + c[1].last_outcome : '') || '';
        var lag = c[1].consumer_lag;
        if (lag) extra += (extra ? '; ' : '') + (lag.lag !== null ? 'consumer lag ' + fmt(lag.lag) + ' records (' + lag.group + ')' : lag.message || '');
        else if (!extra && c[1].message) extra = c[1].message;
        line.appendChild(document.createTextNode(' ' + extra));
        box.appendChild(line);
      });
    }).catch(function (e) { $('health').textContent = e.message; });
  }

  function refreshFreshness() {
    api('/api/freshness').then(function (f) {
      var box = $('freshness');
      if (f.newest_window === null) {
        box.className = 'freshness stale';
        box.textContent = f.stored_rows ? 'STALE: only windows after the wall clock written' : 'STALE: no counts written yet';
      } else {
        box.className = 'freshness ' + (f.stale ? 'stale' : 'ok');
        box.textContent = (f.stale ? 'STALE: ' : 'fresh: ') + 'newest window ' + hhmm(f.newest_window) + ' UTC, lag ' + Math.round(f.lag_seconds) + ' s';
      }
      box.setAttribute('data-stale', String(f.stale));
    }).catch(function (e) {
      var box = $('freshness');
      box.className = 'freshness stale';
      box.textContent = 'unknown: ' + e.message;
      box.setAttribute('data-stale', 'true');
    });
  }

  function lookupUser(evt) {
    evt.preventDefault();
    var user = $('user-id').value.trim();
    var out = $('user-result');
    if (!user) { out.textContent = 'Enter a user_id.'; return; }
    var to = new Date(Math.floor(Date.now() / 60000) * 60000 + 60000);
    var from = new Date(to.getTime() - 60 * 60000);
    var q = '/api/counts/user?user_id=' + encodeURIComponent(user) + '&from=' + from.toISOString().replace('.000', '') + '&to=' + to.toISOString().replace('.000', '');
    api(q).then(function (r) {
      out.innerHTML = '';
      out.appendChild(el('p', { id: 'user-total' }, fmt(r.total) + ' views by ' + r.key + ' in ' + r.windows.length + ' minute windows'));
      var table = el('table');
      table.innerHTML = '<thead><tr><th>Window (UTC)</th><th class="num">Views</th></tr></thead>';
      var body = el('tbody');
      r.windows.slice().reverse().forEach(function (w) {
        var tr = el('tr');
        tr.appendChild(el('td', {}, w.window_start.replace('T', ' ').replace('Z', '')));
        tr.appendChild(el('td', { 'class': 'num' }, fmt(w.count)));
        body.appendChild(tr);
      });
      table.appendChild(body);
      out.appendChild(table);
    }).catch(function (e) { out.innerHTML = ''; out.appendChild(el('p', { 'class': 'error' }, e.message)); });
  }

  function showDrift(day) {
    api('/api/drift/reports?days=60').then(function (list) {
      var empty = $('drift-empty'), svg = $('drift-chart'), body = $('drift-table').tBodies[0];
      body.innerHTML = '';
      if (!list.available || !list.reports.length) {
        empty.hidden = false;
        empty.textContent = list.message || 'No drift reports yet.';
        svg.style.display = 'none';
        var tr = el('tr'); tr.appendChild(el('td', { colspan: 11, 'class': 'empty' }, 'No reports')); body.appendChild(tr);
      } else {
        empty.hidden = true;
        svg.style.display = '';
        var sorted = list.reports.slice().sort(function (a, b) { return a.day < b.day ? -1 : 1; });
        barChart(svg, sorted.map(function (r) { return { label: r.day, value: r.abs_drift }; }), 220);
        list.reports.forEach(function (r) {
          var tr = el('tr', { 'class': 'clickable', 'data-day': r.day });
          tr.appendChild(el('td', {}, r.day));
          tr.appendChild(el('td', {}, r.outcome + (r.dry_run ? ' (dry run)' : '')));
          [r.speed_total, r.batch_total, r.abs_drift].forEach(function (v) { tr.appendChild(el('td', { 'class': 'num' }, fmt(v))); });
          tr.appendChild(el('td', { 'class': 'num' }, (100 * r.relative_drift).toFixed(2) + ' %'));
          [r.causes.too_late, r.causes.not_streamed, r.causes.missing, r.causes.over_counted].forEach(function (v) { tr.appendChild(el('td', { 'class': 'num' }, fmt(v))); });
          tr.appendChild(el('td', {}, r.finished_at));
          tr.addEventListener('click', function () { location.hash = '#/drift/' + r.day; });
          body.appendChild(tr);
        });
      }
      $('drift-view').setAttribute('data-loaded', 'true');
    }).catch(function (e) { status('Drift: ' + e.message, true); });
    var detail = $('drift-detail');
    if (!day) { detail.hidden = true; return; }
    api('/api/drift/reports/' + encodeURIComponent(day)).then(function (d) {
      detail.hidden = false;
      $('drift-detail-day').textContent = d.day;
      $('drift-detail-status').textContent = d.status ? d.status.status + ' since ' + d.status.changed_at : 'speed-only (never reconciled)';
      var msg = $('drift-detail-message');
      msg.hidden = !d.message;
      msg.textContent = d.message || '';
      $('drift-detail-run').textContent = d.run ? ('Run ' + d.run.run_id + ': ' + d.run.outcome + ', |drift| ' + fmt(d.run.abs_drift) + ' of ' + fmt(d.run.batch_total)
        + ' events; invalid records ' + fmt(d.run.causes.invalid_records)) : '';
      fill($('drift-metrics'), d.metrics, function (m) { return [m.metric, [m.speed_total], [m.batch_total], [m.keys_only_speed], [m.keys_only_batch], [m.keys_different], [m.abs_drift], m.replaced ? 'yes' : 'no']; });
      fill($('drift-causes'), d.metrics, function (m) {
        return [m.metric, [m.causes.too_late], [m.causes.not_streamed], [m.causes.missing], [m.causes.over_counted], [m.abs_drift]];
      });
      fill($('drift-key-causes'), d.key_causes, function (k) { return [k.metric, k.cause, [k.windows], [k.events]]; });
      fill($('drift-keys'), d.largest, function (k) { return [k.metric, k.key, k.window_start, [k.speed_count], [k.batch_count], [k.diff], k.cause]; });
      detail.setAttribute('data-loaded', 'true');
    }).catch(function (e) { status('Drift detail: ' + e.message, true); });
  }

  function fill(table, rows, cells) {
    var body = table.tBodies[0];
    body.innerHTML = '';
    rows.forEach(function (r) {
      var tr = el('tr');
      cells(r).forEach(function (c) {
        if (Array.isArray(c)) tr.appendChild(el('td', { 'class': 'num' }, fmt(c[0])));
        else tr.appendChild(el('td', {}, c));
      });
      body.appendChild(tr);
    });
  }

  function route() {
    var hash = location.hash || '#/';
    var drift = hash.indexOf('#/drift') === 0;
    $('live-view').hidden = drift;
    $('drift-view').hidden = !drift;
    $('nav-live').className = drift ? '' : 'active';
    $('nav-drift').className = drift ? 'active' : '';
    if (timer) { clearInterval(timer); timer = null; }
    if (drift) {
      var m = hash.match(/^#\/drift\/(\d{4}-\d{2}-\d{2})$/);
      showDrift(m ? m[1] : null);
      refreshFreshness();
      timer = setInterval(refreshFreshness, config.refresh_interval_ms);
    } else {
      refreshLive();
      timer = setInterval(refreshLive, config.refresh_interval_ms);
    }
  }

  window.addEventListener('hashchange', route);
  $('user-form').addEventListener('submit', lookupUser);
  api('/api/dashboard-config').then(function (c) { config = c; }).catch(function () {}).then(route);
})();
