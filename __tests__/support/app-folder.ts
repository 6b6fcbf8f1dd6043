import * as fs from "node:fs";
import * as path from "node:path";
import { APP_DIRECTORY } from "./run-php";

/** A copy of app/ under `scratch` that a test may change. */
export function copyOfApp(scratch: string, name: string): string {
  const copy = path.join(scratch, name);
  fs.cpSync(APP_DIRECTORY, copy, { recursive: true });
  return copy;
}

/** Every file under a folder, "/"-separated and sorted. */
export function filesUnder(directory: string): string[] {
  return (fs.readdirSync(directory, { recursive: true }) as string[])
    .filter((name) => fs.statSync(path.join(directory, name)).isFile())
    .map((name) => name.split(path.sep).join("/"))
    .sort();
}
