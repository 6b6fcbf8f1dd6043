import * as path from "node:path";
import { App } from "cdktf";
import { loadEnvironments, SettingsError } from "./src/config/load";
import { projectRoot } from "./src/config/project-root";
import { InventoryStack, inventoryStackName } from "./src/stacks/inventory-stack";

// Composition root: settings -> stacks -> synth. Every environment file in
// environments/ becomes one stack (INVENTORY_ENV=<name> narrows it to one).
// All settings are validated before anything is written, so a bad value
// leaves no partial cdktf.out behind.
function main(): void {
  const root = projectRoot();
  const environments = loadEnvironments({ directory: path.join(root, "environments") });

  const app = new App();
  for (const settings of environments) {
    new InventoryStack(app, inventoryStackName(settings.environment), { settings, appDirectory: path.join(root, "app") });
  }
  app.synth();
}

try {
  main();
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  console.error(`Invalid settings: ${error.message}`);
  process.exitCode = 1;
}
