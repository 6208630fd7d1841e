/**
 * Upload an image, follow its task to the end and print the detections, with
 * openapi-fetch typed by api.d.ts (generated from the service's OpenAPI
 * document: `bun run client:types`).
 *
 *   bun clients/typescript/detect.ts dog.jpg [http://localhost:7860]
 *
 * With API_KEY in the environment, the key is sent as a Bearer token.
 */
import createClient from "openapi-fetch";
import type { paths } from "./api";

const [path, baseUrl = "http://localhost:7860"] = process.argv.slice(2);
if (!path) {
  console.error("usage: bun clients/typescript/detect.ts <image> [base-url]");
  process.exit(2);
}

const client = createClient<paths>({
  baseUrl,
  headers: process.env.API_KEY ? { authorization: `Bearer ${process.env.API_KEY}` } : {},
});

const upload = await client.POST("/predict", {
  params: { query: { annotate: false } },
  // The document types the binary part as a string; the form is built here, with the file as a Blob.
  body: { file: "" },
  bodySerializer: () => {
    const form = new FormData();
    form.append("file", Bun.file(path), path.split("/").pop());
    return form;
  },
});
if (upload.error) throw new Error(`upload refused: ${upload.error.code}: ${upload.error.detail}`);

// One image answers its task (several would answer {"tasks": [...]}).
let task = "tasks" in upload.data ? upload.data.tasks[0] : upload.data;
let last = upload.response;
while (task.status === "pending" || task.status === "processing") {
  // Poll when the last answer's Retry-After says news is expected (whole seconds; at least 1).
  await Bun.sleep(Math.max(1, Number(last.headers.get("retry-after")) || 1) * 1000);
  const poll = await client.GET("/result/{id}", { params: { path: { id: task.task_id } } });
  if (poll.error) throw new Error(`poll failed: ${poll.error.code}: ${poll.error.detail}`);
  task = poll.data;
  last = poll.response;
}

if (task.status !== "completed" || !task.result) {
  console.error(`task ${task.task_id} ${task.status}${task.error ? `: ${task.error.code}: ${task.error.message}` : ""}`);
  process.exit(1);
}
console.log(`task ${task.task_id} completed: ${task.result.detections.length} detections`);
for (const d of task.result.detections) {
  const { x1, y1, x2, y2 } = d.box;
  console.log(`${d.class} ${(d.confidence * 100).toFixed(0)}% [${[x1, y1, x2, y2].map(Math.round).join(", ")}]`);
}
