import type { Construct } from "constructs";
import { awsPartition, type PolicyPrincipal } from "./iam-policy";
import { PrivateBucket } from "./private-bucket";

/**
 * The AWS accounts Elastic Load Balancing writes access logs from, in the
 * regions that opened before August 2022, as AWS documents them in "Enable
 * access logs for your Application Load Balancer" (the same table as AWS
 * CDK's region facts). Regions opened since then accept only the service
 * principal `logdelivery.elasticloadbalancing.amazonaws.com`. A table instead
 * of the `aws_elb_service_account` data source keeps plans offline: no AWS
 * call at plan time.
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-south-1": "718504428378",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-northeast-3": "383597477331",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-southeast-3": "589379963580",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-south-1": "635631232127",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  "us-gov-west-1": "048591011584",
  "us-gov-east-1": "190560391635",
  "cn-north-1": "638102146993",
  "cn-northwest-1": "037604701340",
};

/** The service principal of ELB log delivery in regions opened since August 2022. */
export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** Who writes a load balancer's access logs in `region`: the regional ELB account, or the log delivery service. */
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
