import { type Control, everyBlock } from "../control";
import { resources, show } from "../../terraform/document";

/**
 * Controls of the environment's log groups: each is encrypted with a KMS key
 * (checkov's CKV_AWS_158). That the key's policy lets CloudWatch Logs use it
 * for the environment's own log groups only is INV-IAM-2's.
 */
export const logControls: Control[] = [
  {
    id: "CKV_AWS_158",
    aliases: [],
    title: "CloudWatch log groups are encrypted with a KMS key",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(resources(document, "aws_cloudwatch_log_group"), "log group", false, (group) =>
        typeof group.config.kms_key_id === "string" && group.config.kms_key_id !== "" ? undefined : `kms_key_id is ${show(group.config.kms_key_id)}`,
      ),
  },
];
