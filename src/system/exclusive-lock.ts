import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";

/** Who holds a lock, as written in its file. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** Unique per acquisition, so a holder is never mistaken for a later one with the same pid. */
  readonly token: string;
  /** When it was acquired (ISO 8601). */
  readonly since: string;
}

export interface ExclusiveLockOptions {
  /** How long to wait for another holder before giving up. @default 600000 (10 minutes) */
  readonly timeoutMs?: number;
  /** How often to look whether the holder is done. @default 100 */
  readonly pollMs?: number;
  /** Called once, when the lock is held by someone else and waiting starts. */
  readonly onWait?: (holder: LockHolder) => void;
}

/** The lock stayed held by someone else for the whole timeout. */
export class LockTimeoutError extends Error {
  override readonly name = "LockTimeoutError";
}

/** A takeover marker older than this belongs to a process that died inside the few microseconds a takeover takes. */
const ABANDONED_TAKEOVER_MS = 10_000;

/**
 * A lock between processes on one machine, as a file: whoever creates the
 * file holds the lock; the file names the holder. A holder that died without
 * releasing (killed, power loss) is recognised by its process being gone, and
 * its lock is taken over; a holder on another host sharing the folder is
 * never presumed dead, only waited for.
 *
 * The file is created in one step with its content (written beside it, then
 * hard-linked into place), so nobody ever reads a half-written holder. A dead
 * holder's file is removed only under a second file, `<file>.takeover`, and
 * only after reading it again there: while one process holds the takeover
 * marker and still sees the dead holder's token, nobody else can remove the
 * lock file and nobody can create it, so two waiters never both win.
 */
export class ExclusiveLock {
  private released = false;

  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {}

  static async acquire(file: string, options: ExclusiveLockOptions = {}): Promise<ExclusiveLock> {
    const timeoutMs = options.timeoutMs ?? 600_000;
    const pollMs = options.pollMs ?? 100;
    const holder: LockHolder = { pid: process.pid, hostname: os.hostname(), token: randomUUID(), since: new Date().toISOString() };
    const candidate = `${file}.${holder.token}`;
    fs.writeFileSync(candidate, JSON.stringify(holder));
    const deadline = Date.now() + timeoutMs;
    let waiting = false;
    try {
      for (;;) {
        try {
          fs.linkSync(candidate, file);
          return new ExclusiveLock(file, holder);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        }
        const current = readHolder(file);
        if (current === undefined) continue;
        if (isGone(current) && takeOver(file, current)) continue;
        if (Date.now() >= deadline) {
          throw new LockTimeoutError(
            `${file} is still held by process ${current.pid} on ${current.hostname} (since ${current.since}) after ${Math.round(timeoutMs / 1000)} s` +
              `; if that process is gone, delete the file`,
          );
        }
        if (!waiting) options.onWait?.(current);
        waiting = true;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    } finally {
      fs.rmSync(candidate, { force: true });
    }
  }

  /** Gives the lock up; only removes the file while it is still this holder's. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readHolder(this.file)?.token === this.holder.token) fs.rmSync(this.file, { force: true });
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as LockHolder;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`${file} is not a lock file this project wrote (${(error as Error).message}); delete it if no review is running`, {
      cause: error,
    });
  }
}

/** True when the holder ran on this machine and its process no longer exists. */
function isGone(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists and belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Removes the lock file of the dead holder `stale`, unless someone else
 * already did. False while another process is taking over: wait, then look again.
 */
function takeOver(file: string, stale: LockHolder): boolean {
  const marker = `${file}.takeover`;
  try {
    fs.writeFileSync(marker, String(process.pid), { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const age = Date.now() - (fs.statSync(marker, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > ABANDONED_TAKEOVER_MS) fs.rmSync(marker, { force: true });
    return false;
  }
  try {
    if (readHolder(file)?.token === stale.token) fs.rmSync(file, { force: true });
    return true;
  } finally {
    fs.rmSync(marker, { force: true });
  }
}
