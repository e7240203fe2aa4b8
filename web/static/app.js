// kaoqin dashboard: draws the charts with ECharts. The pages work without it (every chart has
// its table); htmx, loaded separately, refreshes the today board.
(function () {
  "use strict";

  var statusColors = {
    absent: "#c0392b", missing: "#e67e22", late: "#f0a830", early: "#f6c85f",
    leave: "#5b8def", pending: "#cfd8e3", normal: "#3aa57a", rest: "#eef1f4", none: "#ffffff"
  };

  function readData(el) {
    var src = document.getElementById(el.getAttribute("data-source"));
    if (!src) return null;
    try { return JSON.parse(src.textContent); } catch (e) { return null; }
  }

  function trend(el, d) {
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      color: ["#3aa57a", "#f0a830", "#c0392b"],
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: d.labels },
      grid: { left: 44, right: 44, top: 36, bottom: 28 },
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

  function calendar(el, d) {
    var chart = echarts.init(el);
    var zh = d.lang !== "en";
    chart.setOption({
      animation: false,
      tooltip: {
        formatter: function (p) { return p.value[0] + " " + d.labels[d.statuses[p.value[1]]]; }
      },
      visualMap: {
        type: "piecewise", orient: "horizontal", left: "center", bottom: 0,
        pieces: d.statuses.filter(function (s) { return s !== "none"; }).map(function (s) {
          return { value: d.statuses.indexOf(s), label: d.labels[s], color: statusColors[s] };
        })
      },
      calendar: {
        range: [d.from, d.to], top: 28, left: 40, right: 16, bottom: 48, cellSize: ["auto", 18],
        splitLine: { lineStyle: { color: "#d5dbe1" } },
        itemStyle: { borderColor: "#fff", borderWidth: 2 },
        dayLabel: { firstDay: 1, nameMap: zh ? "ZH" : "EN" },
        monthLabel: { nameMap: zh ? "ZH" : "EN" },
        yearLabel: { show: false }
      },
      series: [{ type: "heatmap", coordinateSystem: "calendar", data: d.days }]
    });
    chart.on("click", function (p) {
      var row = document.querySelector('tr[data-date="' + p.value[0] + '"]');
      if (row) { row.scrollIntoView({ block: "center" }); row.classList.add("flash"); }
    });
    return chart;
  }

  var charts = [];
  function init(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) return;
      var d = readData(el);
      if (!d) return;
      var kind = el.getAttribute("data-chart");
      var c = kind === "trend" ? trend(el, d) : kind === "calendar" ? calendar(el, d) : null;
      if (c) { charts.push(c); el.setAttribute("data-drawn", "1"); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
