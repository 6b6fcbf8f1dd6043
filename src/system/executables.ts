import * as fs from "node:fs";
import * as path from "node:path";

/** True for a regular file this process may execute. */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable `command` in `directories` (a PATH, split), or undefined. */
export function findExecutable(command: string, directories: readonly string[]): string | undefined {
  return directories
    .filter((directory) => directory !== "")
    .map((directory) => path.join(directory, command))
    .find(isExecutable);
}
