import { Elysia } from "elysia";
import { DomainError } from "../domain/errors";
import { isTerminal } from "../domain/task";
import type { Runner } from "../runner/runner";
import { Problem, TaskIdParams, TaskView } from "./model";
import { retryAfterSeconds, taskView } from "./task-view";

export function resultController(runner: Runner) {
  const find = (id: string) => {
    const task = runner.store.get(id);
    if (!task) throw new DomainError("task_not_found", "No task with this id (it may have expired).");
    return task;
  };
  return new Elysia({ name: "result", tags: ["Detection"] })
    .get(
      "/result/:id",
      ({ params, set }) => {
        const task = find(params.id);
        const view = taskView(task, runner);
        if (!isTerminal(task.status)) set.headers["retry-after"] = retryAfterSeconds(view);
        return view;
      },
      {
        params: TaskIdParams,
        response: { 200: TaskView, 404: Problem },
        detail: { summary: "Poll a task", description: "200 for any known task, whatever its status; 404 once unknown or expired." },
      },
    )
    .get(
      "/result/:id/image",
      ({ params }) => {
        const task = find(params.id);
        if (!isTerminal(task.status)) throw new DomainError("result_not_ready", `The task is ${task.status}; poll /result/${task.id}.`);
        const jpeg = task.result?.annotated;
        if (!jpeg) {
          throw new DomainError(
            "no_annotated_image",
            task.status === "failed" ? "The task failed; there is no image." : "The task ran with annotate=false.",
          );
        }
        return new Response(jpeg as Uint8Array<ArrayBuffer>, { headers: { "content-type": "image/jpeg", "cache-control": "private, max-age=300" } });
      },
      {
        params: TaskIdParams,
        detail: {
          summary: "The annotated image as JPEG bytes",
          responses: {
            200: { description: "JPEG", content: { "image/jpeg": { schema: { type: "string", format: "binary" } } } },
            404: { description: "Unknown task, or no image", content: { "application/problem+json": {} } },
            409: { description: "Not finished yet", content: { "application/problem+json": {} } },
          },
        },
      },
    );
}
