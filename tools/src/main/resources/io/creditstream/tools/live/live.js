// The demo's live page: polls data.json from the demo every second and redraws. Local files only.
"use strict";

const COLORS = ["#1f77b4", "#d62728", "#2ca02c"];

function format(value, kind) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return "-";
  }
  if (kind === "percent") {
    return (100 * value).toFixed(1) + "%";
  }
  return Number.isInteger(value) ? value.toLocaleString("en") : value.toFixed(3);
}

// Draws series of [x, y] points on a canvas with axes; yMax fixes the scale (else the data's).
function draw(canvas, series, xLabel, yMax) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, left = 48, bottom = 24, top = 10, right = 10;
  ctx.clearRect(0, 0, w, h);
  const points = series.flat();
  canvas.dataset.points = String(points.length);
  if (points.length === 0) {
    return;
  }
  const xMax = Math.max(1, ...points.map(p => p[0]));
  const xMin = Math.min(...points.map(p => p[0]));
  const top_ = yMax !== undefined ? yMax : Math.max(1e-9, ...points.map(p => p[1]));
  const x = v => left + (w - left - right) * (xMax === xMin ? 1 : (v - xMin) / (xMax - xMin));
  const y = v => h - bottom - (h - bottom - top) * Math.min(1, Math.max(0, v / top_));
  ctx.strokeStyle = "#999";
  ctx.fillStyle = "#555";
  ctx.font = "11px sans-serif";
  ctx.beginPath();
  ctx.moveTo(left, top);
  ctx.lineTo(left, h - bottom);
  ctx.lineTo(w - right, h - bottom);
  ctx.stroke();
  for (let i = 0; i <= 4; i++) {
    const v = top_ * i / 4;
    ctx.fillText(v.toFixed(2), 4, y(v) + 4);
  }
  ctx.fillText(String(xMin), left, h - 6);
  ctx.fillText(String(xMax), w - right - 40, h - 6);
  ctx.fillText(xLabel, (w - ctx.measureText(xLabel).width) / 2, h - 6);
  series.forEach((points, i) => {
    ctx.strokeStyle = COLORS[i % COLORS.length];
    ctx.lineWidth = 2;
    ctx.beginPath();
    points.forEach((p, j) => (j === 0 ? ctx.moveTo(x(p[0]), y(p[1])) : ctx.lineTo(x(p[0]), y(p[1]))));
    ctx.stroke();
  });
}

async function refresh() {
  try {
    const response = await fetch("data.json", { cache: "no-store" });
    const data = await response.json();
    document.getElementById("estimator").textContent = "(" + data.estimator + ")";
    document.querySelectorAll("#figures td").forEach(td => {
      td.textContent = format(data[td.dataset.key], td.dataset.format);
    });
    draw(document.getElementById("curve"), [data.curve], "episodes", 1);
    draw(document.getElementById("credit"), [
      data.credit.map(p => [p[0], p[1]]),
      data.credit.map(p => [p[0], p[2]]),
      data.credit.map(p => [p[0], p[3]]),
    ], "seconds since the demo started");
    document.getElementById("status").textContent =
      "updated " + new Date().toLocaleTimeString() + " from the running demo";
  } catch (e) {
    document.getElementById("status").textContent = "the demo does not answer: " + e;
  }
}

refresh();
setInterval(refresh, 1000);
