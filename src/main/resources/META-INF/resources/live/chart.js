// A small line chart on a canvas: one series per name, x = time, y linear or log10. Points are kept (the last
// 600 per series) and redrawn on add; the canvas's data-points attribute counts every point received.

export const COLORS = ['#4b7bec', '#e1703c', '#2a7a3b', '#a04bd1', '#c23b5a', '#1aa3a3', '#8a7b2e', '#555'];

export class LineChart {
  constructor(canvas, legend, { log = false } = {}) {
    this.canvas = canvas;
    this.legend = legend;
    this.log = log;
    this.series = new Map();
    this.received = 0;
  }

  add(name, x, y) {
    if (y == null || !Number.isFinite(y) || (this.log && y <= 0)) return;
    if (!this.series.has(name)) {
      this.series.set(name, { color: COLORS[this.series.size % COLORS.length], points: [] });
      this.renderLegend();
    }
    const points = this.series.get(name).points;
    points.push([x, this.log ? Math.log10(y) : y]);
    if (points.length > 600) points.shift();
    this.received++;
    this.canvas.dataset.points = String(this.received);
    this.scheduleDraw();
  }

  /** Forgets every point (the page reconnected and gets the whole history again). */
  clear() {
    for (const s of this.series.values()) s.points.length = 0;
    this.scheduleDraw();
  }

  renderLegend() {
    if (!this.legend) return;
    this.legend.replaceChildren(...[...this.series].map(([name, s]) => {
      const li = document.createElement('li');
      li.textContent = name;
      li.style.setProperty('--color', s.color);
      return li;
    }));
  }

  scheduleDraw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.draw(); });
  }

  draw() {
    const { canvas, log } = this, ctx = canvas.getContext('2d');
    const all = [...this.series.values()].flatMap(s => s.points);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (all.length === 0) return;
    const xs = all.map(p => p[0]), ys = all.map(p => p[1]);
    let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    if (log) { y0 = Math.floor(y0); y1 = Math.ceil(y1); }
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) y1 = y0 + 1;
    const pad = 34, w = canvas.width - pad - 6, h = canvas.height - 18;
    const px = x => pad + (x - x0) / (x1 - x0) * w, py = y => 6 + (1 - (y - y0) / (y1 - y0)) * (h - 6);
    ctx.strokeStyle = '#e3e6ec';
    ctx.fillStyle = '#6b7385';
    ctx.font = '11px system-ui';
    const ticks = log ? Math.min(8, y1 - y0) : 4;
    const digits = y1 - y0 < 0.05 ? 3 : 2; // a narrow range needs a third decimal to tell its ticks apart
    for (let i = 0; i <= ticks; i++) {
      const y = y0 + (y1 - y0) * i / ticks;
      ctx.beginPath(); ctx.moveTo(pad, py(y)); ctx.lineTo(pad + w, py(y)); ctx.stroke();
      ctx.fillText(log ? `1e${Math.round(y)}` : y.toFixed(digits), 0, py(y) + 4);
    }
    for (const s of this.series.values()) {
      ctx.strokeStyle = ctx.fillStyle = s.color;
      if (s.points.length === 1) { // a line needs two points: one is a dot
        ctx.fillRect(px(s.points[0][0]) - 2, py(s.points[0][1]) - 2, 4, 4);
        continue;
      }
      ctx.beginPath();
      s.points.forEach(([x, y], i) => i ? ctx.lineTo(px(x), py(y)) : ctx.moveTo(px(x), py(y)));
      ctx.stroke();
    }
  }
}
