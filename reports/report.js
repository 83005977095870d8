/* gilscope report - renders the embedded results document.
 * Every string from the system goes into the page through textContent (el()),
 * never as markup. Charts are drawn by the inlined Chart.js. */
(function () {
  'use strict';

  var doc = JSON.parse(document.getElementById('gs-data').textContent);
  var app = document.getElementById('app');
  var chartsDrawn = 0;
  var MODELS = ['serial', 'threads-gil', 'threads-nogil', 'processes', 'async', 'async-pool'];
  var WORKLOADS = ['cpu', 'io', 'mixed', 'cpu-release', 'shared'];
  var COLORS = ['#2f5fb3', '#c4452c', '#2f8f5b', '#8a4fb5', '#c98a00', '#2b9bb0', '#7a7a7a'];

  /* el('td', {class: 'num'}, 'text' | node | [children]) */
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    [].concat(kids === undefined ? [] : kids).forEach(function (k) {
      if (k === null || k === undefined) return;
      e.appendChild(typeof k === 'object' ? k : document.createTextNode(String(k)));
    });
    return e;
  }
  function add(parent, node) { parent.appendChild(node); return node; }
  function fmt(v, digits) {
    if (typeof v !== 'number' || !isFinite(v)) return '–';
    if (Math.abs(v) >= 1e6 && Number.isInteger(v)) return v.toLocaleString('en-US');
    return v.toLocaleString('en-US', { maximumFractionDigits: digits === undefined ? 2 : digits });
  }
  function ns(v) {
    if (typeof v !== 'number') return '–';
    if (v >= 1e9) return fmt(v / 1e9, 3) + ' s';
    if (v >= 1e6) return fmt(v / 1e6, 2) + ' ms';
    if (v >= 1e3) return fmt(v / 1e3, 1) + ' µs';
    return fmt(v, 0) + ' ns';
  }
  function metric(run, name) { return (run.metrics || {})[name]; }
  function pct(v) { return typeof v === 'number' && isFinite(v) ? (v >= 0 ? '+' : '') + fmt(100 * v, 1) + '%' : '–'; }
  var params = (doc.env || {}).params || {};
  var INTERVALS = params.intervals_us || [];
  /* the runtimes of the document's rows, the simulation first */
  var RUNTIMES = (function () {
    var seen = [];
    (doc.summary || []).concat(doc.runs || []).forEach(function (e) {
      if (!e.model) return;
      var rt = e.runtime || 'sim';
      if (seen.indexOf(rt) < 0) seen.push(rt);
    });
    return seen.sort(function (a, b) { return (a === 'sim' ? 0 : 1) - (b === 'sim' ? 0 : 1); });
  })();
  /* the summary cell of model/workload on a runtime at an interval (default:
   * the simulation at the primary interval), never a --workers-sweep cell */
  function cellOf(model, workload, runtime, interval) {
    runtime = runtime || 'sim';
    if (interval === undefined) interval = params.interval_us;
    return (doc.summary || []).filter(function (e) {
      return e.model === model && e.workload === workload && (e.runtime || 'sim') === runtime &&
             !e.sweep && (e.interval_us === undefined || interval === undefined || e.interval_us === interval);
    })[0];
  }
  function runsOf(model, workload) {
    return (doc.runs || []).filter(function (r) { return r.model === model && r.workload === workload; });
  }

  function chart(parent, title, config) {
    var card = add(parent, el('div', { class: 'card' }, el('h3', {}, title)));
    var box = add(card, el('div', { class: 'chart' }));
    var canvas = add(box, el('canvas', { 'aria-label': title, role: 'img' }));
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false },
                                   config.options || {});
    new Chart(canvas.getContext('2d'), config);
    chartsDrawn++;
    return card;
  }

  function header() {
    var env = doc.env || {};
    add(app, el('h1', {}, 'gilscope report'));
    add(app, el('p', { class: 'sub' },
      'Kernel-traced concurrency profile: scheduler, futex and io_uring tracepoints.'));
    var dl = el('dl', { class: 'env card' });
    [['command', env.command], ['kernel', env.kernel], ['cpu', env.cpu_model],
     ['online CPUs', env.online_cpus], ['host', env.hostname], ['started', env.start_time],
     ['gilscope', env.gilscope_version],
     ['parameters', env.params ? JSON.stringify(env.params) : '']].forEach(function (kv) {
      if (kv[1] === undefined || kv[1] === '') return;
      dl.appendChild(el('dt', {}, kv[0]));
      dl.appendChild(el('dd', {}, String(kv[1])));
    });
    add(app, dl);
  }

  function health() {
    var lost = 0, events = 0;
    (doc.runs || []).forEach(function (r) {
      var t = r.tracer || {};
      lost += t.lost_events || 0;
      events += t.events || 0;
    });
    var box = el('div', { class: 'health ' + (lost ? 'lost' : 'ok'), id: 'tracer-health' },
      lost ? 'Tracer health: ' + fmt(lost, 0) + ' events LOST of ' + fmt(events, 0) +
             ' — the figures below are incomplete.'
           : 'Tracer health: ' + fmt(events, 0) + ' events, none lost.');
    add(app, box);
  }

  /* verdicts are the document's own (claims[], verdict_table): the page decides nothing */
  function verdictTable() {
    var t = doc.verdict_table;
    if (!doc.summary || !t) return;
    add(app, el('h2', {}, 'Threads, processes and async, measured'));
    var rts = t.runtimes || ['sim'];
    var table = el('table', { id: 'verdict-table' });
    var head = el('tr', {}, el('th', { rowspan: String(rts.length > 1 ? 2 : 1) }, ''));
    t.columns.forEach(function (c) { head.appendChild(el('th', { colspan: String(rts.length) }, c)); });
    table.appendChild(head);
    if (rts.length > 1) {
      var sub = el('tr', {});
      t.columns.forEach(function () {
        rts.forEach(function (rt) { sub.appendChild(el('th', { class: 'small' }, rt)); });
      });
      table.appendChild(sub);
    }
    /* a row per figure; each model's cells of every runtime next to each other */
    var titles = [];
    t.rows.forEach(function (row) { if (titles.indexOf(row.row) < 0) titles.push(row.row); });
    titles.forEach(function (title) {
      var tr = el('tr', {}, el('th', {}, title));
      t.columns.forEach(function (_, m) {
        rts.forEach(function (rt) {
          var row = t.rows.filter(function (r) { return r.row === title && (r.runtime || 'sim') === rt; })[0];
          var c = row && row.cells[m];
          tr.appendChild(c ? el('td', { class: 'v-' + c.verdict }, c.text) : el('td', { class: 'v-none' }, 'not run'));
        });
      });
      table.appendChild(tr);
    });
    add(app, table);
  }

  function claimsTable() {
    if (!doc.summary || !doc.claims) return;
    add(app, el('h2', {}, 'The folklore, confirmed or refuted'));
    var rts = [];
    doc.claims.forEach(function (c) { var rt = c.runtime || 'sim'; if (rts.indexOf(rt) < 0) rts.push(rt); });
    var table = el('table', { id: 'claims-table' });
    table.appendChild(el('tr', {}, ['id', 'claim'].concat(rts.map(function (rt) {
      return 'verdict and deciding figures: ' + rt;
    })).concat(['threshold']).map(function (h) { return el('th', {}, h); })));
    var ids = [];
    doc.claims.forEach(function (c) { if (ids.indexOf(c.id) < 0) ids.push(c.id); });
    ids.forEach(function (id) {
      var mine = doc.claims.filter(function (c) { return c.id === id; });
      table.appendChild(el('tr', {}, [el('td', {}, id), el('td', {}, mine[0].claim)].concat(rts.map(function (rt) {
        var c = mine.filter(function (x) { return (x.runtime || 'sim') === rt; })[0];
        if (!c) return el('td', { class: 'v-none' }, 'not decided');
        return el('td', {}, [el('div', { class: 'v-' + c.verdict }, c.verdict),
          el('div', { class: 'small' }, c.figures + (c.reason ? ' (' + c.reason + ')' : ''))]);
      })).concat([el('td', { class: 'small' }, mine[0].threshold)])));
    });
    add(app, table);
  }

  function summaryMedian(model, workload, name, runtime, interval) {
    var s = cellOf(model, workload, runtime, interval);
    var m = s && s.metrics[name];
    return m ? m.median : null;
  }

  /* per cell, the simulation beside each real interpreter (doc.side_by_side) */
  var SBS_LABELS = { units_per_s: 'units/s', speedup: 'speed-up', cores_used: 'cores used',
    voluntary_switches_per_s: 'voluntary switches/s', gil_wait_share: 'GIL wait share',
    lock_wait_share: 'lock wait share', io_latency_p50_ns: 'I/O latency p50' };
  function sideBySide() {
    (doc.side_by_side || []).forEach(function (s, k) {
      if (!s.rows.length) return;
      add(app, el('h2', {}, 'Simulation beside ' + s.runtime + ', per cell'));
      add(app, el('p', { class: 'small' }, 'Each figure: simulation | real | difference (sim − real) / real; medians over repeats.'));
      var table = add(app, el('table', { id: k ? 'sim-vs-real-' + k : 'sim-vs-real' }));
      table.appendChild(el('tr', {}, ['cell'].concat(s.metrics.map(function (m) { return SBS_LABELS[m] || m; }))
        .map(function (h) { return el('th', {}, h); })));
      s.rows.forEach(function (r) {
        var name = r.model + '/' + r.workload + (r.interval_us !== undefined ? ' @ ' + fmt(r.interval_us / 1000, 1) + ' ms' : '') +
                   (r.sweep ? ' (sweep, ' + r.workers + ' workers)' : '');
        table.appendChild(el('tr', {}, [el('td', {}, name)].concat(s.metrics.map(function (m) {
          var f = r.figures[m];
          if (!f) return el('td', { class: 'num v-none' }, '–');
          var show = /_ns$/.test(m) ? ns : /_share$/.test(m) ? function (v) { return typeof v === 'number' ? fmt(100 * v, 1) + '%' : '–'; } : fmt;
          return el('td', { class: 'num' }, show(f.sim) + ' | ' + show(f.real) + ' | ' + pct(f.diff));
        }))));
      });
    });
  }

  /* doc.calibration: the simulation against the interpreter on fixed cells */
  function calibration() {
    var cal = doc.calibration;
    if (!cal || !(cal.rows || []).length) return;
    add(app, el('h2', {}, 'Calibration: the simulation against ' + cal.runtime));
    add(app, el('p', { class: 'small' }, 'Medians of ' + cal.repeat + ' runs of each calibration cell on both runtimes, in turns; ' +
      'within: |difference| ≤ ' + fmt(100 * cal.tolerance, 0) + '%. Regenerate with gilscope run --python.'));
    var table = add(app, el('table', { id: 'calibration-table' }));
    table.appendChild(el('tr', {}, ['figure', 'unit', 'simulation', 'real', 'difference', 'within']
      .map(function (h) { return el('th', {}, h); })));
    cal.rows.forEach(function (r) {
      table.appendChild(el('tr', {}, [el('td', {}, r.figure), el('td', {}, r.unit || ''),
        el('td', { class: 'num' }, fmt(r.sim)), el('td', { class: 'num' }, fmt(r.real)),
        el('td', { class: 'num' }, pct(r.diff)),
        el('td', { class: r.within === true ? 'v-good' : r.within === false ? 'v-bad' : 'v-none' },
           r.within === true ? 'yes' : r.within === false ? 'no' : 'n/a')]));
    });
  }

  /* --workers-sweep: speed-up against the worker count, per model and runtime (C16) */
  function sweepChart(grid) {
    var cells = (doc.summary || []).filter(function (e) { return e.sweep && e.workload === 'cpu' && e.model !== 'serial'; });
    if (!cells.length) return;
    var sets = [];
    cells.forEach(function (e) {
      var key = e.model + ' (' + (e.runtime || 'sim') + ')';
      var set = sets.filter(function (s) { return s.label === key; })[0];
      if (!set) {
        set = { label: key, borderColor: COLORS[sets.length % COLORS.length], data: [] };
        sets.push(set);
      }
      if (e.metrics.speedup) set.data.push({ x: e.workers, y: e.metrics.speedup.median });
    });
    sets.forEach(function (s) { s.data.sort(function (a, b) { return a.x - b.x; }); });
    chart(grid, 'Speed-up against the number of workers (cpu, --workers-sweep)', {
      type: 'line', data: { datasets: sets },
      options: { parsing: false, scales: {
        x: { type: 'linear', ticks: { stepSize: 1 }, title: { display: true, text: 'workers' } },
        y: { beginAtZero: true, title: { display: true, text: '× serial' } } } } })
      .setAttribute('data-chart', 'workers-sweep');
  }

  /* --interval-us LIST: hand-offs, switches and the convoy against the interval */
  function intervalCharts(grid) {
    if (INTERVALS.length < 2) return;
    var xs = INTERVALS.slice().sort(function (a, b) { return a - b; });
    function series(model, workload, names, scale) {
      return RUNTIMES.map(function (rt, i) {
        var name = null;
        var data = xs.map(function (iv) {
          for (var k = 0; k < names.length; k++) {
            var v = summaryMedian(model, workload, names[k], rt, iv);
            if (typeof v === 'number') { name = name || names[k]; return { x: iv / 1000, y: v * (scale || 1) }; }
          }
          return null;
        }).filter(Boolean);
        return data.length ? { label: rt + (name && name !== names[0] ? ' (' + name + ')' : ''),
                               borderColor: COLORS[i % COLORS.length], data: data } : null;
      }).filter(Boolean);
    }
    function ivChart(key, title, sets, ytext) {
      if (!sets.length) return;
      chart(grid, title, { type: 'line', data: { datasets: sets },
        options: { parsing: false, scales: {
          x: { type: 'logarithmic', title: { display: true, text: 'switch interval, ms (log)' } },
          y: { beginAtZero: true, title: { display: true, text: ytext } } } } })
        .setAttribute('data-chart', key);
    }
    ivChart('interval-handoffs', 'GIL hand-offs per second against the switch interval (threads-gil/cpu)',
            series('threads-gil', 'cpu', ['gil_handoffs_per_s', 'py_switches_per_s']), 'hand-offs/s');
    ivChart('interval-switches', 'Voluntary switches per second against the switch interval (threads-gil/cpu)',
            series('threads-gil', 'cpu', ['voluntary_switches_per_s']), 'switches/s');
    ivChart('interval-convoy', 'Convoy: I/O latency p50 beside a CPU thread against the switch interval (threads-gil/mixed)',
            series('threads-gil', 'mixed', ['io_latency_p50_ns'], 1e-6), 'ms');
  }

  function modelCharts(grid) {
    var models = MODELS.filter(function (m) {
      return WORKLOADS.some(function (w) { return runsOf(m, w).length; });
    });
    if (!models.length) return;
    chart(grid, 'Speed-up over serial, per model and workload', {
      type: 'bar',
      data: { labels: models, datasets: WORKLOADS.map(function (w, i) {
        return { label: w, backgroundColor: COLORS[i],
                 data: models.map(function (m) { return summaryMedian(m, w, 'speedup'); }) };
      }) },
      options: { scales: { y: { title: { display: true, text: '× serial' }, beginAtZero: true } } }
    });
    chart(grid, 'Context switches per second (CPU-bound)', {
      type: 'bar',
      data: { labels: models, datasets: [['voluntary_switches_per_s', 'voluntary (blocked)'],
                                          ['involuntary_switches_per_s', 'involuntary (preempted)']]
        .map(function (k, i) {
          return { label: k[1], backgroundColor: COLORS[i], data: models.map(function (m) {
            return summaryMedian(m, 'cpu', k[0]);
          }) };
        }) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
                                                      title: { display: true, text: 'switches/s' } } } }
    });
    var cpuRuns = models.map(function (m) { return runsOf(m, 'cpu')[0]; }).filter(Boolean);
    chart(grid, 'Cores used over time (CPU-bound)', {
      type: 'line',
      data: { datasets: cpuRuns.map(function (r, i) {
        var tl = r.cpu_timeline || { bins: [], bin_ms: 100 };
        return { label: r.model, borderColor: COLORS[i % COLORS.length], pointRadius: 0, fill: false,
                 data: tl.bins.map(function (b, j) {
                   return { x: (j + 1) * tl.bin_ms / 1000, y: b.reduce(function (a, c) { return a + c; }, 0) };
                 }) };
      }) },
      options: { parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 's' } },
                                           y: { beginAtZero: true, title: { display: true, text: 'cores' } } } }
    });
    histChart(grid, 'Run-queue latency (CPU-bound)', cpuRuns, 'runq');
    histChart(grid, 'Lock (futex) wait time (CPU-bound)', cpuRuns, 'futex_wait');
    gilTimeline(grid);
  }

  /* cumulative distribution of each run's histogram, over log-spaced buckets */
  function histChart(grid, title, runs, key) {
    var sets = runs.map(function (r, i) {
      var h = (r.histograms || {})[key], total = 0, seen = 0;
      if (!h || !h.buckets.length) return null;
      h.buckets.forEach(function (b) { total += b[2]; });
      return { label: r.model || r.label, borderColor: COLORS[i % COLORS.length], pointRadius: 0,
               stepped: true, fill: false, data: h.buckets.map(function (b) {
                 seen += b[2];
                 return { x: Math.max(b[1], 1) / 1000, y: 100 * seen / total };
               }) };
    }).filter(Boolean);
    if (!sets.length) return;
    chart(grid, title, { type: 'line', data: { datasets: sets },
      options: { parsing: false, scales: {
        x: { type: 'logarithmic', title: { display: true, text: 'µs (log)' } },
        y: { min: 0, max: 100, title: { display: true, text: '% of samples at or below' } } } } });
  }

  function gilTimeline(grid) {
    var r = runsOf('threads-gil', 'mixed')[0] || runsOf('threads-gil', 'cpu')[0];
    var tl = r && r.gil && r.gil.timeline;
    if (!tl || !tl.length) return;
    /* the first 100 ms: enough to see the switch interval at work */
    tl = tl.filter(function (p) { return p[0] - tl[0][0] <= 100000; });
    chart(grid, 'GIL holder over the first 100 ms (' + r.model + '/' + r.workload + ')', {
      type: 'line',
      data: { datasets: [{ label: 'GIL holder (worker index, -1 = released)', stepped: true,
                           borderColor: COLORS[1], pointRadius: 1,
                           data: tl.map(function (p) { return { x: p[0] / 1000, y: p[1] }; }) }] },
      options: { parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 'ms' } },
                                           y: { ticks: { stepSize: 1 }, title: { display: true, text: 'holder' } } } }
    });
  }

  function recordCharts(grid) {
    (doc.runs || []).filter(function (r) { return !r.model; }).forEach(function (r) {
      var tl = r.cpu_timeline;
      if (tl && tl.bins.length) {
        var ncpu = tl.bins[0].length;
        chart(grid, 'CPU busy over time: ' + r.label, {
          type: 'line',
          data: { datasets: Array.apply(null, Array(ncpu)).map(function (_, c) {
            return { label: 'cpu' + c, borderColor: COLORS[c % COLORS.length], pointRadius: 0,
                     data: tl.bins.map(function (b, j) { return { x: (j + 1) * tl.bin_ms / 1000, y: 100 * b[c] }; }) };
          }) },
          options: { parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 's' } },
                                               y: { min: 0, max: 100, title: { display: true, text: '% busy' } } } }
        });
      }
      histChart(grid, 'Run-queue latency: ' + r.label, [r], 'runq');
      histChart(grid, 'Futex wait time: ' + r.label, [r], 'futex_wait');
    });
  }

  /* --- where the time went, findings, named locks (runs[].findings[], locks[],
   * threads[].time_*: all decided in the document, drawn here) ------------- */
  var BREAKDOWN = [['on CPU', 'time_oncpu_ns'], ['run queue', 'time_runq_ns'], ['GIL wait', 'time_gil_ns'],
    ['lock wait', 'time_lock_ns'], ['I/O wait', 'time_io_ns'], ['sleep', 'time_sleep_ns'],
    ['other blocked', 'time_other_ns']];
  var BREAKDOWN_COLORS = ['#2f8f5b', '#c98a00', '#c4452c', '#8a4fb5', '#2f5fb3', '#2b9bb0', '#7a7a7a'];

  function hasBreakdown(o) { return typeof o.lifetime_ns === 'number'; }

  /* bars: [{label, values: {time_x_ns: ns}}]; stacked, in ms of lifetime */
  function breakdownChart(grid, title, bars) {
    if (!bars.length) return;
    var card = chart(grid, title, {
      type: 'bar',
      data: { labels: bars.map(function (b) { return b.label; }),
              datasets: BREAKDOWN.map(function (k, i) {
                return { label: k[0], backgroundColor: BREAKDOWN_COLORS[i],
                         data: bars.map(function (b) {
                           var v = b.values[k[1]];
                           return typeof v === 'number' ? v / 1e6 : null;
                         }) };
              }) },
      options: { indexAxis: 'y', scales: {
        x: { stacked: true, beginAtZero: true, title: { display: true, text: 'ms of the traced lifetime' } },
        y: { stacked: true } } }
    });
    card.setAttribute('data-chart', 'breakdown');
    card.querySelector('.chart').style.height = Math.max(220, 40 + 26 * bars.length) + 'px';
  }

  function breakdownCharts(grid) {
    (doc.runs || []).filter(function (r) { return !r.model; }).forEach(function (r) {
      var threads = (r.threads || []).filter(hasBreakdown).slice(0, 40);
      breakdownChart(grid, 'Where each thread\'s time went: ' + r.label, threads.map(function (t) {
        return { label: t.label || t.comm || String(t.tid), values: t };
      }));
    });
    /* `run`: one bar per model and workload (first repeat), all its traced threads */
    var bars = [];
    MODELS.forEach(function (m) {
      WORKLOADS.forEach(function (w) {
        var r = runsOf(m, w)[0];
        if (r && typeof metric(r, 'lifetime_ns') === 'number')
          bars.push({ label: m + '/' + w + (r.runtime && r.runtime !== 'sim' ? ' (' + r.runtime + ')' : ''),
                      values: r.metrics });
      });
    });
    breakdownChart(grid, 'Where the time went, per model (all traced threads of the run)', bars);
  }

  function findingsList() {
    var runs = (doc.runs || []).filter(function (r) { return (r.findings || []).length; });
    if (!runs.length) return;
    add(app, el('h2', {}, 'Findings'));
    var box = add(app, el('div', { id: 'findings', class: 'card' }));
    runs.forEach(function (r) {
      if (runs.length > 1) add(box, el('h3', {}, r.label));
      var ul = add(box, el('ul', { class: 'findings' }));
      r.findings.forEach(function (f) {
        ul.appendChild(el('li', { 'data-finding': f.id }, f.text));
      });
    });
  }

  function locksTable(parent, r) {
    add(parent, el('h3', {}, 'Futex words waited on (the GIL and contended locks first)'));
    var t = add(parent, el('table', { class: 'locks-table' }));
    t.appendChild(el('tr', {}, ['pid', 'lock', 'words', 'waits', 'wait', 'max wait', 'wakes']
      .map(function (h) { return el('th', {}, h); })));
    r.locks.forEach(function (x) {
      t.appendChild(el('tr', { class: 'lock-' + x.kind }, [el('td', { class: 'num' }, x.tgid),
        el('td', {}, x.name === null || x.name === undefined ? '(unnamed)' : x.name),
        el('td', { class: 'small' }, (x.words || []).join(' ')),
        el('td', { class: 'num' }, fmt(x.waits, 0)), el('td', { class: 'num' }, ns(x.wait_ns)),
        el('td', { class: 'num' }, ns(x.max_wait_ns)), el('td', { class: 'num' }, fmt(x.wakes, 0))]));
    });
  }

  var RUN_METRICS = [['wall', 'wall_s'], ['on-CPU', 'oncpu_ns'], ['cores used', 'cores_used'],
    ['voluntary switches', 'voluntary_switches'], ['involuntary switches', 'involuntary_switches'],
    ['migrations', 'migrations'], ['futex waits', 'futex_waits'], ['futex wait', 'futex_wait_ns'],
    ['GIL wait', 'gil_wait_ns'], ['run-queue p50', 'runq_p50_ns'], ['run-queue p99', 'runq_p99_ns'],
    ['run-queue max', 'runq_max_ns'], ['io_uring submits', 'iouring_submits'],
    ['io-wq punts', 'iouring_punts'], ['units/s', 'units_per_s'], ['speed-up', 'speedup'],
    ['lost events', 'lost_events']];

  function runsTable() {
    add(app, el('h2', {}, 'Runs'));
    var table = el('table', { id: 'runs-table' });
    table.appendChild(el('tr', {}, [el('th', {}, 'run')].concat(RUN_METRICS.map(function (m) {
      return el('th', {}, m[0]);
    }))));
    (doc.runs || []).forEach(function (r) {
      table.appendChild(el('tr', {}, [el('td', {}, r.label)].concat(RUN_METRICS.map(function (m) {
        var v = m[1] === 'wall_s' ? r.wall_s : metric(r, m[1]);
        var text = /_ns$/.test(m[1]) ? ns(v) : m[1] === 'wall_s' ? fmt(v, 3) + ' s' : fmt(v);
        return el('td', { class: 'num' + (m[1] === 'lost_events' && v ? ' v-bad' : '') }, text);
      }))));
    });
    add(app, table);
  }

  function threadTables() {
    add(app, el('h2', {}, 'Threads'));
    (doc.runs || []).forEach(function (r) {
      var d = add(app, el('details', r.model ? {} : { open: '' }, el('summary', {}, r.label + ' — ' + (r.threads || []).length + ' threads')));
      var cols = [['tid', 'tid'], ['pid', 'tgid'], ['thread', 'label'], ['on-CPU', 'oncpu_ns'],
                  ['vol', 'voluntary_switches'], ['invol', 'involuntary_switches'], ['migr', 'migrations'],
                  ['run-queue', 'runq_ns'], ['futex waits', 'futex_waits'], ['futex wait', 'futex_wait_ns'],
                  ['GIL wait', 'gil_wait_ns'], ['io_uring', 'iouring_submits']];
      var table = add(d, el('table', { class: 'threads' }));
      table.appendChild(el('tr', {}, cols.map(function (c) { return el('th', {}, c[0]); })));
      (r.threads || []).slice(0, 500).forEach(function (t) {
        table.appendChild(el('tr', {}, cols.map(function (c) {
          var v = c[1] === 'label' ? (t.label || t.comm) : t[c[1]];
          return el('td', { class: c[1] === 'label' ? '' : 'num' },
                    c[1] === 'label' ? v : /_ns$/.test(c[1]) ? ns(v) : fmt(v, 0));
        })));
      });
      if ((r.locks || []).length) {
        locksTable(d, r);
      } else if ((r.futexes || []).length) {
        add(d, el('h3', {}, 'Most contended futex words'));
        var ft = add(d, el('table', {}));
        ft.appendChild(el('tr', {}, ['pid', 'address', 'waits', 'wait', 'max wait', 'wakes', 'GIL']
          .map(function (h) { return el('th', {}, h); })));
        r.futexes.forEach(function (x) {
          ft.appendChild(el('tr', {}, [el('td', { class: 'num' }, x.tgid), el('td', {}, x.uaddr),
            el('td', { class: 'num' }, fmt(x.waits, 0)), el('td', { class: 'num' }, ns(x.wait_ns)),
            el('td', { class: 'num' }, ns(x.max_wait_ns)), el('td', { class: 'num' }, fmt(x.wakes, 0)),
            el('td', {}, x.gil ? 'yes' : '')]));
        });
      }
    });
  }

  /* `gilscope compare`: the same cells of several documents side by side */
  function comparison() {
    add(app, el('h1', {}, 'gilscope comparison'));
    var st = add(app, el('table', { id: 'sources' }));
    st.appendChild(el('tr', {}, ['#', 'results', 'host', 'kernel', 'started'].map(function (h) { return el('th', {}, h); })));
    doc.sources.forEach(function (s, i) {
      st.appendChild(el('tr', {}, [i === 0 ? 'baseline' : String(i), s.path, s.host, s.kernel, s.start_time]
        .map(function (v) { return el('td', {}, v === undefined || v === null ? '' : String(v)); })));
    });
    var keyRows = doc.rows.filter(function (r) { return r.metric === 'units_per_s' || r.metric === 'wall_s'; });
    var grid = add(app, el('div', { class: 'grid', id: 'charts' }));
    if (keyRows.length) {
      chart(grid, 'Ratio to the baseline (' + keyRows[0].metric + ')', {
        type: 'bar',
        data: { labels: keyRows.filter(function (r) { return r.metric === keyRows[0].metric; }).map(function (r) { return r.cell; }),
                datasets: doc.sources.slice(1).map(function (s, i) {
                  return { label: s.path, backgroundColor: COLORS[(i + 1) % COLORS.length],
                           data: keyRows.filter(function (r) { return r.metric === keyRows[0].metric; })
                             .map(function (r) { return r.ratios[i + 1]; }) };
                }) },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: '× baseline' } } } }
      });
    }
    add(app, el('h2', {}, 'Cells'));
    add(app, el('p', { class: 'small' }, 'Marked red: the medians lie outside each other\'s min..max spread.'));
    var t = add(app, el('table', { id: 'compare-table' }));
    t.appendChild(el('tr', {}, ['cell', 'metric'].concat(doc.sources.map(function (s, i) {
      return i === 0 ? 'baseline' : '#' + i + ' (ratio)';
    })).map(function (h) { return el('th', {}, h); })));
    doc.rows.forEach(function (r) {
      t.appendChild(el('tr', {}, [el('td', {}, r.cell), el('td', {}, r.metric)].concat(r.values.map(function (v, i) {
        var text = (r.unit === 'ns' ? ns(v) : fmt(v)) + (i ? ' (' + fmt(r.ratios[i], 2) + '×)' : '');
        return el('td', { class: 'num' + (r.significant[i] ? ' v-bad' : '') }, text);
      }))));
    });
    if ((doc.claims || []).length) {
      add(app, el('h2', {}, 'Verdicts'));
      add(app, el('p', { class: 'small' }, 'Marked red: the verdict differs from the baseline\'s.'));
      var vt = add(app, el('table', { id: 'compare-claims' }));
      vt.appendChild(el('tr', {}, ['id', 'claim'].concat(doc.sources.map(function (s, i) {
        return i === 0 ? 'baseline' : '#' + i;
      })).map(function (h) { return el('th', {}, h); })));
      doc.claims.forEach(function (c) {
        var id = c.id + (c.runtime && c.runtime !== 'sim' ? ' (' + c.runtime + ')' : '');
        vt.appendChild(el('tr', {}, [el('td', {}, id), el('td', {}, c.claim)].concat(c.verdicts.map(function (v, i) {
          var diff = i > 0 && v !== c.verdicts[0];
          return el('td', { class: diff ? 'v-bad' : 'v-' + v }, v === null ? 'n/a' : v);
        }))));
      });
    }
    document.body.setAttribute('data-charts', String(chartsDrawn));
    document.body.setAttribute('data-rendered', 'yes');
  }

  try {
    app.textContent = '';
    if (doc.kind === 'comparison') return comparison();
    header();
    health();
    verdictTable();
    claimsTable();
    findingsList();
    sideBySide();
    calibration();
    add(app, el('h2', {}, 'Charts'));
    var grid = add(app, el('div', { class: 'grid', id: 'charts' }));
    intervalCharts(grid);
    sweepChart(grid);
    breakdownCharts(grid);
    modelCharts(grid);
    recordCharts(grid);
    runsTable();
    threadTables();
    document.body.setAttribute('data-charts', String(chartsDrawn));
    document.body.setAttribute('data-rendered', 'yes');
  } catch (e) {
    document.body.setAttribute('data-rendered', 'error');
    app.appendChild(el('pre', {}, 'report error: ' + e));
    throw e;
  }
})();
