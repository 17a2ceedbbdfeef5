// The statistics dashboard's charts (Apache ECharts, vendored). The figures come from the
// page's <script type="application/json" id="stats-data"> (no inline script: the CSP forbids
// it); each chart goes into the element marked data-chart="…". A click on a sub-region, a
// change kind or a bar opens the page behind it.
(function () {
  "use strict";

  var BLUE = "#2f6fb0", GREY = "#9aa5b1", GREEN = "#2e8b57", RED = "#c0392b", AMBER = "#e0a100";
  var PALETTE = [BLUE, "#e07b39", "#5aa469", "#8e6bbf", "#c9a227", "#4bb3c4", "#d45d79", "#7f8c8d"];

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function fmt(n) { return n === null || n === undefined ? "—" : Number(n).toLocaleString("zh-CN"); }

  function go(url) { if (url) { window.location.href = url; } }

  function gauge(data) {
    var rate = data.rate;
    return {
      series: [{
        type: "gauge", min: 0, max: Math.max(100, Math.ceil(rate || 0)), radius: "96%",
        startAngle: 210, endAngle: -30, center: ["50%", "58%"],
        progress: { show: true, width: 16, roundCap: true,
                    itemStyle: { color: rate !== null && rate < 90 ? AMBER : BLUE } },
        axisLine: { roundCap: true, lineStyle: { width: 16, color: [[1, "#e9edf2"]] } },
        axisTick: { show: false }, splitLine: { show: false },
        axisLabel: { show: false }, pointer: { show: false }, anchor: { show: false },
        title: { show: true, offsetCenter: [0, "30%"], fontSize: 12, color: GREY },
        detail: {
          valueAnimation: false, offsetCenter: [0, "0%"], fontSize: 28, fontWeight: 600, color: "#222",
          formatter: function () { return rate === null ? "—" : rate.toFixed(2) + "%"; }
        },
        data: [{ value: rate === null ? 0 : rate, name: data.labels.rate }]
      }]
    };
  }

  function children(data, el) {
    var rows = data.children.slice().reverse();  // first sub-region at the top
    var byRate = rows.some(function (r) { return r.rate !== null; });
    el.style.height = Math.max(240, rows.length * 24 + 60) + "px";
    return {
      grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          var r = rows[items[0].dataIndex];
          return r.name + "<br>" + data.labels.listed + " " + fmt(r.listed) + " / " + data.labels.expected + " " +
            fmt(r.expected) + "<br>" + data.labels.rate + " " + (r.rate === null ? "—" : r.rate.toFixed(2) + "%");
        }
      },
      xAxis: { type: "value", max: byRate ? function (v) { return Math.max(100, Math.ceil(v.max)); } : null,
               axisLabel: { formatter: byRate ? "{value}%" : "{value}" } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
               axisLabel: { width: 120, overflow: "truncate" }, triggerEvent: true },
      series: [{
        type: "bar", barMaxWidth: 18, cursor: "pointer",
        data: rows.map(function (r) {
          var v = byRate ? r.rate : r.listed;
          var low = byRate && (r.rate === null || r.rate < 90);
          return { value: v === null ? 0 : v, itemStyle: { color: low ? AMBER : BLUE } };
        }),
        label: { show: true, position: "right", fontSize: 10,
                 formatter: function (p) { var r = rows[p.dataIndex]; return byRate ? (r.rate === null ? "—" : r.rate.toFixed(1) + "%") : fmt(r.listed); } }
      }],
      _urls: rows.map(function (r) { return r.url; })
    };
  }

  function statuses(data) {
    var rows = data.statuses.slice().reverse();
    var colors = [GREY, "#8e6bbf", AMBER, "#e07b39", BLUE];  // reversed: 已登记 blue at the top
    return {
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1, axisLabel: { show: false } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), triggerEvent: true },
      series: [{
        type: "bar", barMaxWidth: 22, cursor: "pointer",
        data: rows.map(function (r, i) { return { value: r.value, itemStyle: { color: colors[i] } }; }),
        label: { show: true, position: "right", fontSize: 11 }
      }],
      _urls: rows.map(function (r) { return r.url; })
    };
  }

  function changes(data) {
    var rows = data.changes.slice().reverse();  // 新满十八周岁 at the top
    return {
      grid: { left: 8, right: 40, top: 4, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1, axisLabel: { show: false } },
      yAxis: { type: "category", data: rows.map(function (c) { return c.name; }),
               axisLabel: { fontSize: 11 }, triggerEvent: true },
      series: [{
        type: "bar", barMaxWidth: 16, cursor: "pointer",
        data: rows.map(function (c) { return { value: c.value, itemStyle: { color: c.add ? GREEN : RED } }; }),
        label: { show: true, position: "right", fontSize: 10 }
      }],
      _urls: rows.map(function (c) { return c.url; })
    };
  }

  function pie(items, colors, labels) {
    var sum = items.reduce(function (a, b) { return a + b.value; }, 0);
    return {
      color: colors,
      tooltip: { trigger: "item", formatter: "{b}：{c} ({d}%)" },
      legend: { bottom: 0, itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 11 } },
      title: sum ? undefined : { text: labels.no_data, left: "center", top: "middle", textStyle: { color: GREY, fontSize: 13 } },
      series: sum ? [{
        type: "pie", radius: ["36%", "70%"], center: ["50%", "45%"],
        label: { position: "inside", formatter: function (p) { return p.percent >= 6 ? p.percent.toFixed(1) + "%" : ""; },
                 color: "#fff", fontSize: 11 },
        labelLine: { show: false }, data: items
      }] : []
    };
  }

  function ethnicity(data) {
    var rows = data.ethnicity.slice().reverse();
    if (!rows.length) {
      var empty = data.active ? data.labels.all_han : data.labels.no_data;
      return { title: { text: empty, left: "center", top: "middle", textStyle: { color: GREY, fontSize: 13 } } };
    }
    return {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "log", min: 1, axisLabel: { fontSize: 10 } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { fontSize: 11 } },
      series: [{ type: "bar", barMaxWidth: 14, itemStyle: { color: "#8e6bbf" },
                 data: rows.map(function (r) { return r.value; }),
                 label: { show: true, position: "right", fontSize: 10 } }]
    };
  }

  function trend(data) {
    var t = data.trend, labels = data.labels;
    return {
      color: [BLUE, GREY, AMBER],
      grid: { left: 8, right: 8, top: 34, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [labels.listed, labels.expected, labels.rate] },
      xAxis: { type: "category", boundaryGap: false, data: t.days },
      yAxis: [
        { type: "value", name: labels.people, minInterval: 1 },
        { type: "value", name: labels.rate, min: 0, max: function (v) { return Math.max(100, Math.ceil(v.max)); },
          axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }
      ],
      series: [
        { name: labels.listed, type: "line", data: t.listed, symbolSize: 6, areaStyle: { opacity: 0.08 } },
        { name: labels.expected, type: "line", data: t.expected, symbol: "none", lineStyle: { type: "dashed" } },
        { name: labels.rate, type: "line", yAxisIndex: 1, data: t.rate, symbolSize: 5 }
      ]
    };
  }

  onReady(function () {
    var source = document.getElementById("stats-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var builders = {
      gauge: function () { return gauge(data); },
      children: function (el) { return children(data, el); },
      statuses: function () { return statuses(data); },
      changes: function () { return changes(data); },
      sex: function () { return pie(data.sex, [BLUE, "#d45d79"], data.labels); },
      age: function () { return pie(data.age, ["#5aa469", BLUE, "#e07b39"], data.labels); },
      ethnicity: function () { return ethnicity(data); },
      trend: function () { return trend(data); }
    };
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = builders[el.getAttribute("data-chart")];
      if (!build) { return; }
      var option = build(el);
      option.animation = false;  // figures, not a show: and a click lands where the bar is
      var urls = option._urls;
      delete option._urls;
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      if (urls) {
        chart.on("click", function (p) {
          var i = p.componentType === "yAxis" || p.componentType === "xAxis"
            ? option[p.componentType].data.indexOf(p.value) : p.dataIndex;
          go(urls[i]);
        });
      }
      el.setAttribute("data-chart-ready", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
