import type { Control, ControlScope } from "../control";
import { appServerControls } from "./app-servers";
import { databaseControls } from "./database";
import { iamControls } from "./iam";
import { loadBalancerControls } from "./load-balancer";
import { monitoringControls } from "./monitoring";
import { networkControls } from "./network";
import { storageControls } from "./storage";

/** Every control, in the order docs/security.md lists them: one file per domain. */
export const CONTROLS: readonly Control[] = [
  ...loadBalancerControls,
  ...appServerControls,
  ...databaseControls,
  ...networkControls,
  ...iamControls,
  ...storageControls,
  ...monitoringControls,
];

export function controlsFor(scope: ControlScope): Control[] {
  return CONTROLS.filter((control) => control.scopes.includes(scope));
}
