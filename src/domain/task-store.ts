import type { Task, TaskStatus } from "./task";
import { LEGAL_TRANSITIONS } from "./task";

/** Fields a transition may set alongside the new status. */
export type TransitionPatch = Partial<Pick<Task, "startedAt" | "input" | "result" | "error">>;

export interface TaskStore {
  get(id: string): Task | undefined;
  create(task: Task): void;
  /** Moves a task along its lifecycle; throws on a move the lifecycle does not allow. */
  transition(id: string, to: TaskStatus, at: number, patch?: TransitionPatch): Task;
  delete(id: string): boolean;
  values(): IterableIterator<Task>;
  readonly size: number;
}

export class IllegalTransition extends Error {
  constructor(id: string, from: TaskStatus | "missing", to: TaskStatus) {
    super(`task ${id}: illegal transition ${from} -> ${to}`);
  }
}

export class MapTaskStore implements TaskStore {
  private readonly tasks = new Map<string, Task>();

  get(id: string) {
    return this.tasks.get(id);
  }

  create(task: Task) {
    if (this.tasks.has(task.id)) throw new Error(`task ${task.id} already exists`);
    this.tasks.set(task.id, task);
  }

  transition(id: string, to: TaskStatus, at: number, patch: TransitionPatch = {}) {
    const task = this.tasks.get(id);
    if (!task) throw new IllegalTransition(id, "missing", to);
    if (!LEGAL_TRANSITIONS[task.status].includes(to)) throw new IllegalTransition(id, task.status, to);
    Object.assign(task, patch);
    task.status = to;
    task.updatedAt = at;
    return task;
  }

  delete(id: string) {
    return this.tasks.delete(id);
  }

  values() {
    return this.tasks.values();
  }

  get size() {
    return this.tasks.size;
  }
}
