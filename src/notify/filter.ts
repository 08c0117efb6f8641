import { severityRank } from '../domain/alarm.js';
import type { AlarmChange, NotifyTransition, SubscriptionFilter } from './subscription.js';

/**
 * domain.md 6.3 "Notification policy": notify on create and on escalation; on clear only for MAJOR and
 * above. That is what a subscription without a transitions list gets; a listed transition is sent whatever
 * the severity, because the subscriber asked for it.
 */
function policyAllows(change: AlarmChange): boolean {
  if (change.change === 'created' || change.change === 'escalated') return true;
  return change.change === 'cleared' && severityRank(change.alarm.severity) <= severityRank('MAJOR');
}

function listed<T>(list: readonly T[] | undefined, value: T): boolean {
  return list === undefined || list.length === 0 || list.includes(value);
}

export function matchesFilter(filter: SubscriptionFilter, change: AlarmChange): boolean {
  const { alarm } = change;
  const transitionOk = filter.transitions?.length
    ? filter.transitions.includes(change.change as NotifyTransition)
    : policyAllows(change);
  return (
    transitionOk &&
    listed(filter.severities, alarm.severity) &&
    listed(filter.rules, alarm.rule) &&
    listed(filter.customers, alarm.customer.id) &&
    (filter.classes === undefined || filter.classes.length === 0 || alarm.customer.classes.some((c) => filter.classes!.includes(c)))
  );
}
