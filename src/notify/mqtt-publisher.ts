import type { Logger } from '../log.js';
import type { AlarmChange } from './subscription.js';
import { alarmTopic } from './topic.js';

export type MqttPublish = (topic: string, payload: string, qos: 0 | 1) => Promise<void>;

/** Alarm changes to `alarms/{class}/{customerId}/{meterId}` at QoS 1 for MQTT subscribers; a failed publish is logged, not retried. */
export function createAlarmMqttPublisher(publish: MqttPublish, log: Logger): (changes: readonly AlarmChange[]) => Promise<void> {
  return async (changes) => {
    await Promise.all(
      changes.map((c) =>
        publish(alarmTopic(c), JSON.stringify({ change: c.change, alarm: c.alarm }), 1).catch((err: unknown) =>
          log.warn({ err, alarmId: c.alarm.id }, 'alarm change not published over MQTT'),
        ),
      ),
    );
  };
}
