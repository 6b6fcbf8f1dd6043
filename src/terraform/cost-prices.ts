/**
 * The offline price table of the cost estimate: public AWS on-demand list
 * prices in USD, for the regions the environments use (us-west-2, the lab's)
 * and us-east-1. Prices change; this table is dated, and a region not in it
 * is reported as unpriced rather than guessed.
 *
 * Where each price came from (stored public pages and public Infracost
 * outputs found with the project's search tool on the date below; Infracost
 * reads AWS's Price List API), and the AWS page to check it against:
 * - NAT gateway $0.045 per hour: AWS VPC pricing (aws.amazon.com/vpc/pricing), as
 *   quoted by cloudburn.io/blog/aws-nat-gateway-pricing and
 *   wiki.connerv.com/notes/aws/nat-gateway ("Price per NAT gateway ($/hour) is $0.045").
 * - Public IPv4 address $0.005 per hour, in use or idle, since February 2024: AWS VPC
 *   pricing, as quoted by cloudburn.io (above) and factualminds.com's VPC pricing post.
 * - Application Load Balancer $0.0225 per hour: aws.amazon.com/elasticloadbalancing/pricing,
 *   as Infracost reports it ("Application load balancer 730 hours $16.43").
 * - EC2 t3.micro $0.0104 per hour (Linux, on-demand), t3.small and t3.medium double
 *   at each step: aws.amazon.com/ec2/pricing/on-demand; Infracost reports t3.micro's
 *   730 hours as $7.59.
 * - EBS gp3 $0.08 per GB-month: aws.amazon.com/ebs/pricing; Infracost reports an 8 GB
 *   gp3 root volume as $0.64.
 * - RDS for MySQL db.t3.micro $0.017 per hour Single-AZ (Infracost: "price": "0.017"),
 *   each larger t3 class double the one before, Multi-AZ twice Single-AZ for the
 *   instance and its storage (AWS RDS User Guide, "On-Demand DB instances":
 *   "billed per DB instance-hour for both the primary and standby instances", storage
 *   "for both the primary and standby"): aws.amazon.com/rds/mysql/pricing.
 * - RDS gp2 and gp3 storage $0.115 per GB-month Single-AZ: usage.ai's RDS pricing
 *   calculator post ("GB provisioned x $0.115/month (gp3)"), Infracost ("$0.115 / GB").
 * - Secrets Manager $0.40 per secret per month: aws.amazon.com/secrets-manager/pricing,
 *   as quoted by awsready.net and hivebook.wiki.
 * - CloudWatch alarm $0.10 per standard-resolution alarm metric per month ($0.30 high
 *   resolution): aws.amazon.com/cloudwatch/pricing bills alarms by "alarm metric" (its free
 *   tier: "10 Alarm metrics (only applicable to Standard resolution alarms that list metrics
 *   directly ...)"), so an alarm over metric math costs one alarm metric per metric its
 *   expression reads; Infracost counts them the same way (the metric_query blocks that hold a
 *   metric, "alarm metrics"), and c3x.dev reports $0.10 and $0.30 per alarm-month.
 * - A target tracking scaling policy: Amazon EC2 Auto Scaling creates and manages the
 *   CloudWatch alarms that invoke it (EC2 Auto Scaling User Guide, "Target tracking scaling
 *   policies"), a pair per policy, AlarmHigh and AlarmLow (AlarmHigh alone with scale-in
 *   disabled), each on one metric, billed as any alarm (repost.aws on target tracking alarms;
 *   aws-solutions/instance-scheduler-on-aws issue 351, target tracking alarms on the bill).
 * - CloudWatch dashboard $3.00 per dashboard per month: aws.amazon.com/cloudwatch/pricing,
 *   as quoted by factualminds.com's CloudWatch pricing post ("dashboards at $3 each");
 *   Infracost prices the same resource by the dashboard-month.
 * - KMS key $1.00 per customer managed key per month (prorated hourly): aws.amazon.com/kms/pricing
 *   ("Each AWS KMS key that you create in AWS KMS costs $1/month"; "If you enable automatic
 *   key rotation, each newly generated backing key costs an additional $1/month"); since
 *   April 2024 "a new limit on the price of all symmetric keys that have had two or more
 *   rotations" (AWS Security Blog, "The curious case of faster AWS KMS symmetric key
 *   rotation"): the first two rotations add $1/month each, later ones nothing. The estimate
 *   prices a new key; its line says what the rotations add. Aliases and key policies cost
 *   nothing.
 * - SNS has no fixed charge: publishes and deliveries (email, HTTPS) are billed by use
 *   (aws.amazon.com/sns/pricing); topic and subscription are usage-only.
 * - AWS Backup storage of an Amazon RDS snapshot $0.095 per GB-month (warm storage), and a restore testing job
 *   $1.50: aws.amazon.com/backup/pricing ("Backup storage pricing", "Restore testing"). Taken from that page as
 *   remembered on the date below; the search tool's stored copy of the page holds its text but not its price
 *   tables, so check both figures there. Cross-region copy transfer ($0.02 per GB between US regions) and the
 *   restore's own data are usage.
 * The free tiers are per account and shared by everything in it (10 alarm metrics, 3
 * dashboards of up to 50 metrics, 20,000 KMS requests), so no estimate subtracts them.
 * - AWS WAF $5.00 per web ACL and $1.00 per rule per month (a managed rule group counts as
 *   one rule; AWS's baseline groups carry no subscription), $0.60 per million requests
 *   (usage): aws.amazon.com/waf/pricing, as quoted by c3x.dev's "AWS WAF cost explained" and
 *   awsnegotiations.com's WAF pricing post; "consistent across all AWS Regions" (AWS
 *   networking blog, "Cost-effective ways for securing your web applications using AWS WAF").
 */

