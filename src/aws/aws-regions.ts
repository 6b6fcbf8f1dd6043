/**
 * The AWS regions the project knows, and what it needs to know of each one
 * offline: who writes a load balancer's access logs there. A region outside
 * this list is refused when the settings are read, not left for Terraform to
 * find at apply time.
 */

/**
 * The AWS accounts Elastic Load Balancing writes access logs from, in the
 * regions that opened before August 2022, as AWS documents them in "Enable
 * access logs for your Application Load Balancer" (the same table as AWS
 * CDK's region facts). A table instead of the `aws_elb_service_account` data
 * source keeps plans offline: no AWS call at plan time.
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

/**
 * Regions opened since August 2022 (all of them opt-in): ELB writes access
 * logs there as the service principal `logdelivery.elasticloadbalancing.amazonaws.com`.
 */
export const ELB_LOG_DELIVERY_SERVICE_REGIONS: readonly string[] = [
  "ap-east-2",
  "ap-south-2",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-west-1",
  "eu-central-2",
  "eu-south-2",
  "il-central-1",
  "me-central-1",
  "mx-central-1",
];

/** Every region the project can build an environment in, sorted. */
export const AWS_REGIONS: readonly string[] = [...Object.keys(ELB_LOG_DELIVERY_ACCOUNTS), ...ELB_LOG_DELIVERY_SERVICE_REGIONS].sort();

export function isKnownRegion(region: string): boolean {
  return AWS_REGIONS.includes(region);
}
