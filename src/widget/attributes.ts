/**
 * The attributes a host may set on <obscura-extractor>: the loader reads exactly these and the
 * frame checks them against `widgetConfigSchema`, whose keys they are (tests/unit/widget/protocol.test.ts
 * holds the two equal). Apart from the schema so the loader can name them without zod.
 */
export const WIDGET_ATTRIBUTES = [
  'scope',
  'mechanism',
  'epsilon',
  'delta',
  'dims',
  'endpoint',
  'codebook',
  'theme',
  'train-task',
  'suggested-label',
] as const;
export type WidgetAttribute = (typeof WIDGET_ATTRIBUTES)[number];

/** The attributes the loader sends as numbers (an attribute is always a string). */
export const NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set<WidgetAttribute>(['epsilon', 'delta', 'dims']);
