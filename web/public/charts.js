// Chart helpers shared by the views, over Chart.js (web/node_modules/chart.js, served as
// /vendor/chart.umd.js). A view hands over labelled series; the helpers pick colors, draw
// confidence bands and report clicks as (bucket index, series index).
//
// Charts made here are tracked so that a view change destroys them all (destroyAll()).
const Chart = window.Chart;

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2',
  '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

const live = new Set();

export function available() {
  return typeof Chart === 'function';
}

export function destroyAll() {
  for (const c of live) c.destroy();
  live.clear();
}

function alpha(hex, a) {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

// Points are drawn only when there are few; hovering and clicking still find the nearest.
const pointRadius = (labels) => (labels.length > 60 ? 0 : 2);

function make(canvas, config, onClick) {
  const chart = new Chart(canvas, config);
  if (onClick) {
    // The bucket under the pointer, and of the series there the one nearest to it vertically
    // (confidence bands are not series).
    chart.options.onClick = (evt) => {
      const els = chart.getElementsAtEventForMode(evt, 'index', { intersect: false }, false)
        .filter((e) => {
          const d = chart.data.datasets[e.datasetIndex];
          return d.seriesIndex !== undefined && d.data[e.index] !== null;
        });
      if (!els.length) return;
      const hit = els.reduce((a, e) => (Math.abs(e.element.y - evt.y) <
        Math.abs(a.element.y - evt.y) ? e : a));
      onClick(hit.index, chart.data.datasets[hit.datasetIndex].seriesIndex);
    };
    chart.options.onHover = (evt, elements) => {
      evt.native.target.style.cursor = elements.length ? 'pointer' : 'default';
    };
    chart.update('none');
  }
  live.add(chart);
  return chart;
}

function baseOptions(yTitle, { yMin, yMax, stacked = false } = {}) {
  return {
    animation: false,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', intersect: false },
    plugins: {
      legend: {
        position: 'bottom',
        labels: { boxWidth: 12, filter: (item, data) => !data.datasets[item.datasetIndex].band },
      },
      tooltip: {
        filter: (item) => !item.dataset.band,
      },
    },
    scales: {
      x: { stacked, ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 16, maxTicksLimit: 6 } },
      y: { stacked, min: yMin, max: yMax, beginAtZero: true, title: { display: !!yTitle, text: yTitle } },
    },
  };
}

// A quality chart: per series, the mean per bucket and its confidence band.
// series: [{label, mean: [..], low: [..], high: [..]}] aligned with `labels` (null = no data).
export function bandChart(canvas, { labels, series, yTitle = 'score', yMin = 0, yMax = 1, onClick }) {
  const datasets = [];
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    datasets.push({ label: `${s.label} low`, data: s.low, band: true, borderWidth: 0,
      pointRadius: 0, fill: false, spanGaps: false });
    datasets.push({ label: `${s.label} 95% CI`, data: s.high, band: true, borderWidth: 0,
      pointRadius: 0, fill: '-1', backgroundColor: alpha(color, 0.15), spanGaps: false });
    datasets.push({ label: s.label, data: s.mean, seriesIndex: i, borderColor: color,
      backgroundColor: color, pointRadius: pointRadius(labels), borderWidth: 2, tension: 0.2,
      spanGaps: false });
  });
  return make(canvas, { type: 'line', data: { labels, datasets },
    options: baseOptions(yTitle, { yMin, yMax }) }, onClick);
}

// Lines, one per series: [{label, data: [..]}].
export function lineChart(canvas, { labels, series, yTitle, onClick, yMax }) {
  const datasets = series.map((s, i) => ({
    label: s.label, data: s.data, seriesIndex: i,
    borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length],
    pointRadius: pointRadius(labels), borderWidth: 2, tension: 0.2, spanGaps: false,
  }));
  return make(canvas, { type: 'line', data: { labels, datasets },
    options: baseOptions(yTitle, { yMax }) }, onClick);
}

// Stacked bars, one stack part per series: [{label, data: [..]}].
export function barChart(canvas, { labels, series, yTitle, onClick }) {
  const datasets = series.map((s, i) => ({
    label: s.label, data: s.data, seriesIndex: i,
    backgroundColor: alpha(PALETTE[i % PALETTE.length], 0.6),
  }));
  const options = baseOptions(yTitle, { stacked: true });
  options.plugins.legend.display = false;  // The chart above it names the series.
  return make(canvas, { type: 'bar', data: { labels, datasets }, options }, onClick);
}

// A canvas in a sized box, with an accessible name.
export function canvasBox(label, className = 'chart-box') {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  const box = document.createElement('div');
  box.className = className;
  box.append(canvas);
  return { box, canvas };
}
