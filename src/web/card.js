// One card per upload: its task followed over Server-Sent Events (polling if
// the stream fails) until it finishes, then its result.
import { $ } from "./dom.js";
import { showResult } from "./result-view.js";

const TERMINAL = new Set(["completed", "failed", "canceled"]);
/** The file each card uploaded, drawn under its boxes. */
const photos = new WeakMap();
let changed = () => {};

/** `onChange` hears every change of any card's state (the live panel counts this page's waiting tasks). */
export function onCardChange(listener) {
  changed = listener;
}

/** A card named `label` (a file's name, or the image's URL); `photo`, the file, when the page has the image itself. */
export function newCard(label, photo) {
  const card = $("#card-template").content.firstElementChild.cloneNode(true);
  $(".file-name", card).textContent = label;
  if (photo) photos.set(card, photo);
  $("#cards").prepend(card);
  return card;
}

export function setState(card, state, detail) {
  card.dataset.state = state;
  $(".badge", card).textContent = state;
  $(".detail", card).textContent = detail ?? "";
  changed();
}

function describe(task) {
  if (task.status === "pending") {
    const eta = task.eta_ms !== undefined ? `, about ${Math.max(1, Math.round(task.eta_ms / 1000))} s to go` : "";
    return `In the queue at position ${task.queue_position}${eta}.`;
  }
  if (task.status === "processing") return "Running the model…";
  if (task.status === "completed") return `${task.result.detections.length} object(s) found by ${task.result.model ?? "the model"} in ${Math.round(task.result.timings.total)} ms.`;
  if (task.status === "failed") return `Failed: ${task.error.message}`;
  if (task.status === "canceled") return task.cancel_reason === "shutdown" ? "Canceled: the service shut down." : "Canceled.";
  return "";
}

function render(card, task) {
  card.dataset.taskId = task.task_id;
  if (task.queue_position !== undefined) card.dataset.position = String(task.queue_position);
  else delete card.dataset.position;
  setState(card, task.status, describe(task));
  $(".task-id", card).textContent = `Task ${task.task_id}`;
  $(".cancel", card).hidden = TERMINAL.has(task.status);
  if (task.status === "completed" && card.dataset.shown !== task.task_id) {
    card.dataset.shown = task.task_id;
    showResult(card, task, photos.get(card));
  }
}

/** The problem+json title and detail, or a plain line when the body is something else. */
export async function problemText(res) {
  try {
    const problem = await res.json();
    return `${problem.title ?? `HTTP ${res.status}`}: ${problem.detail ?? ""}`.trim();
  } catch {
    return `HTTP ${res.status}`;
  }
}

export function follow(card, task) {
  render(card, task);
  if (TERMINAL.has(task.status)) return;
  const events = new EventSource(`/result/${task.task_id}/events`);
  let done = false;
  for (const status of ["pending", "processing", ...TERMINAL]) {
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
