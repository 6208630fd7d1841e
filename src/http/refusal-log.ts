import type { Clock } from "../domain/clock";
import { type ErrorCode, UPLOAD_REFUSALS } from "../domain/errors";
import type { Logger } from "../util/logger";
import { statusOf } from "./problem";

/** How long the refusals of one code after its first are counted before they are logged as one line. */
export const REFUSAL_LOG_WINDOW_MS = 10_000;

const LOGGED: ReadonlySet<ErrorCode> = new Set(UPLOAD_REFUSALS);

/**
 * Every refused upload reaches the log, without a line per refusal under a
 * flood: the first refusal of a code is logged at once, and the ones after it
 * within REFUSAL_LOG_WINDOW_MS are counted and logged as one line when the
 * window ends. So a flood of 429s costs two lines per code every ten seconds,
 * and a lone refusal shows the moment it happens.
 */
export class RefusalLog {
  private readonly open = new Map<ErrorCode, { suppressed: number; clients: Set<string> }>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  note(code: ErrorCode, client?: string): void {
    if (!LOGGED.has(code)) return;
    const window = this.open.get(code);
    if (window) {
      window.suppressed++;
      // The distinct clients behind a flood, a few of them: enough to tell one client from many.
      if (client && window.clients.size < 100) window.clients.add(client);
      return;
    }
    this.log.info("upload refused", { code, status: statusOf(code), ...(client ? { client } : {}) });
    this.clock.setTimeout(() => this.close(code), REFUSAL_LOG_WINDOW_MS);
    this.open.set(code, { suppressed: 0, clients: new Set() });
  }

  /** Logs what the window counted (nothing when it counted none), so the next refusal is logged at once again. */
  private close(code: ErrorCode) {
    const window = this.open.get(code);
    this.open.delete(code);
    if (!window?.suppressed) return;
    this.log.info("uploads refused", { code, status: statusOf(code), count: window.suppressed, clients: window.clients.size, window_s: REFUSAL_LOG_WINDOW_MS / 1000 });
  }
}
