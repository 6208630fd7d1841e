// The live panel: the service's counts from GET /events (Server-Sent Events),
// drawn as numbers, one tile per inference worker and a one-minute chart.
import { $, svg } from "./dom.js";

const STATUSES = ["pending", "processing", "completed", "failed", "canceled"];
const RETRY_MS = 5000;

/** Tasks of this page still waiting, so the panel can say what share of the turns is the visitor's. */
let ownWaiting = () => 0;
let last;

function drawWorkers({ total, warm, busy }) {
  const list = $("#workers");
  const tiles = [];
  for (let i = 0; i < total; i++) {
    const tile = document.createElement("li");
    const state = i < busy ? "busy" : i < warm ? "idle" : "starting";
    tile.dataset.state = state;
    tile.textContent = `Worker ${i + 1}: ${state}`;
    tiles.push(tile);
  }
  list.replaceChildren(...tiles);
}

function drawChart(series) {
  const chart = $("#chart");
  const peak = Math.max(1, ...series);
  const width = 240 / series.length;
  chart.replaceChildren(
    ...series.map((count, i) => {
      const height = (count / peak) * 60;
      return svg("rect", { x: i * width + 0.5, width: Math.max(0.5, width - 1), y: 64 - height, height });
    }),
  );
  const total = series.reduce((a, b) => a + b, 0);
  chart.dataset.total = String(total);
  chart.setAttribute("aria-label", `${total} images finished in the last minute, at most ${peak} in one second`);
}

function drawShare(clients) {
  const mine = ownWaiting();
  $("#share").textContent =
    mine === 0
      ? "You have nothing waiting. Clients take turns: each client with images waiting gets the next free worker in turn."
      : clients <= 1
        ? `You have ${mine} waiting, and you are the only client waiting: every turn is yours.`
        : `You have ${mine} waiting among ${clients} clients: one turn in ${clients} is yours, however many the others sent.`;
}

function draw(stats) {
  last = stats;
  const depth = $("#queue-depth");
  depth.textContent = String(stats.queue_depth);
  depth.dataset.value = String(stats.queue_depth);
  $("#running").textContent = String(stats.workers.busy);
  // Two decimals below 10: one image in the last minute is 0.02 a second, which one decimal shows as 0.0 beside a bar.
  const rate = stats.images_per_second;
  $("#rate").textContent = rate > 0 && rate < 10 ? rate.toFixed(2) : rate.toFixed(1);
  $("#clients").textContent = String(stats.clients_waiting);
  $("#tasks-by-status").textContent = STATUSES.filter((s) => stats.tasks[s] !== undefined)
    .map((s) => `${s} ${stats.tasks[s]}`)
    .join(" · ");
  drawWorkers(stats.workers);
  drawChart(stats.throughput);
  drawShare(stats.clients_waiting);
}

function connect() {
  const events = new EventSource("/events");
  events.addEventListener("open", () => ($("#live-status").textContent = "Live: the service's counts, as they change."));
  events.addEventListener("stats", (e) => draw(JSON.parse(e.data)));
  events.addEventListener("error", () => {
    // A refused stream (503: too many listeners, or shutting down) is not retried by EventSource itself.
    if (events.readyState === EventSource.CLOSED) {
      $("#live-status").textContent = "Live counts unavailable for now; retrying…";
      setTimeout(connect, RETRY_MS);
    }
  });
}

/** Starts the panel; `waiting` tells how many of this page's tasks are still in the queue. */
export function startPanel(waiting) {
  ownWaiting = waiting;
  connect();
}

/** The page's own tasks changed: say the share again with the last counts. */
export function refreshShare() {
  if (last) drawShare(last.clients_waiting);
}
