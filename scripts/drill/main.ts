// `npm run drill -- <instance|database> --env NAME [--yes]`: wires the drill
// command to the process (arguments, streams, Ctrl-C, exit code). Everything
// else lives in command.ts and the files it imports.
import { projectRoot } from "../../src/config/project-root";
import { runDrillCommand } from "./command";

const interrupt = new AbortController();
process.on("SIGINT", () => {
  // The first Ctrl-C ends the drill cleanly (summary, exit 130); a second one means "now".
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
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
