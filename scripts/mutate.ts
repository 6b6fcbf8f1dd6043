// `npm run mutate [-- <folder or file>...] [-- --report]`: wires mutation testing (src/bench/mutate.ts) to the process.
import { projectRoot } from "../src/config/project-root";
import { runMutate } from "../src/bench/mutate";

process.exitCode = runMutate(process.argv.slice(2), projectRoot());
