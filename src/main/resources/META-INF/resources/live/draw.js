// The drawing canvas: a white stroke on black, as MNIST's digits are; on release the canvas goes as a PNG to
// /api/predict/all (the service makes it a 28x28 digit the way MNIST was made) and every model's
// probabilities appear as bars.

export function startDrawing(canvas, clearButton, out) {
  const ctx = canvas.getContext('2d');
  const clear = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, canvas.width, canvas.height); };
  clear();
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 18;
  ctx.lineCap = ctx.lineJoin = 'round';
  let drawing = false;
  const at = e => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
  };
  canvas.addEventListener('pointerdown', e => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.moveTo(...at(e));
  });
  canvas.addEventListener('pointermove', e => {
    if (!drawing) return;
    ctx.lineTo(...at(e));
    ctx.stroke();
  });
  canvas.addEventListener('pointerup', () => {
    drawing = false;
    canvas.toBlob(png => predict(png, out), 'image/png');
  });
  clearButton.addEventListener('click', () => { clear(); out.replaceChildren(); });
}

async function predict(png, out) {
  const r = await fetch('api/predict/all', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
  if (!r.ok) {
    out.textContent = `prediction failed: ${r.status}`;
    return;
  }
  const predictions = await r.json();
  out.replaceChildren(...predictions.map(p => {
    const row = document.createElement('div');
    row.className = 'prediction';
    row.dataset.model = p.model;
    const name = Object.assign(document.createElement('span'), { textContent: p.model, className: 'model' });
    const digit = Object.assign(document.createElement('strong'), { textContent: String(p.predicted), className: 'predicted' });
    digit.title = `confidence ${p.confidence.toFixed(3)}`;
    const bars = document.createElement('div');
    bars.className = 'bars';
    p.probabilities.forEach((q, d) => {
      const bar = document.createElement('span');
      bar.style.height = `${Math.max(2, q * 100)}%`;
      bar.title = `${d}: ${q.toFixed(3)}`;
      if (d === p.predicted) bar.className = 'top';
      bars.append(bar);
    });
    row.append(name, digit, bars);
    return row;
  }));
}
