/* Rates dashboard charts (reports/dashboard.html).
 *
 * Data comes from the json_script element #dashboard-data (no inline scripts: strict CSP).
 * Tooltips are built from escaped text and CSS classes, never inline styles.
 */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var L = data.labels;

  // One palette for the whole page: brand maroon for placement, gold for signing; the previous
  // cohort in lighter tints of the same colours, dashed.
  var COLORS = {
    placement: "#8c1d2b",
    signing: "#d4a017",
    placementBefore: "#c4737c",
    signingBefore: "#e6c46a",
  };
  var MIX = [
    "#8c1d2b", "#b5473f", "#d4a017", "#e6c46a", "#2f6f8f", "#5a9bbf", "#5b8c5a",
    "#8fbf7a", "#7a6c9d", "#a99bc9", "#c77d3a", "#e2a66b", "#4f7cac", "#8aa9cf",
    "#6b6b6b", "#9c9c9c", "#b8b8b8",
  ];
  var NO_RECORD = "#d0d0d0";
  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif';
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function pct(value, places) {
    if (value === null || value === undefined) {
      return "—";
    }
    return (value * 100).toFixed(places === undefined ? 1 : places) + "%";
  }

  function line(cls, label, value, dashed) {
    var marker = dashed ? "qh-tip-dash qh-dash " + cls : "qh-tip-dot " + cls;
    return '<div><span class="' + marker + '"></span>' + escapeHtml(label) +
      '<span class="qh-tip-num">' + escapeHtml(value) + "</span></div>";
  }

  function tip(title, lines, footer) {
    return '<div class="qh-tip"><div class="qh-tip-title">' + escapeHtml(title) + "</div>" +
      lines.join("") + (footer ? '<div class="text-body-secondary">' + escapeHtml(footer) + "</div>" : "") +
      "</div>";
  }

  var base = {
    animation: !reduceMotion,
    textStyle: { fontFamily: FONT },
    tooltip: {
      confine: true,
      backgroundColor: "rgba(255,255,255,0.97)",
      borderColor: "#d9d9d9",
      textStyle: { color: "#212529", fontFamily: FONT },
      extraCssText: "box-shadow: 0 2px 8px rgba(0,0,0,.12);",
    },
  };

  function noData(chart) {
    chart.setOption({
      title: {
        text: L.noData,
        left: "center",
        top: "middle",
        textStyle: { color: "#8c8c8c", fontSize: 14, fontWeight: "normal", fontFamily: FONT },
      },
    });
  }

  var charts = [];

  function make(id) {
    var el = document.getElementById(id);
    if (!el) {
      return null;
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  // --- the table's grouping ranked (horizontal bars) ---------------------------------------
  // Rates per department, major, province …; by employer province, where placed graduates
  // went (count and share of all placed), since every graduate there is placed.
  (function ranking() {
    var d = data.ranking;
    var el = document.getElementById("chart-ranking");
    if (!el) {
      return;
    }
    var share = d.measure === "share";
    var perRow = share ? 24 : 34;
    // Enough height for every row's bars (CSSOM, allowed by the CSP).
    el.style.height = Math.max(320, 70 + d.names.length * perRow) + "px";
    var chart = make("chart-ranking");
    if (!d.names.length) {
      noData(chart);
      return;
    }
    var yAxis = {
      type: "category",
      data: d.names,
      axisTick: { show: false },
      axisLabel: { width: 180, overflow: "truncate" },
    };
    if (share) {
      chart.setOption(Object.assign({}, base, {
        color: [COLORS.placement],
        grid: { left: 8, right: 96, top: 8, bottom: 8, containLabel: true },
        xAxis: {
          type: "value",
          minInterval: 1,
          splitLine: { lineStyle: { type: "dashed", color: "#e5e5e5" } },
        },
        yAxis: yAxis,
        tooltip: Object.assign({}, base.tooltip, {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          formatter: function (items) {
            var i = items[0].dataIndex;
            return tip(d.names[i], [
              line("qh-c0", L.placedCount, d.placed[i] + " " + L.people),
              line("qh-c0", L.shareOfPlaced, pct(d.share[i], 1) + "（" + d.placed[i] + "/" + d.placedTotal + "）"),
            ], data.counted + " · " + data.asOf);
          },
        }),
        series: [
          {
            name: L.placedCount,
            type: "bar",
            data: d.placed,
            barMaxWidth: 14,
            itemStyle: { borderRadius: [0, 3, 3, 0] },
            label: {
              show: true,
              position: "right",
              fontSize: 11,
              formatter: function (p) { return p.value + L.people + " · " + pct(d.share[p.dataIndex], 1); },
            },
          },
        ],
      }));
      return;
    }
    chart.setOption(Object.assign({}, base, {
      color: [COLORS.placement, COLORS.signing],
      legend: { top: 0, data: [L.placement, L.signing], textStyle: { fontFamily: FONT } },
      grid: { left: 8, right: 56, top: 32, bottom: 8, containLabel: true },
      xAxis: {
        type: "value",
        min: 0,
        max: 1,
        axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } },
        splitLine: { lineStyle: { type: "dashed", color: "#e5e5e5" } },
      },
      yAxis: yAxis,
      tooltip: Object.assign({}, base.tooltip, {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          return tip(d.names[i], [
            line("qh-c0", L.placement, pct(d.placement[i], 2) + "（" + d.placed[i] + "/" + d.totals[i] + "）"),
            line("qh-c1", L.signing, pct(d.signing[i], 2) + "（" + d.signed[i] + "/" + d.totals[i] + "）"),
          ], data.counted + " · " + data.asOf);
        },
      }),
      series: [
        {
          name: L.placement,
          type: "bar",
          data: d.placement,
          barMaxWidth: 14,
          itemStyle: { borderRadius: [0, 3, 3, 0] },
          label: { show: true, position: "right", fontSize: 11, formatter: function (p) { return pct(p.value); } },
        },
        {
          name: L.signing,
          type: "bar",
          data: d.signing,
          barMaxWidth: 14,
          itemStyle: { borderRadius: [0, 3, 3, 0] },
          label: { show: true, position: "right", fontSize: 11, formatter: function (p) { return pct(p.value); } },
        },
      ],
    }));
  })();

  // --- weekly progress against the previous cohort (lines) ---------------------------------
  (function progress() {
    var p = data.progress;
    var chart = make("chart-progress");
    if (!chart) {
      return;
    }
    if (!p.series.length || !p.series[0].total) {
      noData(chart);
      return;
    }
    var series = [];
    var legend = [];
    var info = [];
    p.series.forEach(function (s) {
      var pairs = [
        [L.placement, s.placement, s.placed, s.current ? COLORS.placement : COLORS.placementBefore, s.current ? "qh-c0" : "qh-c4"],
        [L.signing, s.signing, s.signed, s.current ? COLORS.signing : COLORS.signingBefore, s.current ? "qh-c1" : "qh-c5"],
      ];
      pairs.forEach(function (pair) {
        var name = s.name + " " + pair[0];
        legend.push(name);
        info.push({ cls: pair[4], dashed: !s.current, counts: pair[2], total: s.total });
        series.push({
          name: name,
          type: "line",
          data: pair[1],
          color: pair[3],
          showSymbol: false,
          symbolSize: 5,
          connectNulls: false,
          lineStyle: { width: s.current ? 2.5 : 1.5, type: s.current ? "solid" : "dashed" },
          emphasis: { focus: "series" },
          z: s.current ? 3 : 2,
        });
      });
    });
    chart.setOption(Object.assign({}, base, {
      legend: { top: 0, data: legend, textStyle: { fontFamily: FONT } },
      grid: { left: 8, right: 16, top: 56, bottom: 48, containLabel: true },
      xAxis: {
        type: "category",
        data: p.weeks,
        boundaryGap: false,
        axisLabel: { hideOverlap: true },
      },
      yAxis: {
        type: "value",
        min: 0,
        max: function (v) { return Math.min(1, Math.ceil((v.max + 0.05) * 10) / 10); },
        axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } },
        splitLine: { lineStyle: { type: "dashed", color: "#e5e5e5" } },
      },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 8 }],
      tooltip: Object.assign({}, base.tooltip, {
        trigger: "axis",
        formatter: function (items) {
          var lines = items.filter(function (it) {
            return it.value !== null && it.value !== undefined;
          }).map(function (it) {
            var meta = info[it.seriesIndex];
            var count = meta.counts[it.dataIndex];
            return line(meta.cls, it.seriesName, pct(it.value, 2) + "（" + count + "/" + meta.total + "）", meta.dashed);
          });
          return tip(items.length ? items[0].axisValue : "", lines, data.counted);
        },
      }),
      series: series,
    }));
  })();

  // --- destination mix (donut) -------------------------------------------------------------
  (function mix() {
    var chart = make("chart-mix");
    if (!chart) {
      return;
    }
    if (!data.mix.length) {
      noData(chart);
      return;
    }
    var colored = data.mix.map(function (m, i) {
      return {
        name: m.name,
        value: m.value,
        rate: m.rate,
        code: m.code,
        itemStyle: { color: m.code ? MIX[i % MIX.length] : NO_RECORD },
      };
    });
    // On a phone the ring is smaller and the labels narrower and kept to the chart's edges,
    // so no slice's name is cut off.
    var narrow = { query: { maxWidth: 480 }, option: { series: [{
      radius: ["24%", "40%"],
      label: { width: 78, fontSize: 10, lineHeight: 13, alignTo: "edge", edgeDistance: 4 },
    }] } };
    chart.setOption({ media: [narrow], baseOption: Object.assign({}, base, {
      // No legend: the table beside the chart names every code with its count and share.
      title: {
        text: String(data.total),
        subtext: L.graduates,
        left: "center",
        top: "center",
        textStyle: { fontSize: 20, fontWeight: "bold", color: COLORS.placement, fontFamily: FONT },
        subtextStyle: { fontSize: 12, color: "#6c757d", fontFamily: FONT },
        itemGap: 2,
      },
      tooltip: Object.assign({}, base.tooltip, {
        trigger: "item",
        formatter: function (p) {
          return tip(p.name, [
            "<div>" + escapeHtml(p.value + " " + L.people + " · " + pct(p.data.rate, 2)) + "</div>",
          ], data.counted + " · " + data.asOf);
        },
      }),
      series: [
        {
          type: "pie",
          radius: ["34%", "54%"],
          center: ["50%", "50%"],
          avoidLabelOverlap: true,
          minShowLabelAngle: 8,
          itemStyle: { borderColor: "#fff", borderWidth: 1 },
          // Each slice names its destination ("10 签就业协议形式就业 17%"), wrapped to fit.
          label: {
            show: true,
            fontSize: 11,
            lineHeight: 14,
            width: 92,
            overflow: "break",
            formatter: function (p) {
              return p.name + " " + pct(p.data.rate, 0);
            },
          },
          labelLine: { length: 6, length2: 6 },
          data: colored,
        },
      ],
    }) });
  })();

  // --- responsive ---------------------------------------------------------------------------
  var pending = null;
  function resizeAll() {
    if (pending) {
      window.cancelAnimationFrame(pending);
    }
    pending = window.requestAnimationFrame(function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }
  window.addEventListener("resize", resizeAll);
  if (typeof window.ResizeObserver === "function") {
    var observer = new window.ResizeObserver(resizeAll);
    charts.forEach(function (chart) { observer.observe(chart.getDom()); });
  }
})();
