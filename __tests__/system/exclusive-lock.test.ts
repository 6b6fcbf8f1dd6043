import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { ExclusiveLock, type LockHolder, LockTimeoutError } from "../../src/system/exclusive-lock";
import { PROJECT_ROOT } from "../support/stacks";

let scratch: string;
let lockFile: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-lock-"));
  lockFile = path.join(scratch, "review.lock");
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A lock file as another holder would have left it. */
function heldBy(holder: Partial<LockHolder>): LockHolder {
  const full: LockHolder = { pid: process.pid, hostname: os.hostname(), token: "someone-else", since: "2026-01-01T00:00:00.000Z", ...holder };
  fs.writeFileSync(lockFile, JSON.stringify(full));
  return full;
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync("true");
  expect(child.status).toBe(0);
  return child.pid;
}

describe("an exclusive lock", () => {
  it("names its holder in the lock file while held, and leaves nothing behind when released", async () => {
    const lock = await ExclusiveLock.acquire(lockFile);
    expect(JSON.parse(fs.readFileSync(lockFile, "utf8"))).toEqual({
      pid: process.pid,
      hostname: os.hostname(),
      token: lock.holder.token,
      since: lock.holder.since,
    });
    lock.release();
    expect(fs.readdirSync(scratch)).toStrictEqual([]);
  });

  it("lets one holder in at a time, the others in turn", async () => {
    const intervals: [number, number][] = [];
    const waits: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        const lock = await ExclusiveLock.acquire(lockFile, { pollMs: 5, onWait: (holder) => waits.push(holder.pid) });
        const start = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 30));
        intervals.push([start, performance.now()]);
        lock.release();
      }),
    );
    expect(intervals).toHaveLength(4);
    intervals.sort((a, b) => a[0] - b[0]);
    for (let index = 1; index < intervals.length; index++) expect(intervals[index][0]).toBeGreaterThanOrEqual(intervals[index - 1][1]);
    expect(waits).toEqual([process.pid, process.pid, process.pid]);
  });

  it("is held against another process: a child waits until this process releases it", async () => {
    const lock = await ExclusiveLock.acquire(lockFile);
    const child = lockingChild();
    await child.says("waiting for " + process.pid);
    lock.release();
    await child.says("holding");
    child.process.kill();
  });

  it("is taken over from a holder killed without releasing it", async () => {
    const child = lockingChild();
    await child.says("holding");
    const waitedFor: number[] = [];
    const next = ExclusiveLock.acquire(lockFile, { pollMs: 10, onWait: (holder) => waitedFor.push(holder.pid) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(waitedFor).toEqual([child.process.pid]);
    child.process.kill("SIGKILL");
    const lock = await next;
    expect(JSON.parse(fs.readFileSync(lockFile, "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("takes over the lock of a holder whose process is gone, without waiting", async () => {
    heldBy({ pid: deadPid() });
    const onWait = jest.fn();
    const lock = await ExclusiveLock.acquire(lockFile, { timeoutMs: 1000, onWait });
    expect(onWait).not.toHaveBeenCalled();
    expect(JSON.parse(fs.readFileSync(lockFile, "utf8")).token).toBe(lock.holder.token);
    lock.release();
  });

  it("waits for a live holder and gives up after the timeout with one line naming it", async () => {
    heldBy({ pid: process.ppid });
    const failure = ExclusiveLock.acquire(lockFile, { timeoutMs: 200, pollMs: 10 });
    await expect(failure).rejects.toThrow(LockTimeoutError);
    await expect(failure).rejects.toThrow(
      new RegExp(
        `^${lockFile.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is still held by process ${process.ppid}` +
          ` on ${os.hostname()} \\(since 2026-01-01T00:00:00\\.000Z\\)` +
          ` after 0 s; if that process is gone, delete the file$`,
      ),
    );
    expect(JSON.parse(fs.readFileSync(lockFile, "utf8")).token).toBe("someone-else");
  });

  it("never presumes a holder on another host dead", async () => {
    heldBy({ pid: deadPid(), hostname: "another-host" });
    await expect(ExclusiveLock.acquire(lockFile, { timeoutMs: 100, pollMs: 10 })).rejects.toThrow(/held by process \d+ on another-host/);
  });

  it("does not remove a lock that is no longer its own when released", async () => {
    const lock = await ExclusiveLock.acquire(lockFile);
    heldBy({ token: "the-next-holder" });
    lock.release();
    expect(JSON.parse(fs.readFileSync(lockFile, "utf8")).token).toBe("the-next-holder");
  });
});

/**
 * Another process taking the same lock with the same code: a Node child
 * running ExclusiveLock, bundled for it, that prints what it does and holds
 * the lock until it is killed.
 */
function lockingChild() {
  const bundle = path.join(scratch, "exclusive-lock.cjs");
  buildSync({
    entryPoints: [path.join(PROJECT_ROOT, "src", "system", "exclusive-lock.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    outfile: bundle,
    logLevel: "error",
  });
  const script = `
    const { ExclusiveLock } = require(${JSON.stringify(bundle)});
    ExclusiveLock.acquire(${JSON.stringify(lockFile)}, { pollMs: 10, onWait: (holder) => console.log("waiting for " + holder.pid) })
      .then(() => { console.log("holding"); setInterval(() => {}, 1000); });`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const lines: string[] = [];
  let notify = () => {};
  child.stdout.on("data", (chunk: Buffer) => {
    lines.push(...chunk.toString().split("\n").filter(Boolean));
    notify();
  });
  return {
    process: child,
    /** Resolves once the child printed `line`. */
    says: (line: string) =>
      new Promise<void>((resolve) => {
        notify = () => lines.includes(line) && resolve();
        notify();
      }),
  };
}
