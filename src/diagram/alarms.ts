import { alarmCondition, type MetricAlarmValues, type MetricQueryValues, type MetricValues } from "../terraform/alarm-condition";
import { type Block, blockList, firstBlock, referencedBlock, resources, type TerraformDocument } from "../terraform/document";

/** One CloudWatch alarm, as the architecture page lists it. */
export interface AlarmModel {
  readonly address: string;
  readonly name: string;
  /** Names of the resources its metrics' dimensions refer to. */
  readonly watches: string[];
  /** `desired - healthy > 0 for 3 x 60s`. */
  readonly condition: string;
  /** Names of the SNS topics it notifies when it fires. */
  readonly notifies: string[];
  /** Whether it also notifies when it recovers (OK actions). */
  readonly notifiesRecovery: boolean;
}

/** What the page reads of an alarm as synthesized: its condition, what it watches and whom it tells. */
interface SynthesizedAlarm extends MetricAlarmValues {
  readonly alarm_name: string;
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly alarm_actions?: string | readonly string[];
  readonly ok_actions?: string | readonly string[];
}

const nameOf = (block: Block): string => {
  const config = block.config as { readonly tags?: Readonly<Record<string, string>>; readonly name?: string };
  return config.tags?.Name ?? config.name ?? block.address;
};

/** Every alarm of the document, by name: what it watches (followed through the dimensions' references) and whom it tells. */
export function readAlarms(document: TerraformDocument): AlarmModel[] {
  return resources(document, "aws_cloudwatch_metric_alarm")
    .map(({ address, config }) => {
      const alarm = config as SynthesizedAlarm;
      const queries = blockList(alarm.metric_query) as MetricQueryValues[];
      const metrics = queries.map((query) => firstBlock(query.metric) as MetricValues | undefined);
      const watched = [alarm.dimensions, ...metrics.map((metric) => metric?.dimensions)]
        .flatMap((dimensions) => Object.values(dimensions ?? {}).map((value) => referencedBlock(document, value)))
        .filter((block) => block !== undefined);
      const topics = (blockList(alarm.alarm_actions) as string[])
        .map((action) => referencedBlock(document, action))
        .filter((block) => block?.type === "aws_sns_topic");
      return {
        address,
        name: String(alarm.alarm_name),
        watches: [...new Set(watched.map(nameOf))],
        condition: alarmCondition(alarm),
        notifies: [...new Set(topics.map((topic) => nameOf(topic!)))],
        notifiesRecovery: blockList(alarm.ok_actions).length > 0,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
