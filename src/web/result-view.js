// A finished task's result on its card: the photo with one outlined box per
// detection (an SVG over the image, in the image's own pixels), the table of
// detections linked to the boxes both ways, a toggle per class, the annotated
// JPEG to download and the curl command that fetches the result.
import { $, svg } from "./dom.js";
import { PALETTE } from "./palette.js";

/** A class's colour: the annotated JPEG's own (the service serves its palette as palette.js). */
const colour = (classId) => PALETTE[classId % PALETTE.length];

function drawBoxes(card, detections, { width, height }) {
  const layer = $(".boxes", card);
  layer.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 300));
  const font = Math.max(12, Math.round(Math.max(width, height) / 45));
  layer.replaceChildren(
    ...detections.map((d, i) => {
      const { x1, y1, x2, y2 } = d.box;
      const group = svg("g", { "data-index": i, "data-class": d.class, tabindex: 0, role: "img", "aria-label": `${d.class} ${d.confidence.toFixed(2)}` });
      group.style.setProperty("--box", colour(d.class_id));
      group.append(
        svg("rect", { x: x1, y: y1, width: x2 - x1, height: y2 - y1, "stroke-width": stroke }),
        Object.assign(svg("text", { x: x1 + stroke, y: Math.max(font, y1 - stroke), "font-size": font }), { textContent: `${d.class} ${d.confidence.toFixed(2)}` }),
      );
      return group;
    }),
  );
  // The boxes are focusable and labelled, so the layer is no longer only decoration.
  layer.removeAttribute("aria-hidden");
}

function fillTable(card, detections) {
  $("tbody", card).replaceChildren(
    ...detections.map((d, i) => {
      const row = document.createElement("tr");
      row.dataset.index = String(i);
      row.dataset.class = d.class;
      row.tabIndex = 0;
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

/** Hovering or focusing a row or a box lights both up and dims the others. */
function linkRowsAndBoxes(card) {
  const layer = $(".boxes", card);
  const light = (index) => {
    layer.classList.toggle("has-hot", index !== undefined);
    for (const el of card.querySelectorAll(".boxes g, tbody tr")) el.classList.toggle("hot", el.dataset.index === index);
  };
  for (const el of card.querySelectorAll(".boxes g, tbody tr")) {
    el.addEventListener("pointerenter", () => light(el.dataset.index));
    el.addEventListener("focus", () => light(el.dataset.index));
    el.addEventListener("pointerleave", () => light(undefined));
    el.addEventListener("blur", () => light(undefined));
  }
}

/** `counts`: detections per class name. */
function classToggles(card, counts) {
  const set = $(".classes", card);
  const names = [...counts.keys()].sort();
  set.replaceChildren(set.querySelector("legend"));
  for (const name of names) {
    const label = document.createElement("label");
    const box = Object.assign(document.createElement("input"), { type: "checkbox", checked: true, value: name });
    box.addEventListener("change", () => {
      for (const row of card.querySelectorAll("tbody tr")) if (row.dataset.class === name) row.hidden = !box.checked;
      for (const g of card.querySelectorAll(".boxes g")) if (g.dataset.class === name) g.style.display = box.checked ? "" : "none";
    });
    label.append(box, ` ${name} (${counts.get(name)})`);
    set.append(label);
  }
  set.hidden = names.length === 0;
}

/** Shows `task`'s result; `photo` is the uploaded file, drawn under the boxes when the browser can show it. */
export function showResult(card, task, photo) {
  const { detections, image } = task.result;
  const result = $(".result", card);
  const img = $(".photo", card);
  const counts = new Map();
  for (const d of detections) counts.set(d.class, (counts.get(d.class) ?? 0) + 1);
  const names = [...counts.keys()];
  img.alt = names.length ? `The image, with boxes around: ${names.join(", ")}` : "The image; nothing was detected";
  // The annotated JPEG (boxes drawn in) when the browser cannot show the upload (TIFF, say).
  img.onerror = () => {
    img.onerror = null;
    img.src = task.links.image;
  };
  img.src = photo ? URL.createObjectURL(photo) : task.links.image;
  const { tiles } = task.result;
  const how = tiles ? `, the whole image and ${tiles.count} tiles of ${tiles.size} px` : "";
  $("figcaption", card).textContent = `${image.width}×${image.height} pixels, ${detections.length} object(s)${how}`;
  drawBoxes(card, detections, image);
  fillTable(card, detections);
  linkRowsAndBoxes(card);
  classToggles(card, counts);
  const download = $(".download", card);
  // No link when the task has no annotated image (annotate=false).
  download.hidden = !task.links.image;
  download.href = task.links.image ?? "";
  download.download = `${task.task_id}.jpg`;
  const command = `curl -s ${location.origin}${task.links.self}`;
  $(".curl code", card).textContent = command;
  $(".copy", card).onclick = async (e) => {
    try {
      await navigator.clipboard.writeText(command);
      e.target.textContent = "Copied";
    } catch {
      // No clipboard (an insecure origin): select the text for the visitor to copy.
      getSelection().selectAllChildren($(".curl code", card));
    }
  };
  result.hidden = false;
}
