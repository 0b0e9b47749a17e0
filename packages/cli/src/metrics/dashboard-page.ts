/**
 * The live dashboard, one self-contained page (no build step, no files to serve beside it): it
 * polls /api/status twice a second and draws its charts on canvases. `window.statecraft` holds the
 * samples and the number of points each chart drew (tests and curious users read it).
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>statecraft · live</title>
<style>
  :root { --bg: #f6f7f9; --card: #fff; --ink: #1d2330; --muted: #667085; --grid: #e4e7ec; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
  header { padding: 14px 20px; background: #1d2330; color: #fff; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header .state { margin-left: auto; font-size: 13px; padding: 2px 10px; border-radius: 10px; background: #2e7d32; }
  header .state.ended { background: #667085; }
  main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); }
  .tiles { grid-column: 1 / -1; display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); }
  .tile, .chart { background: var(--card); border-radius: 8px; box-shadow: 0 1px 2px rgba(16,24,40,.08); padding: 12px 14px; }
  .tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
  .tile .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .chart h2 { font-size: 14px; margin: 0 0 8px; }
  .chart canvas { width: 100%; height: 220px; display: block; }
  .legend { color: var(--muted); font-size: 12px; margin-top: 6px; min-height: 1.4em; }
</style>
</head>
<body>
<header><h1>statecraft</h1><span id="title">connecting…</span><span id="state" class="state">live</span></header>
<main>
  <section class="tiles">
    <div class="tile"><div class="label">events/s</div><div class="value" id="rate">–</div></div>
    <div class="tile"><div class="label">events</div><div class="value" id="events">–</div></div>
    <div class="tile"><div class="label">alerts</div><div class="value" id="alerts">–</div></div>
    <div class="tile"><div class="label">rejected</div><div class="value" id="rejected">–</div></div>
    <div class="tile"><div class="label">progress</div><div class="value" id="progress">–</div></div>
    <div class="tile"><div class="label">in flight</div><div class="value" id="queue">–</div></div>
    <div class="tile"><div class="label">key-group skew</div><div class="value" id="skew">–</div></div>
    <div class="tile"><div class="label">checkpoints · restarts</div><div class="value" id="recovery">–</div></div>
  </section>
  <section class="chart"><h2>Throughput (events/s)</h2><canvas id="throughput" data-points="0"></canvas><div class="legend" id="throughput-legend"></div></section>
  <section class="chart"><h2>Alerts (total)</h2><canvas id="alerts-chart" data-points="0"></canvas><div class="legend" id="alerts-legend"></div></section>
  <section class="chart"><h2>Worker load (% busy)</h2><canvas id="workers" data-points="0"></canvas><div class="legend" id="workers-legend"></div></section>
</main>
<script>
(function () {
  var COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
  var state = { samples: [], latest: null, points: { throughput: 0, alerts: 0, workers: 0 }, polls: 0, ended: false };
  window.statecraft = state;
  var number = new Intl.NumberFormat('en-US');

  function compact(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(2) + ' G';
    if (n >= 1e6) return (n / 1e6).toFixed(2) + ' M';
    if (n >= 1e4) return (n / 1e3).toFixed(1) + ' k';
    return number.format(Math.round(n));
  }

  function text(id, value) { document.getElementById(id).textContent = value; }

  // A line chart: series = [{ name, color, values }], x = shared times (seconds).
  function drawChart(canvas, times, series, options) {
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.clientWidth, height = canvas.clientHeight;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    var ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    var left = 64, right = 10, top = 10, bottom = 24;
    var plotW = width - left - right, plotH = height - top - bottom;
    var max = options.max;
    if (max === undefined) {
      max = 0;
      series.forEach(function (s) { s.values.forEach(function (v) { if (v > max) max = v; }); });
      max = max > 0 ? max * 1.1 : 1;
    }
    var t0 = times.length ? times[0] : 0, t1 = times.length ? times[times.length - 1] : 1;
    if (t1 <= t0) t1 = t0 + 1;
    ctx.strokeStyle = '#e4e7ec'; ctx.fillStyle = '#667085'; ctx.lineWidth = 1;
    ctx.font = '11px system-ui, sans-serif'; ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    for (var g = 0; g <= 4; g++) {
      var y = top + plotH - (plotH * g) / 4;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + plotW, y); ctx.stroke();
      ctx.fillText(options.format((max * g) / 4), left - 6, y);
    }
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    ctx.fillText(t0.toFixed(0) + ' s', left, top + plotH + 6);
    ctx.fillText(t1.toFixed(0) + ' s', left + plotW - 10, top + plotH + 6);
    var drawn = 0;
    series.forEach(function (s) {
      if (s.values.length === 0) return;
      ctx.beginPath();
      s.values.forEach(function (v, i) {
        var x = left + ((times[i] - t0) / (t1 - t0)) * plotW;
        var y = top + plotH - Math.min(1, v / max) * plotH;
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.strokeStyle = s.color; ctx.lineWidth = 2; ctx.stroke();
      if (options.fill) {
        ctx.lineTo(left + plotW, top + plotH); ctx.lineTo(left + ((times[0] - t0) / (t1 - t0)) * plotW, top + plotH);
        ctx.closePath(); ctx.globalAlpha = 0.15; ctx.fillStyle = s.color; ctx.fill(); ctx.globalAlpha = 1;
      }
      drawn += s.values.length;
    });
    canvas.dataset.points = String(drawn);
    return drawn;
  }

  function render() {
    var samples = state.samples, latest = state.latest;
    var times = samples.map(function (s) { return s.t; });
    state.points.throughput = drawChart(document.getElementById('throughput'), times,
      [{ name: 'events/s', color: COLORS[0], values: samples.map(function (s) { return s.eventsPerSecond; }) }],
      { format: compact, fill: true });
    state.points.alerts = drawChart(document.getElementById('alerts-chart'), times,
      [{ name: 'alerts', color: COLORS[1], values: samples.map(function (s) { return s.alerts; }) }],
      { format: compact, fill: true });
    var workers = samples.length ? samples[samples.length - 1].busy.length : 0;
    var load = [];
    for (var w = 0; w < workers; w++) {
      load.push({ name: 'worker ' + w, color: COLORS[w % COLORS.length],
        values: samples.map(function (s) { return (s.busy[w] || 0) * 100; }) });
    }
    state.points.workers = drawChart(document.getElementById('workers'), times, load,
      { max: 100, format: function (v) { return v.toFixed(0) + '%'; } });
    text('workers-legend', load.map(function (s) {
      var last = s.values[s.values.length - 1] || 0;
      return s.name + ' ' + last.toFixed(0) + '%';
    }).join(' · '));
    if (!latest) return;
    text('rate', compact(latest.eventsPerSecond));
    text('events', number.format(latest.events));
    text('alerts', number.format(latest.alerts));
    text('rejected', number.format(latest.rejected));
    text('progress', latest.progress.fraction === null || latest.progress.fraction === undefined
      ? latest.progress.text : (latest.progress.fraction * 100).toFixed(1) + '%');
    text('queue', number.format(latest.inFlightChunks));
    text('skew', latest.keyGroupSkew.toFixed(2));
    text('recovery', latest.checkpoints + ' · ' + latest.restarts);
    text('throughput-legend', 'now ' + compact(latest.eventsPerSecond) + ' · average ' + compact(latest.averageEventsPerSecond));
    text('alerts-legend', number.format(latest.alerts) + ' alerts of ' + number.format(latest.events) + ' events');
  }

  function poll() {
    fetch('/api/status', { cache: 'no-store' }).then(function (response) { return response.json(); }).then(function (data) {
      state.polls++;
      state.samples = data.samples;
      state.latest = data.latest;
      var t = data.title;
      text('title', t.source + ' · machine ' + t.machine + ' · ' + t.workers + ' workers · ' + t.partitions + ' partitions');
      if (data.latest && data.latest.done) { state.ended = true; }
      render();
      setTimeout(poll, 500);
    }).catch(function () {
      state.ended = true;
      var badge = document.getElementById('state');
      badge.textContent = 'ended'; badge.className = 'state ended';
    });
  }

  window.addEventListener('resize', render);
  poll();
})();
</script>
</body>
</html>
`;
