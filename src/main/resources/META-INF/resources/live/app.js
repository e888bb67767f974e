// The live page: one server-sent-event stream (/api/events) keeps everything current; the confusion matrix
// comes from /api/stats/confusion. Every number is text in the page's own DOM.
import { LineChart } from './chart.js';
import { startDrawing } from './draw.js';

const $ = id => document.getElementById(id);
const fixed = (x, digits = 3) => (x == null || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const loss = new LineChart($('chart-loss'), $('legend-loss'));
const accuracy = new LineChart($('chart-accuracy'), $('legend-accuracy'));
const gradients = new Map(); // model -> LineChart of its layers' weight-gradient norms
const latest = new Map();    // model -> its newest training-metrics record
let selected = null;         // the model whose layers and confusion matrix are shown
let confusionAsked = 0;
let digitsShown = -1;        // the sequence number of the newest misclassified digit shown

function onStatus(s) {
  $('serving').textContent = s.serving ?? '-';
  $('state').textContent = s.state;
  $('rate').textContent = Math.round(s.examplesPerSecond).toLocaleString('en');
  $('lag').textContent = String(s.lag);
  $('shard').textContent = s.mode === 'data-parallel' ? `${s.shard} (data-parallel)`
    : s.mode === 'replica' ? 'none (a predictor replica)' : 'one (single)';
  const serving = s.models.find(m => m.serving);
  $('checkpoint').textContent = serving?.lastCheckpoint ? `step ${serving.lastCheckpoint.step}, ${serving.lastCheckpoint.time}` : 'none yet';
  renderModels(s.models, s);
  if (Date.now() - confusionAsked > 2000) refreshConfusion();
}

function renderModels(models, s) {
  const rows = models.map(m => {
    const tr = document.createElement('tr');
    tr.dataset.model = m.model;
    tr.classList.toggle('serving', m.serving);
    const cells = [m.model, m.architecture, String(m.step), String(m.modelVersion), String(m.examplesTrained),
      fixed(m.prequentialAccuracy), fixed(m.windowAccuracy), fixed(latest.get(m.model)?.loss)];
    const names = ['model', 'architecture', 'step', 'modelVersion', 'examplesTrained', 'prequentialAccuracy',
      'windowAccuracy', 'loss'];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      td.className = names[i];
      tr.append(td);
    });
    return tr;
  });
  $('models').tBodies[0].replaceChildren(...rows);
  const select = $('model-select');
  const names = models.map(m => m.model);
  if ([...select.options].map(o => o.value).join() !== names.join()) {
    select.replaceChildren(...names.map(n => new Option(n, n)));
  }
  if (!names.includes(selected)) {
    selected = models.find(m => m.serving)?.model ?? names[0];
    if (latest.has(selected)) renderLayers(latest.get(selected));
  }
  select.value = selected;
  for (const m of models) accuracy.add(m.model, s.timestamp / 1000, m.windowAccuracy);
}

function onMetrics(m) {
  latest.set(m.model, m);
  addStep(m.model, m.timestamp, m.loss, m.layers.map(l => l.weightGradNorm));
  if (m.model === selected) renderLayers(m);
}

/** One step on the charts: the loss, and each layer's weight-gradient norm (dense1 first). */
function addStep(model, timestamp, lossValue, gradientNorms) {
  const t = timestamp / 1000;
  loss.add(model, t, lossValue);
  gradientChart(model);
  gradientNorms.forEach((g, i) => gradients.get(model).add(`dense${i + 1}`, t, g));
}

/** What each model did before the page opened: the service keeps it (thinned to a few hundred points). */
function onHistory(history) {
  for (const [model, h] of Object.entries(history)) {
    for (const s of h.steps) addStep(model, s.t, s.loss, s.weightGradNorms);
    for (const a of h.accuracy) accuracy.add(model, a.t / 1000, a.accuracy);
  }
}

function gradientChart(model) {
  if (!gradients.has(model)) {
    const figure = document.createElement('figure');
    figure.innerHTML = `<figcaption></figcaption><canvas width="360" height="160"></canvas><ul class="legend"></ul>`;
    figure.querySelector('figcaption').textContent = model;
    figure.querySelector('canvas').id = `gradients-${model}`;
    $('gradients').append(figure);
    gradients.set(model, new LineChart(figure.querySelector('canvas'), figure.querySelector('ul'), { log: true }));
  }
}

