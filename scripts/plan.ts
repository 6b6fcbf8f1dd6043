// `npm run plan [-- --env NAME] [--live [--lock=false]] [--format markdown] [--compare ENV] [--json] [--verbose]`:
// wires the plan review (src/terraform/plan-command.ts) to the process: arguments, streams and the exit code.
import { projectRoot } from "../src/config/project-root";
import { exitWith, thisProcess } from "../src/system/command-process";
import { runPlanCommand } from "../src/terraform/plan-command";

exitWith(runPlanCommand(process.argv.slice(2), { ...thisProcess(), projectRoot: projectRoot() }));
