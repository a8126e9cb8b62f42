/**
 * The product's custom search attributes: what the Web UI and `temporal workflow list --query`
 * can filter on. Imported by workflow code (to upsert them), so it depends on
 * `@temporalio/common` only: no Node built-ins.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The registry name of the model a workflow trains or monitors (`spec.name`). */
export const MlopsModelName = defineSearchAttributeKey('MlopsModelName', SearchAttributeType.KEYWORD);
/** The current pipeline stage, as reported by the `status` query (`training`, `deployed`, ...). */
export const MlopsStage = defineSearchAttributeKey('MlopsStage', SearchAttributeType.KEYWORD);
/** The registry version produced by the run, once it is registered. */
export const MlopsModelVersion = defineSearchAttributeKey('MlopsModelVersion', SearchAttributeType.INT);
/** Whether the candidate passed evaluation (thresholds and champion comparison). */
export const MlopsBlessed = defineSearchAttributeKey('MlopsBlessed', SearchAttributeType.BOOL);

/** Every custom search attribute, in registration order. */
export const mlopsSearchAttributes = [MlopsModelName, MlopsStage, MlopsModelVersion, MlopsBlessed] as const;

/** The type names `temporal server start-dev --search-attribute Name=Type` accepts. */
const cliTypeNames = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
} as const satisfies Record<SearchAttributeType, string>;

/** `Name=Type` values for the Temporal CLI's `--search-attribute` flag, e.g. `MlopsStage=Keyword`. */
export const searchAttributeFlagValues: readonly string[] = mlopsSearchAttributes.map(
  ({ name, type }) => `${name}=${cliTypeNames[type]}`,
);

/** `['--search-attribute', 'MlopsModelName=Keyword', '--search-attribute', ...]` for spawning the CLI. */
export function searchAttributeCliArgs(): string[] {
  return searchAttributeFlagValues.flatMap((value) => ['--search-attribute', value]);
}
