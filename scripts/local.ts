// `npm run local [-- --env NAME | --walk | --step NAME] [--no-app]` and `npm run local:down`: wires the local
// deploy (src/emulator/local-command.ts) to the process: arguments, streams and the exit code.
import { projectRoot } from "../src/config/project-root";
import { exitWith, thisProcess } from "../src/system/command-process";
import { runLocalCommand } from "../src/emulator/local-command";

exitWith(runLocalCommand(process.argv.slice(2), { ...thisProcess(), projectRoot: projectRoot() }));