export interface RegionPrices {
  readonly natGatewayHour: number;
  readonly publicIpv4Hour: number;
  readonly applicationLoadBalancerHour: number;
  /** Linux on-demand, by instance type. */
  readonly ec2InstanceHour: Readonly<Record<string, number>>;
  /** EBS volumes, by volume type. */
  readonly ebsGbMonth: Readonly<Record<string, number>>;
  /** RDS for MySQL, Single-AZ, by instance class; Multi-AZ doubles it. */
  readonly rdsMysqlInstanceHour: Readonly<Record<string, number>>;
  /** RDS storage, Single-AZ, by storage type; Multi-AZ doubles it. */
  readonly rdsStorageGbMonth: Readonly<Record<string, number>>;
  readonly secretMonth: number;
  /** AWS WAF: a web ACL, and each rule or managed rule group in it. */
  readonly wafWebAclMonth: number;
  readonly wafRuleMonth: number;
  /** Per alarm metric: an alarm costs this for each metric it reads. */
  readonly alarmMonth: number;
  /** Per alarm metric of an alarm with a period under 60 s. */
  readonly highResolutionAlarmMonth: number;
  readonly dashboardMonth: number;
  /** A customer managed key; each of its first two yearly rotations adds as much again. */
  readonly kmsKeyMonth: number;
  /** AWS Backup storage of an RDS snapshot, warm, per GB-month. */
  readonly backupRdsSnapshotGbMonth: number;
  /** One AWS Backup restore testing job (the restored resource's own hours are priced apart). */
  readonly restoreTestJob: number;
}

export interface PriceTable {
  /** When the prices were collected (YYYY-MM-DD). */
  readonly date: string;
  readonly currency: "USD";
  /** Hours AWS's calculator counts in a month. */
  readonly hoursPerMonth: number;
  readonly regions: Readonly<Record<string, RegionPrices>>;
}

// The two regions list the same prices for everything this project creates.
const US_PRICES: RegionPrices = {
  natGatewayHour: 0.045,
  publicIpv4Hour: 0.005,
  applicationLoadBalancerHour: 0.0225,
  ec2InstanceHour: { "t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t3.medium": 0.0416, "t3.large": 0.0832 },
  ebsGbMonth: { gp3: 0.08, gp2: 0.1 },
  rdsMysqlInstanceHour: { "db.t3.micro": 0.017, "db.t3.small": 0.034, "db.t3.medium": 0.068, "db.t3.large": 0.136 },
  rdsStorageGbMonth: { gp2: 0.115, gp3: 0.115 },
  secretMonth: 0.4,
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  alarmMonth: 0.1,
  highResolutionAlarmMonth: 0.3,
  dashboardMonth: 3,
  kmsKeyMonth: 1,
  backupRdsSnapshotGbMonth: 0.095,
  restoreTestJob: 1.5,
};

export const PRICE_TABLE: PriceTable = {
  date: "2026-11-26",
  currency: "USD",
  hoursPerMonth: 730,
  regions: { "us-west-2": US_PRICES, "us-east-1": US_PRICES },
};
