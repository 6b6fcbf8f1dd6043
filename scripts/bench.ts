// `npm run bench [-- --runs N] [--suite]`: wires the bench (src/bench/bench.ts) to the process: arguments, streams and the exit code.
import { projectRoot } from "../src/config/project-root";
import { exitWith, thisProcess } from "../src/system/command-process";
import { runBench } from "../src/bench/bench";

exitWith(runBench(process.argv.slice(2), { ...thisProcess(), projectRoot: projectRoot() }));
