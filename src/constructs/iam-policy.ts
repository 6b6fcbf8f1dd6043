import type { Construct } from "constructs";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * IAM policy documents as `aws_iam_policy_document` data sources. The
 * provider renders them locally (no AWS call, so offline plans stay
 * complete), and unlike `jsonencode` of an object holding references they
 * come out right in cdktf's HCL output too.
 */

/** A policy document of the given statements; each allows unless it says `effect: "Deny"`. */
export function policyJson(scope: Construct, id: string, statements: DataAwsIamPolicyDocumentStatement[]): string {
  return new DataAwsIamPolicyDocument(scope, id, { statement: statements.map((statement) => ({ effect: "Allow", ...statement })) }).json;
}

/** A trust policy letting one AWS service assume the role. */
export function servicePrincipalTrust(scope: Construct, id: string, service: string): string {
  return policyJson(scope, id, [
    {
      sid: "AssumedByService",
      actions: ["sts:AssumeRole"],
      principals: [{ type: "Service", identifiers: [service] }],
    },
  ]);
}

/** The AWS partition of a region, for ARNs of AWS managed policies. */
export function awsPartition(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
