// The demo page: uploads each picked or dropped image (or a burst of copies of
// the last one) and follows its task on a card; the live panel shows the queue.
import { follow, newCard, onCardChange, problemText, setState } from "./card.js";
import { $ } from "./dom.js";
import { refreshShare, startPanel } from "./panel.js";


function knob(id) {
  const input = $(`#${id}`);
  const output = $(`#${id}-value`);
  input.addEventListener("input", () => { output.value = Number(input.value).toFixed(2); });
  return () => input.value;
}
const conf = knob("conf");
const iou = knob("iou");

/** The service's models (GET /models), by name, as last read. */
let models = new Map();
const modelSelect = $("#model");

function describeModel() {
  const info = $("#model-info");
  const model = models.get(modelSelect.value);
  if (!model) return;
  const size = model.input_size ? `, input ${model.input_size.width}×${model.input_size.height}, ${model.classes.length} classes` : "";
  info.textContent = `Model ${model.name}${size}` + (model.loaded ? "" : " (not loaded yet…)");
}

async function showModels() {
  try {
    const list = (await (await fetch("/models")).json()).models;
    models = new Map(list.map((m) => [m.name, m]));
    // Options are rebuilt only when the names change, so a choice made meanwhile is kept.
    const names = list.map((m) => m.name).join(",");
    if (modelSelect.dataset.names !== names) {
      modelSelect.dataset.names = names;
      const chosen = modelSelect.value;
      modelSelect.replaceChildren(...list.map((m) => new Option(m.default ? `${m.name} (default)` : m.name, m.name, m.default, chosen ? chosen === m.name : m.default)));
    }
    describeModel();
    if (list.some((m) => !m.loaded)) setTimeout(showModels, 1000);
  } catch {
    $("#model-info").textContent = "The service does not answer.";
    setTimeout(showModels, 2000);
  }
}
modelSelect.addEventListener("change", describeModel);

/** Sends one image, a picked file or an address the service fetches, and follows its task on a new card. */
async function upload({ file, url }) {
  const card = newCard(file ? file.name : url, file);
  const form = new FormData();
  if (file) form.append("file", file);
  else form.append("url", url);
  if (modelSelect.value) form.append("model", modelSelect.value);
  form.append("conf", conf());
  form.append("iou", iou());
  form.append("tile", $("#tile").value);
  let res;
  try {
    res = await fetch("/predict", { method: "POST", body: form });
  } catch {
    return setState(card, "rejected", "The upload did not reach the service.");
  }
  if (res.status !== 201 && res.status !== 200) return setState(card, "rejected", await problemText(res));
  follow(card, await res.json());
}

/** The image a burst sends: the last one picked or dropped. */
let lastFile;
const burstButton = $("#burst");
const burstCount = $("#burst-count");
// Within the input's own min and max (index.html).
const copies = () => Math.min(Number(burstCount.max), Math.max(Number(burstCount.min), Math.round(Number(burstCount.value) || 1)));
burstCount.addEventListener("input", () => {
  // Past its range the box takes the count it will send, so the box and the button never disagree.
  const n = copies();
  if (burstCount.value !== "" && Number(burstCount.value) !== n) burstCount.value = String(n);
  burstButton.textContent = `Send ${n} copies`;
});
burstButton.addEventListener("click", () => {
  const n = copies();
  for (let i = 0; i < n; i++) upload({ file: lastFile });
});

function uploadAll(files) {
  if (files.length === 0) return;
  lastFile = files.at(-1);
  burstButton.disabled = false;
  $("#burst-hint").textContent = `A burst sends ${lastFile.name} again.`;
  for (const file of files) upload({ file });
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

// An image's address: the service fetches it (public addresses only).
const urlForm = $("#url-form");
urlForm.addEventListener("submit", (e) => {
  e.preventDefault();
  const field = $("#image-url");
  upload({ url: field.value.trim() });
  field.value = "";
});

onCardChange(refreshShare);
startPanel(() => document.querySelectorAll('#cards .card[data-state="pending"]').length);
showModels();
