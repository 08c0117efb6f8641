/**
 * Customer classes (domain.md, decision 1). The order is the precedence used when
 * a customer belongs to several classes: earlier classes are the more sensitive.
 */
export const CUSTOMER_CLASSES = [
  'KEY',
  'TOP100',
  'DH_KEY',
  'DH_GROWTH',
  'DEDICATED',
  'LV_NONRES',
  'RESIDENTIAL',
] as const;

export type CustomerClass = (typeof CUSTOMER_CLASSES)[number];

export function isCustomerClass(value: string): value is CustomerClass {
  return (CUSTOMER_CLASSES as readonly string[]).includes(value);
}

/** Lower rank = higher precedence (KEY first). */
export function classRank(c: CustomerClass): number {
  return CUSTOMER_CLASSES.indexOf(c);
}
