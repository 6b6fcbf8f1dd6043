import type { Construct } from "constructs";
import { ELB_LOG_DELIVERY_ACCOUNTS } from "./aws-regions";
import { awsPartition, type PolicyPrincipal } from "./iam-policy";
import { PrivateBucket } from "./private-bucket";

/** The service principal of ELB log delivery in regions opened since August 2022. */
export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** Who writes a load balancer's access logs in `region`: the regional ELB account, or (in regions opened since August 2022) the log delivery service. */
export function elbLogDeliveryPrincipal(region: string): PolicyPrincipal {
  const account = ELB_LOG_DELIVERY_ACCOUNTS[region];
  return account
    ? { type: "AWS", identifiers: [`arn:${awsPartition(region)}:iam::${account}:root`] }
    : { type: "Service", identifiers: [ELB_LOG_DELIVERY_SERVICE] };
}

/** Days S3 keeps a log file after a newer write or the expiry replaced it (versioning keeps it otherwise). */
const NONCURRENT_DAYS = 7;

export interface AccessLogBucketProps {
  /** Region of the load balancer (ELB writes only to a bucket in its own region). */
  readonly region: string;
  /** Exact bucket name. @default none: Terraform makes a unique name from `bucketPrefix` */
  readonly bucketName?: string;
  /** Start of the generated name when `bucketName` is unset (at most 37 characters). @default "inventory-lb-logs-" */
  readonly bucketPrefix: string;
  /** Days before S3 deletes a log file. @default 90 */
  readonly retentionDays: number;
  /** Let `terraform destroy` delete the bucket with the logs in it. @default false */
  readonly forceDestroy: boolean;
  /** Name tag of the bucket. */
  readonly nameTag: string;
}

/**
 * The S3 bucket an Application Load Balancer writes its access logs to
 * (CKV_AWS_91 / ELB.5): versioned, SSE-S3 (the only encryption ALB log
 * delivery supports), all public access blocked, ACLs disabled, TLS-only, old
 * logs expired, and writable by the region's ELB log delivery principal only
 * under `AWSLogs/`.
 */
export class AccessLogBucket extends PrivateBucket {
  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id, {
      bucketName: props.bucketName,
      bucketPrefix: props.bucketPrefix,
      forceDestroy: props.forceDestroy,
      nameTag: props.nameTag,
      lifecycleRules: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: [{}],
          expiration: [{ days: props.retentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: NONCURRENT_DAYS }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
      allow: (bucketArn) => [
        {
          sid: "ElbLogDelivery",
          principals: [elbLogDeliveryPrincipal(props.region)],
          actions: ["s3:PutObject"],
          resources: [`${bucketArn}/AWSLogs/*`],
        },
      ],
    });
  }
}
