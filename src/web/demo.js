// The demo page: uploads each picked or dropped image, then follows its task
// over Server-Sent Events (polling if the stream fails) until it finishes.
const $ = (selector, root = document) => root.querySelector(selector);
const cards = $("#cards");
const template = $("#card-template");
const TERMINAL = new Set(["completed", "failed", "canceled"]);

function knob(id) {
  const input = $(`#${id}`);
  const output = $(`#${id}-value`);
  input.addEventListener("input", () => { output.value = Number(input.value).toFixed(2); });
  return () => input.value;
}
const conf = knob("conf");
const iou = knob("iou");

async function showModel() {
  const info = $("#model-info");
  try {
    const res = await fetch("/health");
    const health = await res.json();
    if (health.model) {
      const { name, input_size: size, classes } = health.model;
      info.textContent = `Model ${name}, input ${size.width}×${size.height}, ${classes} classes` + (res.ok ? "" : " (starting…)");
    }
    if (!res.ok) setTimeout(showModel, 1000);
  } catch {
    info.textContent = "The service does not answer.";
    setTimeout(showModel, 2000);
  }
}

function newCard(file) {
  const card = template.content.firstElementChild.cloneNode(true);
  $(".file-name", card).textContent = file.name;
  cards.prepend(card);
  return card;
}

function setState(card, state, detail) {
  card.dataset.state = state;
  $(".badge", card).textContent = state;
  $(".detail", card).textContent = detail ?? "";
}

function describe(task) {
  if (task.status === "pending") {
    const eta = task.eta_ms !== undefined ? `, about ${Math.max(1, Math.round(task.eta_ms / 1000))} s to go` : "";
    return `In the queue at position ${task.queue_position}${eta}.`;
  }
  if (task.status === "processing") return "Running the model…";
  if (task.status === "completed") return `${task.result.detections.length} object(s) found in ${Math.round(task.result.timings.total)} ms.`;
  if (task.status === "failed") return `Failed: ${task.error.message}`;
  if (task.status === "canceled") return task.cancel_reason === "shutdown" ? "Canceled: the service shut down." : "Canceled.";
  return "";
}

function render(card, task) {
  setState(card, task.status, describe(task));
  card.dataset.taskId = task.task_id;
  if (task.queue_position !== undefined) card.dataset.position = String(task.queue_position);
  else delete card.dataset.position;
  $(".task-id", card).textContent = `Task ${task.task_id}`;
  const cancel = $(".cancel", card);
  cancel.hidden = TERMINAL.has(task.status);
  if (task.status === "completed") showResult(card, task);
}

function showResult(card, task) {
  const { detections } = task.result;
  const figure = $("figure", card);
  const names = [...new Set(detections.map((d) => d.class))];
  const img = $("img", figure);
  img.alt = names.length ? `Annotated image with boxes around: ${names.join(", ")}` : "The image; nothing was detected";
  img.src = task.links.image;
  $("figcaption", figure).textContent = `${task.result.image.width}×${task.result.image.height} pixels`;
  figure.hidden = false;
  const body = $("tbody", card);
  body.replaceChildren(
    ...detections.map((d) => {
      const row = document.createElement("tr");
      const box = [d.box.x1, d.box.y1, d.box.x2, d.box.y2].map((v) => Math.round(v)).join(", ");
      for (const text of [d.class, d.confidence.toFixed(2), box]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }),
  );
  $("table", card).hidden = detections.length === 0;
}

/** The problem+json title and detail, or a plain line when the body is something else. */
async function problemText(res) {
  try {
    const problem = await res.json();
    return `${problem.title ?? `HTTP ${res.status}`}: ${problem.detail ?? ""}`.trim();
  } catch {
    return `HTTP ${res.status}`;
  }
}

function follow(card, task) {
  render(card, task);
  if (TERMINAL.has(task.status)) return;
  const events = new EventSource(`/result/${task.task_id}/events`);
  let done = false;
  for (const status of ["pending", "processing", "completed", "failed", "canceled"]) {
    events.addEventListener(status, (e) => {
      const update = JSON.parse(e.data);
      render(card, update);
      if (TERMINAL.has(update.status)) {
        done = true;
        events.close();
      }
    });
  }
  events.onerror = () => {
    events.close();
    if (!done) poll(card, task.task_id);
  };
  $(".cancel", card).onclick = () => cancel(card, task.task_id);
}

async function poll(card, id) {
  const res = await fetch(`/result/${id}`);
  if (!res.ok) return setState(card, "failed", await problemText(res));
  const task = await res.json();
  render(card, task);
  if (!TERMINAL.has(task.status)) setTimeout(() => poll(card, id), 1000 * Number(res.headers.get("retry-after") ?? 1));
}

async function cancel(card, id) {
  const res = await fetch(`/result/${id}/cancel`, { method: "POST" });
  if (res.ok) render(card, await res.json());
  else $(".detail", card).textContent = await problemText(res);
}

async function upload(file) {
  const card = newCard(file);
  const form = new FormData();
  form.append("file", file);
  form.append("conf", conf());
  form.append("iou", iou());
  let res;
  try {
    res = await fetch("/predict", { method: "POST", body: form });
  } catch {
    return setState(card, "rejected", "The upload did not reach the service.");
  }
  if (res.status !== 201 && res.status !== 200) return setState(card, "rejected", await problemText(res));
  follow(card, await res.json());
}

function uploadAll(files) {
  for (const file of files) upload(file);
}

const input = $("#file-input");
input.addEventListener("change", () => {
  uploadAll([...input.files]);
  input.value = "";
});
// The native file input stays the keyboard's way in; the zone around it takes drops.
const zone = $("#drop-zone");
zone.addEventListener("dragover", (e) => {
  e.preventDefault();
  zone.classList.add("over");
});
zone.addEventListener("dragleave", () => zone.classList.remove("over"));
zone.addEventListener("drop", (e) => {
  e.preventDefault();
  zone.classList.remove("over");
  uploadAll([...e.dataTransfer.files]);
});

showModel();
