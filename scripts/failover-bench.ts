// `npm run failover-bench [-- --rate N --duration S ...]`: the app on loopback
// under a bounded load while its database is taken down and started again, as
// a failover does; prints the error window, latencies and lost writes. The
// work is in src/failover/.
import { projectRoot } from "../src/config/project-root";
import { runFailoverBench } from "../src/failover/command";

runFailoverBench(process.argv.slice(2), projectRoot()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`failover-bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
