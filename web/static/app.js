// kaoqin dashboard: draws the charts with ECharts and makes the lists quicker to use. The pages
// work without it (every chart has its table, every list its form); htmx, loaded separately,
// refreshes the today board.
(function () {
  "use strict";

  // A chart's data is in its data-json attribute (not a script element: htmx drops those from
  // the board it refreshes).
  function readData(el) {
    var json = el.getAttribute("data-json");
    if (!json) return null;
    try { return JSON.parse(json); } catch (e) { return null; }
  }

  var narrow = function () { return window.matchMedia("(max-width: 719px)").matches; };

  // The department's last 30 days: the checked-in rate, and the late and absent people.
  function trend(el, d) {
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      color: ["#3aa57a", "#f0a830", "#c0392b"],
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 0, data: d.labels },
      grid: { left: 40, right: 36, top: 34, bottom: 26 },
      xAxis: { type: "category", data: d.dates.map(function (x) { return x.slice(5); }) },
      yAxis: [
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        { type: "value", minInterval: 1, splitLine: { show: false } }
      ],
      series: [
        { name: d.labels[0], type: "line", yAxisIndex: 0, data: d.rate, symbolSize: 5 },
        { name: d.labels[1], type: "bar", yAxisIndex: 1, data: d.late, barMaxWidth: 10 },
        { name: d.labels[2], type: "bar", yAxisIndex: 1, data: d.absent, barMaxWidth: 10 }
      ]
    });
    return chart;
  }

  // The morning's arrivals: people checked in by each minute, against the shift starts.
  function arrivals(el, d) {
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      color: ["#2f6fde", "#9aa8b8"],
      tooltip: { trigger: "axis", confine: true },
      // Below the chart: the band above it holds the shift starts' labels.
      legend: { bottom: 0, data: [d.labels.in, d.labels.due] },
      xAxis: { type: "category", boundaryGap: false, data: d.minutes },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: d.labels.in, type: "line", step: "end", showSymbol: false, areaStyle: { opacity: 0.12 }, data: d.in,
          markLine: { symbol: "none", silent: true, lineStyle: { type: "dashed", color: "#b8741a" } } },
        { name: d.labels.due, type: "line", step: "end", showSymbol: false, lineStyle: { type: "dotted" }, data: d.due }
      ]
    });
    chart.layout = function () { chart.setOption(startLabels(el, d)); };
    chart.layout();
    return chart;
  }

  // startLabels places the shift starts' labels above their lines, in as many rows as it takes
  // for none to cover another (08:00 and 09:00 side by side on a phone), and makes the band
  // above the chart as tall as those rows. It depends on the chart's width: it runs again when
  // the window is resized.
  function startLabels(el, d) {
    var left = 40, right = 16, row = 15, gap = 6;
    var width = Math.max(el.clientWidth - left - right, 1);
    var last = Math.max(d.minutes.length - 1, 1);
    var placed = [];
    d.starts.forEach(function (s) {
      // A start after the last minute drawn (09:00 at 08:50, a night shift's 22:00) has no
      // line yet, so no label either.
      var i = d.minutes.indexOf(s.at);
      if (i < 0) return;
      // Near either end of the morning a label sits on the inner side of its line: centred on
      // it, the label of a line at the chart's edge was cut in half.
      var at = i / last;
      var align = at > 0.8 ? "right" : at < 0.2 ? "left" : "center";
      var x = left + at * width, w = textWidth(s.label);
      var from = align === "left" ? x : align === "right" ? x - w : x - w / 2;
      placed.push({ s: s, align: align, from: from, to: from + w });
    });
    // Left to right, each label takes the first row whose last label ends before it begins.
    var ends = [];
    placed.sort(function (a, b) { return a.from - b.from; }).forEach(function (p) {
      var r = 0;
      while (r < ends.length && ends[r] + gap > p.from) r++;
      ends[r] = p.to;
      p.row = r;
    });
    return {
      grid: { left: left, right: right, top: 12 + row * Math.max(ends.length, 1), bottom: 48 },
      series: [{ markLine: { data: placed.map(function (p) {
        return { xAxis: p.s.at, label: { formatter: p.s.label, align: p.align, distance: 5 + p.row * row } };
      }) } }]
    };
  }

  // textWidth is the width of a label in ECharts' default label font, measured on one canvas
  // kept for it.
  var measure;
  function textWidth(text) {
    if (!measure) {
      measure = document.createElement("canvas").getContext("2d");
      measure.font = "12px sans-serif";
    }
    return measure.measureText(text).width;
  }

  // How late the late people were, by kind.
  function lateness(el, d) {
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      color: ["#f0a830", "#e67e22", "#c0392b"],
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 0, data: d.kinds },
      grid: { left: 36, right: 12, top: 34, bottom: 40 },
      xAxis: { type: "category", data: d.buckets, name: d.unit, nameLocation: "middle", nameGap: 26,
        axisLabel: { interval: 0 } },
      yAxis: { type: "value", minInterval: 1, name: narrow() ? "" : d.people },
      series: d.kinds.map(function (k, i) {
        return { name: k, type: "bar", stack: "late", data: d.counts[i], barMaxWidth: 28 };
      })
    });
    return chart;
  }

  var charts = [];
  function init(root) {
    if (typeof echarts === "undefined") return;
    // The charts of a board htmx has replaced are out of the page: dispose of them, or a board
    // left open all day (a screen by the door) keeps every one it ever drew, canvases and all.
    charts = charts.filter(function (c) {
      if (c.getDom().isConnected) return true;
      c.dispose();
      return false;
    });
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) return;
      var d = readData(el);
      if (!d) return;
      var kind = el.getAttribute("data-chart");
      var draw = { trend: trend, arrivals: arrivals, lateness: lateness }[kind];
      if (!draw) return;
      charts.push(draw(el, d));
      el.setAttribute("data-drawn", "1");
    });
  }

  // The month calendar: a tap on a day shows that day's checks under the calendar.
  function calendar() {
    var cal = document.getElementById("calendar");
    var list = document.getElementById("days");
    if (!cal || !list) return;
    var days = list.querySelectorAll("article[data-date]");
    if (!days.length) return;
    var all = document.getElementById("all-days");
    function show(date) {
      var found = false;
      days.forEach(function (a) {
        var on = a.getAttribute("data-date") === date;
        a.hidden = !on;
        found = found || on;
      });
      cal.querySelectorAll("a[data-day]").forEach(function (a) {
        if (a.getAttribute("data-day") === date) a.setAttribute("aria-current", "date");
        else a.removeAttribute("aria-current");
      });
      if (all) all.parentNode.hidden = false;
      return found;
    }
    cal.addEventListener("click", function (e) {
      var a = e.target.closest("a[data-day]");
      if (!a) return;
      e.preventDefault();
      if (show(a.getAttribute("data-day"))) {
        var art = document.getElementById("d-" + a.getAttribute("data-day"));
        if (art && narrow()) art.scrollIntoView({ block: "nearest" });
      }
    });
    if (all) {
      all.addEventListener("click", function () {
        days.forEach(function (a) { a.hidden = false; });
        all.parentNode.hidden = true;
      });
    }
    var wanted = location.hash.indexOf("#d-") === 0 ? location.hash.slice(3) : days[0].getAttribute("data-date");
    show(wanted);
  }

  // Lists with a search box filter their rows as one types; groups with no row left hide.
  function filters(root) {
    root.querySelectorAll("input[data-filter]").forEach(function (input) {
      if (input.getAttribute("data-bound")) return;
      input.setAttribute("data-bound", "1");
      var table = document.getElementById(input.getAttribute("data-filter"));
      if (!table) return;
      var empty = document.getElementById(input.getAttribute("data-filter") + "-none");
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        var shown = 0;
        table.querySelectorAll("tbody").forEach(function (tb) {
          var any = false;
          var group = (tb.getAttribute("data-name") || "").toLowerCase();
          tb.querySelectorAll("tr.pickable").forEach(function (tr) {
            var on = !q || group.indexOf(q) >= 0 || tr.textContent.toLowerCase().indexOf(q) >= 0;
            tr.hidden = !on;
            any = any || on;
            if (on) shown++;
          });
          tb.hidden = !any;
        });
        if (empty) empty.hidden = shown > 0;
      });
    });
  }

  // Selection in a list: a group's box selects its people; the count and the actions follow.
  function selection(root) {
    root.querySelectorAll("form[data-select]").forEach(function (form) {
      if (form.getAttribute("data-bound")) return;
      form.setAttribute("data-bound", "1");
      var count = form.querySelector("[data-selected]");
      var when = form.querySelectorAll("[data-needs-selection]");
      function update() {
        var n = form.querySelectorAll("input[name=userid]:checked").length;
        if (count) count.textContent = count.getAttribute("data-selected").replace("%s", n);
        when.forEach(function (b) { b.disabled = n === 0; });
      }
      form.addEventListener("change", function (e) {
        var t = e.target;
        if (t.hasAttribute("data-group")) {
          var tb = t.closest("tbody") || form;
          tb.querySelectorAll("input[name=userid]").forEach(function (c) {
            if (!c.closest("tr").hidden) c.checked = t.checked;
          });
        }
        update();
      });
      update();
    });
  }

  // A switch that applies at once.
  function autosubmit(root) {
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      if (el.getAttribute("data-bound")) return;
      el.setAttribute("data-bound", "1");
      el.addEventListener("change", function () { el.form.submit(); });
    });
  }

  function all(root) { init(root); filters(root); selection(root); autosubmit(root); }

  document.addEventListener("DOMContentLoaded", function () { all(document); calendar(); });
  // htmx:load comes with each element htmx puts in the page: the refreshed board itself
  // (htmx:afterSwap comes on the board it replaced, out of the page by then).
  document.addEventListener("htmx:load", function (e) { all(e.target); });
  // The board refreshes itself every minute: not while someone is typing in its search box
  // or has people selected, which the refresh would throw away.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var board = e.target;
    if (!board || board.id !== "board") return;
    var search = board.querySelector("input[data-filter]");
    if ((search && search.value) || board.querySelector("input[name=userid]:checked")) e.preventDefault();
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); if (c.layout) c.layout(); }); });
})();

// Forms that ask before they act (deleting a reminder rule): data-confirm holds the question.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var f = e.target.closest && e.target.closest("form[data-confirm]");
    if (f && !window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
  });
})();
