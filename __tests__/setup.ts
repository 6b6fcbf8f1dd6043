import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// cdktf records a full stack trace for every token it creates, only to quote it
// in a token's error message. Under Jest every one of those traces is mapped
// through source maps frame by frame, seconds of CPU across the suite for
// nothing the tests look at: the synthesized output does not depend on it.
//
// CDK Terrain (cdktn, which docs/cdk-terrain.md aliases in as `cdktf`) has a
// switch for it. HashiCorp's cdktf 0.21, final, has none: there its internal
// module is replaced, and only there, so nothing here reaches into cdktn's
// internals. Both happen before cdktf is loaded: setupJest's imports load the
// module already.
process.env.CDKTN_DISABLE_CREATION_STACK = "1";
const STACK_TRACE_MODULE = "cdktf/lib/tokens/private/stack-trace";
if (jest.requireActual<{ name: string }>("cdktf/package.json").name === "cdktf") {
  jest.doMock(STACK_TRACE_MODULE, () => ({ ...jest.requireActual(STACK_TRACE_MODULE), captureStackTrace: (): string[] => [] }));
}

// Registers cdktf's matchers (toHaveResource, toHaveResourceWithProperties ...).
// Required, not imported, so that it loads after the mock above (what it requires is still mocked).
const { setupJest } = jest.requireActual<typeof import("cdktf/lib/testing/adapters/jest")>("cdktf/lib/testing/adapters/jest");
setupJest();

// Testing.app() (and so Testing.synthScope) makes a folder in the system's temp folder for every app, cdktf's output
// folder, and never removes it: one per app of every unit run, and of every mutant's tests. A test file's apps get theirs
// in one folder of its own instead, removed after the file. An app given its own outdir keeps it. Testing.synthScope
// goes through here only because cdktf builds its app with Testing.app(): __tests__/temp-folders.test.ts checks both.
const { Testing } = jest.requireActual<typeof import("cdktf")>("cdktf");
const makeApp = Testing.app.bind(Testing);
let appsFolder: string | undefined;
Testing.app = (options = {}) => {
  if (options.outdir) return makeApp(options);
  appsFolder ??= fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-apps-"));
  return makeApp({ ...options, outdir: fs.mkdtempSync(path.join(appsFolder, "app-")) });
};
afterAll(() => {
  if (appsFolder) fs.rmSync(appsFolder, { recursive: true, force: true });
});
