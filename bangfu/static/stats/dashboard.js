/* Draws the dashboard's charts from the JSON blocks the page carries (json_script).
 *
 * The Content-Security-Policy allows no inline script or style: this file is
 * static, the data are <script type="application/json"> blocks, and tooltips
 * are drawn on the canvas (renderMode "richText") rather than as HTML with
 * style attributes.
 */
(function () {
  "use strict";

  var COLOURS = ["#b3261e", "#1d5fa8", "#1e7b34", "#a15c00", "#6a3d9a", "#00838f",
    "#c2185b", "#5d4037", "#546e7a", "#827717", "#283593", "#ef6c00"];

  function readData(el) {
    var block = document.getElementById(el.getAttribute("data-chart"));
    return block ? JSON.parse(block.textContent) : null;
  }

  // The pairing map: points at longitude/latitude and helper → recipient lines. No
  // boundary geometry is shipped, so the axes are plain value axes, hidden.
  function mapOptions(data) {
    var lngs = data.points.map(function (p) { return p.value[0]; });
    var lats = data.points.map(function (p) { return p.value[1]; });
    var pad = 1.5;
    var widest = Math.max.apply(null, data.lines.map(function (l) { return l.schools + l.regions; }));
    return {
      color: COLOURS,
      animation: false,
      aria: { enabled: true },
      tooltip: { trigger: "item", renderMode: "richText" },
      grid: { left: 8, right: 8, top: 8, bottom: 8 },
      xAxis: { type: "value", show: false, scale: true,
        min: Math.floor(Math.min.apply(null, lngs) - pad), max: Math.ceil(Math.max.apply(null, lngs) + pad) },
      yAxis: { type: "value", show: false, scale: true,
        min: Math.floor(Math.min.apply(null, lats) - pad), max: Math.ceil(Math.max.apply(null, lats) + pad) },
      series: [
        {
          type: "lines",
          coordinateSystem: "cartesian2d",
          polyline: false,
          data: data.lines.map(function (l) {
            return {
              coords: l.coords,
              name: l.from + " → " + l.to,
              value: l.schools,
              lineStyle: { width: 1 + 5 * (l.schools + l.regions) / (widest || 1) }
            };
          }),
          lineStyle: { color: COLOURS[1], opacity: 0.55, curveness: 0.2 },
          symbol: ["none", "arrow"],
          symbolSize: 8,
          tooltip: {
            formatter: function (p) {
              var l = data.lines[p.dataIndex];
              return l.from + " → " + l.to + "\n" + data.series[0].name + " " + l.regions +
                "  " + data.series[1].name + " " + l.schools;
            }
          }
        },
        {
          type: "scatter",
          data: data.points.map(function (p) {
            return { name: p.name, value: p.value,
              itemStyle: { color: p.side === "helper" ? COLOURS[0] : COLOURS[2] } };
          }),
          symbolSize: 8,
          label: { show: data.points.length <= 40, position: "right", formatter: "{b}" },
          tooltip: { formatter: "{b}" }
        }
      ]
    };
  }

  function options(data) {
    if (data.kind === "map") return mapOptions(data);
    var narrow = window.matchMedia("(max-width: 760px)").matches;
    var line = data.kind === "line";
    var series = data.series.map(function (s) {
      var one = { name: s.name, data: s.data, type: line ? "line" : "bar" };
      if (data.kind === "stacked_bar") {
        one.stack = "total";
        one.emphasis = { focus: "series" };
      }
      if (line) {
        one.smooth = false;
        one.symbolSize = 7;
      }
      if (data.kind === "bar") {
        one.barMaxWidth = 56;
        one.label = { show: !narrow, position: "top" };
        if (data.links && data.links.length) one.cursor = "pointer";
      }
      return one;
    });
    return {
      color: COLOURS,
      animation: false,
      aria: { enabled: true },
      tooltip: {
        trigger: "axis",
        renderMode: "richText",
        valueFormatter: function (v) { return v + (data.unit === "%" ? "%" : " " + data.unit); }
      },
      legend: data.series.length > 1 ? { type: "scroll", top: 0 } : undefined,
      grid: { left: 8, right: 16, top: data.series.length > 1 ? 36 : 16, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: data.categories,
        axisLabel: { hideOverlap: true, rotate: narrow && data.categories.length > 6 ? 45 : 0 }
      },
      yAxis: {
        type: "value",
        minInterval: data.unit === "%" ? 0 : 1,
        max: data.unit === "%" ? 100 : null,
        axisLabel: { formatter: data.unit === "%" ? "{value}%" : "{value}" }
      },
      series: series
    };
  }

  function draw() {
    if (!window.echarts) return;
    var charts = [];
    document.querySelectorAll(".dash-chart[data-chart]").forEach(function (el) {
      var data = readData(el);
      if (!data) return;
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(options(data));
      // A bar that stands for a figure opens its drill-down rows; a map line, its pairing.
      if (data.links && data.links.length) {
        chart.on("click", function (params) {
          if (data.kind === "map" && params.seriesType !== "lines") return;
          var url = data.links[params.dataIndex];
          if (url) window.location.href = url;
        });
      }
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 100);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
