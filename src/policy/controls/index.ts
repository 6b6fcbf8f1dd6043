import type { Control, ControlScope } from "../control";
import { appServerControls } from "./app-servers";
import { backupControls } from "./backups";
import { databaseControls } from "./database";
import { iamControls } from "./iam";
import { leastPrivilegeControls } from "./least-privilege";
import { loadBalancerControls } from "./load-balancer";
import { logControls } from "./logs";
import { monitoringControls } from "./monitoring";
import { networkControls } from "./network";
import { storageControls } from "./storage";
import { webAclControls } from "./web-acl";

/** Every control, in the order docs/security.md lists them: one file per domain. */
export const CONTROLS: readonly Control[] = [
  ...loadBalancerControls,
  ...webAclControls,
  ...appServerControls,
  ...databaseControls,
  ...backupControls,
  ...networkControls,
  ...iamControls,
  ...leastPrivilegeControls,
  ...storageControls,
  ...monitoringControls,
  ...logControls,
];

export function controlsFor(scope: ControlScope): Control[] {
  return CONTROLS.filter((control) => control.scopes.includes(scope));
}
