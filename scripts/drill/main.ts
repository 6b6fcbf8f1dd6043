// `npm run drill -- <instance|database> --env NAME [--yes]`: wires the drill
// command to the process (arguments, streams, Ctrl-C, exit code). Everything
// else lives in command.ts and the files it imports.
import { projectRoot } from "../../src/config/project-root";
import { runDrillCommand } from "../../src/drill/command";

/**
 * `npm run` forwards the terminal's SIGINT to the script, which also gets it
 * from the terminal: one Ctrl-C can arrive twice within milliseconds. Only a
 * SIGINT this long after the first counts as a second Ctrl-C.
 */
const REPEATED_INTERRUPT_MS = 1000;

const interrupt = new AbortController();
let firstInterruptAt: number | undefined;
process.on("SIGINT", () => {
  // The first Ctrl-C ends the drill cleanly (summary, exit 130); a later one means "now".
  if (firstInterruptAt === undefined) {
    firstInterruptAt = Date.now();
    interrupt.abort();
  } else if (Date.now() - firstInterruptAt > REPEATED_INTERRUPT_MS) {
    process.exit(130);
  }
});

runDrillCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: interrupt.signal,
  // npm runs scripts from the project root; INIT_CWD is where the user typed the command.
  cwd: process.env.INIT_CWD ?? process.cwd(),
  projectRoot: projectRoot(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`drill: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
