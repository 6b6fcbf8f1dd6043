import { alarmCondition } from "../terraform/alarm-condition";
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

const nameOf = (block: Block): string => block.config.tags?.Name ?? block.config.name ?? block.address;

/** Every alarm of the document, by name: what it watches (followed through the dimensions' references) and whom it tells. */
export function readAlarms(document: TerraformDocument): AlarmModel[] {
  return resources(document, "aws_cloudwatch_metric_alarm")
    .map((alarm) => {
      const dimensions = [alarm.config.dimensions ?? {}, ...blockList(alarm.config.metric_query).map((query) => firstBlock(query.metric)?.dimensions ?? {})];
      const watched = dimensions
        .flatMap((values) => Object.values(values).map((value) => referencedBlock(document, value)))
        .filter((block) => block !== undefined);
      const topics = blockList(alarm.config.alarm_actions)
        .map((action) => referencedBlock(document, action))
        .filter((block) => block?.type === "aws_sns_topic");
      return {
        address: alarm.address,
        name: String(alarm.config.alarm_name),
        watches: [...new Set(watched.map(nameOf))],
        condition: alarmCondition(alarm.config),
        notifies: [...new Set(topics.map((topic) => nameOf(topic!)))],
        notifiesRecovery: blockList(alarm.config.ok_actions).length > 0,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
