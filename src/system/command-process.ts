/** The process a command runs in: where it prints, the folder it was started from, its variables. */
export interface CommandProcess {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Where paths in messages are relative to. */
  readonly cwd: string;
  readonly variables: NodeJS.ProcessEnv;
}

/** This process, for an entry point in scripts/ to hand its command. */
export function thisProcess(): CommandProcess {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), variables: process.env };
}

/** Sets the process's exit code to the one the command ends with; an error it has no words for stays unhandled, so Node prints its stack and exits with 1. */
export function exitWith(command: Promise<number>): void {
  void command.then((code) => {
    process.exitCode = code;
  });
}
