import { SettingsError, settingsErrorText } from "./src/config/load";
import { projectRoot } from "./src/config/project-root";
import { synthesize } from "./src/synthesize";

// Composition root, run by `cdktf synth` (cdktf.json's app): every environment
// file in environments/ becomes one stack; INVENTORY_ENV=<name> narrows it to
// one. Bad settings stop here with a line per problem and exit code 1.
try {
  synthesize({ projectRoot: projectRoot() });
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  console.error(settingsErrorText(error));
  process.exitCode = 1;
}
