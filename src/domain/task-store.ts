import type { Task, TaskStatus } from "./task";
import { heldBytes, LEGAL_TRANSITIONS, TASK_STATUSES } from "./task";

/** Fields a transition may set alongside the new status. */
export type TransitionPatch = Partial<Pick<Task, "startedAt" | "input" | "result" | "error" | "cancelReason">>;

export interface TaskStore {
  get(id: string): Task | undefined;
  create(task: Task): void;
  /** Moves a task along its lifecycle; throws on a move the lifecycle does not allow. */
  transition(id: string, to: TaskStatus, at: number, patch?: TransitionPatch): Task;
  delete(id: string): boolean;
  values(): IterableIterator<Task>;
  readonly size: number;
  /** bytes held by all tasks (see heldBytes) */
  readonly heldBytes: number;
  countByStatus(): Record<TaskStatus, number>;
}

export class IllegalTransition extends Error {
  constructor(id: string, from: TaskStatus | "missing", to: TaskStatus) {
    super(`task ${id}: illegal transition ${from} -> ${to}`);
  }
}

export class MapTaskStore implements TaskStore {
  private readonly tasks = new Map<string, Task>();
  /** bytes per task as last accounted, so the total is kept without rescanning */
  private readonly bytes = new Map<string, number>();
  private total = 0;
  private readonly counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;

  private account(task: Task) {
    const now = heldBytes(task);
    this.total += now - (this.bytes.get(task.id) ?? 0);
    this.bytes.set(task.id, now);
  }

  get(id: string) {
    return this.tasks.get(id);
  }

  create(task: Task) {
    if (this.tasks.has(task.id)) throw new Error(`task ${task.id} already exists`);
    this.tasks.set(task.id, task);
    this.counts[task.status]++;
    this.account(task);
  }

  transition(id: string, to: TaskStatus, at: number, patch: TransitionPatch = {}) {
    const task = this.tasks.get(id);
    if (!task) throw new IllegalTransition(id, "missing", to);
    if (!LEGAL_TRANSITIONS[task.status].includes(to)) throw new IllegalTransition(id, task.status, to);
    Object.assign(task, patch);
    this.counts[task.status]--;
    this.counts[to]++;
    task.status = to;
    task.updatedAt = at;
    this.account(task);
    return task;
  }

  delete(id: string) {
    const task = this.tasks.get(id);
    if (!task) return false;
    this.tasks.delete(id);
    this.counts[task.status]--;
    this.total -= this.bytes.get(id) ?? 0;
    this.bytes.delete(id);
    return true;
  }

  get heldBytes() {
    return this.total;
  }

  countByStatus() {
    return { ...this.counts };
  }

  values() {
    return this.tasks.values();
  }

  get size() {
    return this.tasks.size;
  }
}