function renderLayers(m) {
  $('layers').tBodies[0].replaceChildren(...m.layers.map(l => {
    const tr = document.createElement('tr');
    for (const text of [l.name, l.weightGradNorm.toExponential(2), fixed(l.weightNorm, 2), fixed(l.deadFraction, 3),
      l.updateRatio == null ? '-' : l.updateRatio.toExponential(2)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
}

async function refreshConfusion() {
  confusionAsked = Date.now();
  if (!selected) return;
  const r = await fetch(`api/stats/confusion?model=${encodeURIComponent(selected)}`);
  if (!r.ok) return;
  const c = await r.json();
  const max = Math.max(1, ...c.matrix.flat());
  const head = document.createElement('tr');
  head.append(document.createElement('th'), ...c.labels.map(l => Object.assign(document.createElement('th'), { textContent: l })));
  const rows = c.matrix.map((row, i) => {
    const tr = document.createElement('tr');
    tr.append(Object.assign(document.createElement('th'), { textContent: c.labels[i] }));
    row.forEach((n, j) => {
      const td = document.createElement('td');
      td.textContent = String(n);
      const heat = Math.sqrt(n / max); // square root: the off-diagonal mistakes stay visible beside the diagonal
      td.style.background = i === j ? `rgba(42,122,59,${heat})` : `rgba(194,59,90,${heat})`;
      td.style.color = heat > 0.6 ? '#fff' : '';
      tr.append(td);
    });
    return tr;
  });
  $('confusion').replaceChildren(head, ...rows);
  $('confusion-total').textContent = String(c.total);
  $('confusion').dataset.model = c.model;
}

function onMisclassified(list) {
  const gallery = $('misclassified');
  for (const d of list) {
    if (d.seq <= digitsShown) continue; // the first state and the next tick may both carry it
    digitsShown = d.seq;
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    canvas.width = d.width;
    canvas.height = d.height;
    const image = canvas.getContext('2d').createImageData(d.width, d.height);
    const bytes = Uint8Array.from(atob(d.pixels), ch => ch.charCodeAt(0));
    bytes.forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
    canvas.getContext('2d').putImageData(image, 0, 0);
    const caption = document.createElement('figcaption');
    caption.textContent = `${d.label} → ${d.predicted}`;
    caption.title = `${d.id}: true ${d.label}, ${d.model} said ${d.predicted} (${fixed(d.confidence, 2)})`;
    figure.append(canvas, caption);
    gallery.prepend(figure);
  }
  while (gallery.children.length > 36) gallery.lastChild.remove();
}

function onTrainingEvents(list) {
  const shown = $('training-events');
  for (const e of list) {
    const li = document.createElement('li');
    li.textContent = `${new Date(e.timestamp).toLocaleTimeString()}  ${e.model}: ${e.type} after ${e.examples} examples (step ${e.step})`;
    shown.prepend(li);
  }
  while (shown.children.length > 10) shown.lastChild.remove();
}

/** A (re)connection starts from the service's state: what the page drew before is replaced, not repeated. */
function reset() {
  [loss, accuracy, ...gradients.values()].forEach(chart => chart.clear());
  latest.clear();
}

function connect() {
  const events = new EventSource('api/events');
  events.addEventListener('state', e => {
    const s = JSON.parse(e.data);
    reset();
    onHistory(s.history);
    onStatus(s.status);
    s.metrics.forEach(m => latest.set(m.model, m));
    if (latest.has(selected)) renderLayers(latest.get(selected));
    onMisclassified(s.misclassified);
  });
  events.addEventListener('status', e => onStatus(JSON.parse(e.data)));
  events.addEventListener('metrics', e => JSON.parse(e.data).forEach(onMetrics));
  events.addEventListener('training-events', e => onTrainingEvents(JSON.parse(e.data)));
  events.addEventListener('misclassified', e => onMisclassified(JSON.parse(e.data)));
  events.addEventListener('serving', e => { $('serving').textContent = JSON.parse(e.data).to; });
  events.onerror = () => { $('state').textContent = 'reconnecting'; };
}

$('model-select').addEventListener('change', e => {
  selected = e.target.value;
  if (latest.has(selected)) renderLayers(latest.get(selected));
  refreshConfusion();
});
startDrawing($('draw'), $('clear'), $('draw-predictions'));
connect();
